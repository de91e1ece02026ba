import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CliError } from "./errors";
import { StackConfig } from "./stackConfig";
import { compareStrings, dumpSortedYaml, redactSecrets, stableJson } from "./serialize";

/** One Pulumi resource as the program registered it. */
export interface RenderedResource {
    readonly type: string;
    readonly name: string;
    /** `type::name` of the parent, or the stack. */
    readonly parent: string;
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

export interface RenderResult {
    readonly stack: string;
    readonly resources: RenderedResource[];
}

/** Thrown when the program rejects the stack configuration; the message is for the user. */
export class ProgramError extends CliError {
    constructor(
        message: string,
        /** How many resources (besides the stack) the program had registered when it stopped. */
        readonly registeredResources: number,
    ) {
        super(message, 1);
    }
}

const stackType = "pulumi:pulumi:Stack";

// When the program throws (a bad stack file), the Pulumi runtime's own promises for the stack's
// outputs reject with the same error object after renderProgram has already reported it. Node would
// print those as an unhandled rejection with a stack trace; the error was reported, so drop exactly
// those objects and let any other unhandled rejection crash the process as usual.
const reportedProgramErrors = new WeakSet<object>();
let rejectionFilterInstalled = false;
function markReported(error: unknown): void {
    if (error === null || typeof error !== "object") return;
    reportedProgramErrors.add(error);
    if (rejectionFilterInstalled) return;
    rejectionFilterInstalled = true;
    process.on("unhandledRejection", (reason) => {
        if (reason !== null && typeof reason === "object" && reportedProgramErrors.has(reason)) return;
        throw reason;
    });
}

/**
 * Runs the Bulwark program for a stack under the Pulumi SDK's mock runtime: no CLI, no cluster, no
 * network. Resolves with every resource the program registered.
 */
export async function renderStack(stack: string, config: StackConfig, projectName = "bulwark"): Promise<RenderResult> {
    const programPath = require.resolve(path.resolve(__dirname, "..", "index"));
    return renderProgram(stack, config, async () => {
        delete require.cache[programPath];
        return await import(programPath);
    }, projectName);
}

/** Runs any program function under the mock runtime (tests use it to build components directly). */
export async function renderProgram(stack: string, config: StackConfig, program: () => Promise<unknown>, projectName = "bulwark"): Promise<RenderResult> {
    const inputsByKey = new Map<string, { custom: boolean; inputs: Record<string, unknown> }>();
    const parents = new Map<string, string>();
    const keyOf = (type: string, name: string) => `${type}::${name}`;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                inputsByKey.set(keyOf(args.type, args.name), { custom: args.custom ?? true, inputs: args.inputs });
                return { id: `${args.name}-id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        },
        projectName,
        stack,
        true,
    );
    // The CLI hands structured values to the program as JSON strings; do the same.
    const allConfig: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.values)) {
        allConfig[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(allConfig, config.secretKeys);

    const resourceKeys = new Map<pulumi.Resource, string>();
    const stackKey = keyOf(stackType, `${projectName}-${stack}`);
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                const key = keyOf(args.type, args.name);
                resourceKeys.set(args.resource, key);
                parents.set(key, (args.opts.parent && resourceKeys.get(args.opts.parent)) ?? stackKey);
                return undefined;
            });
            return (await program()) as Record<string, unknown>;
        });
        // Drain outstanding registrations so a later render in this process starts clean.
        await pulumi.runtime.disconnect();
    } catch (error) {
        markReported(error);
        const registered = [...inputsByKey.keys()].filter((key) => !key.startsWith(`${stackType}::`)).length;
        throw new ProgramError(error instanceof Error ? error.message : String(error), registered);
    }

    const resources: RenderedResource[] = [];
    for (const [key, registration] of inputsByKey) {
        if (key.startsWith(`${stackType}::`)) continue;
        const [type, name] = [key.slice(0, key.indexOf("::")), key.slice(key.indexOf("::") + 2)];
        resources.push({ type, name, parent: parents.get(key) ?? stackKey, custom: registration.custom, inputs: redactSecrets(registration.inputs, pulumi.runtime.specialSigKey) as Record<string, unknown> });
    }
    resources.sort((a, b) => compareStrings(a.type, b.type) || compareStrings(a.name, b.name));
    return { stack, resources };
}

/** A Kubernetes object in the render: any custom `kubernetes:` resource whose inputs carry a kind. */
export function kubernetesObjects(result: RenderResult): Record<string, unknown>[] {
    return result.resources
        .filter((resource) => resource.custom && resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string")
        .map((resource) => resource.inputs);
}

/** `<namespace or _cluster>/<kind>-<name>.yaml` for one object. */
export function objectFilePath(object: Record<string, unknown>): string {
    const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
    const folder = metadata.namespace ?? "_cluster";
    return path.join(folder, `${String(object.kind).toLowerCase()}-${metadata.name ?? "unnamed"}.yaml`);
}

/**
 * Writes the render: `k8s/<namespace or _cluster>/<kind>-<name>.yaml` per Kubernetes object, and
 * `resources.json` with every Pulumi resource. Same input, byte-identical output.
 */
export function writeRender(result: RenderResult, outDir: string): { files: number } {
    fs.rmSync(path.join(outDir, "k8s"), { recursive: true, force: true });
    let files = 0;
    for (const object of kubernetesObjects(result)) {
        const file = path.join(outDir, "k8s", objectFilePath(object));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, dumpSortedYaml(object));
        files++;
    }
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "resources.json"), stableJson({ stack: result.stack, resources: result.resources }));
    return { files: files + 1 };
}
