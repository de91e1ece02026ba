import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PlatformSettings, parsePlatformSettings, settingsKey } from "../components/settings";
import { CliError } from "./errors";

/** The repository root: the folder holding Pulumi.yaml (two levels up when run from dist/). */
export function projectRoot(): string {
    for (const candidate of [path.resolve(__dirname, ".."), path.resolve(__dirname, "../..")]) {
        if (fs.existsSync(path.join(candidate, "Pulumi.yaml"))) return candidate;
    }
    throw new CliError("cannot find Pulumi.yaml above " + __dirname);
}

export function defaultStackConfigPath(stack: string): string {
    return path.join(projectRoot(), "stacks", `Pulumi.${stack}.yaml`);
}

export interface StackConfig {
    readonly path: string;
    /** `namespace:key` to the value exactly as written (objects stay objects). */
    readonly values: Record<string, unknown>;
    /** Keys written as `secure:` values. */
    readonly secretKeys: string[];
}

/** Reads a `Pulumi.<stack>.yaml` file; a missing or malformed file is a CliError naming it. */
export function readStackConfig(file: string): StackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new CliError(`cannot read stack config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    let document: unknown;
    try {
        document = yaml.load(text);
    } catch (error) {
        throw new CliError(`stack config ${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    const config = (document as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new CliError(`stack config ${file}: 'config' must be a mapping`);
    }
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        const qualified = key.includes(":") ? key : `bulwark:${key}`;
        values[qualified] = value;
        if (value !== null && typeof value === "object" && "secure" in value) secretKeys.push(qualified);
    }
    return { path: file, values, secretKeys };
}

/** Validated platform settings of a stack file (used by `check --stack`). */
export function readStackSettings(file: string, stack: string): PlatformSettings {
    const config = readStackConfig(file);
    return parsePlatformSettings(config.values[settingsKey], path.basename(file), stack);
}
