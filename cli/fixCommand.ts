import * as fs from "fs";
import * as path from "path";
import { defaultMutationContext, mutationContextFor } from "../components/guardrails/mutations/context";
import { CliError } from "./errors";
import { fixSources, formatFixChanges } from "./fix";
import { defaultStackConfigPath, readStackSettings } from "./stackConfig";

interface ParsedFixArgs {
    readonly values: { write?: unknown; stack?: unknown; config?: unknown };
    readonly positionals: string[];
}

/**
 * `bulwark fix`: fills in the catalog's safe defaults on plain YAML (manifests that never pass
 * through Pulumi), never overwriting a field that is set. Prints the defaulted YAML, or with
 * `--write` rewrites the files that changed (comments and layout kept); each field set is reported
 * on stderr.
 */
export function fixCommand({ values, positionals }: ParsedFixArgs, usage: string): number {
    if (positionals.length === 0) throw new CliError(`fix needs at least one file, directory or '-'\n${usage}`);
    const write = values.write === true;
    if (write && positionals.includes("-")) throw new CliError("fix --write cannot rewrite stdin; omit --write to print the defaulted YAML");
    const stack = values.stack as string | undefined;
    const configPath = (values.config as string | undefined) ?? (stack === undefined ? undefined : defaultStackConfigPath(stack));
    const context =
        configPath === undefined ? defaultMutationContext() : mutationContextFor(readStackSettings(configPath, stack ?? path.basename(configPath).replace(/^Pulumi\.|\.yaml$/g, "")));
    const result = fixSources(positionals, context);
    if (write) {
        for (const output of result.outputs.filter((entry) => entry.changed)) fs.writeFileSync(output.file, output.text);
    } else {
        process.stdout.write(result.outputs.map((output) => (output.text.endsWith("\n") || output.text === "" ? output.text : `${output.text}\n`)).join("---\n"));
    }
    const report = formatFixChanges(result.changes);
    if (report !== "") process.stderr.write(`${report}\n`);
    for (const problem of result.problems) process.stderr.write(`${problem.file}: ${problem.reason}\n`);
    const files = new Set(result.changes.map((change) => change.file)).size;
    process.stderr.write(`${result.changes.length} field(s) defaulted in ${files} file(s)${write ? " (written)" : ""}, ${result.problems.length} unreadable input(s)\n`);
    return result.problems.length > 0 ? 2 : 0;
}
