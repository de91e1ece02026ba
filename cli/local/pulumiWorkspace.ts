// The real Pulumi CLI on this project, against a local file backend and a local control plane:
// what `bulwark up --local` runs, and what the engine tier's lifecycle tests run.
//
// The program runs from a directory of symlinks to the repository's entries with its own copy of
// stacks/: `pulumi stack init` (passphrase secrets) writes an encryption salt into the stack's
// config file, and config-only mode (`install: false`) is written into that copy, so the
// repository's files stay as they are. PULUMI_HOME and the backend live in the state directory;
// nothing is downloaded (plugins come from the built engines on $PATH, acquisition is off).
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { repositoryRoot } from "./engines";
import { ProcessResult, runProcess } from "./processes";

export { ProcessResult, runProcess } from "./processes";

export interface PulumiBinaries {
    readonly pulumi: string;
    readonly "pulumi-language-nodejs": string;
    readonly "pulumi-resource-kubernetes": string;
}

export interface WorkspaceOptions {
    /** Holds project/, backend/ and home/; kept across runs for a local front door. */
    readonly stateDir: string;
    readonly binaries: PulumiBinaries;
    /** The kubeconfig of the control plane the Kubernetes provider talks to. */
    readonly kubeconfig: string;
    /**
     * The passphrase of the stack's secrets. Only for throw-away local state, never a real stack.
     * @default "bulwark-local"
     */
    readonly passphrase?: string;
}

export interface PulumiWorkspace {
    /** The project directory the CLI runs in. */
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;
    /** `pulumi <args> --color never` in the project directory. */
    run(args: readonly string[], opts?: { echo?: NodeJS.WritableStream; timeoutMs?: number }): Promise<ProcessResult>;
}

/** The project as symlinks (entries added later to the repository appear on the next run). */
function linkProject(work: string): void {
    fs.mkdirSync(path.join(work, "stacks"), { recursive: true });
    for (const entry of fs.readdirSync(repositoryRoot)) {
        if (entry === ".git" || entry === "stacks" || entry === ".bulwark") continue;
        const link = path.join(work, entry);
        if (!fs.existsSync(link)) fs.symlinkSync(path.join(repositoryRoot, entry), link);
    }
}

/**
 * Writes the workspace's copy of a stack file: the given settings text with `install: false`
 * (config-only: no controller image can be pulled here), keeping the encryption salt an earlier
 * `pulumi stack init` wrote into the copy.
 */
export function writeStackCopy(work: string, stack: string, sourceText: string, configOnly = true): string {
    const target = path.join(work, "stacks", `Pulumi.${stack}.yaml`);
    const document = (yaml.load(sourceText) ?? {}) as { config?: Record<string, unknown>; encryptionsalt?: string };
    const config = { ...(document.config ?? {}) };
    const key = "bulwark:platform" in config ? "bulwark:platform" : "platform" in config ? "platform" : "bulwark:platform";
    if (configOnly) config[key] = { ...((config[key] as Record<string, unknown> | undefined) ?? {}), install: false };
    const previousSalt = fs.existsSync(target) ? (yaml.load(fs.readFileSync(target, "utf8")) as { encryptionsalt?: string } | null)?.encryptionsalt : undefined;
    const salt = previousSalt ?? document.encryptionsalt;
    fs.writeFileSync(target, yaml.dump({ ...(salt === undefined ? {} : { encryptionsalt: salt }), config }, { lineWidth: -1 }));
    return target;
}

/**
 * The environment the Pulumi CLI runs in: the built binaries first on $PATH, PULUMI_HOME in the state
 * directory, no update check, no plugin downloads, the given kubeconfig, and none of the caller's own
 * Pulumi settings (no cloud login, no other home or kubeconfig). `extra` adds variables (a CA bundle...).
 */
export function pulumiEnvironment(opts: WorkspaceOptions & { readonly extra?: Readonly<Record<string, string>> }): NodeJS.ProcessEnv {
    const inherited = { ...process.env };
    for (const key of ["PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL", "PULUMI_IGNORE_AMBIENT_PLUGINS", "PULUMI_CONFIG_PASSPHRASE_FILE", "KUBECONFIG", ...Object.keys(opts.extra ?? {})]) delete inherited[key];
    return {
        ...inherited,
        // The built binaries by name, as the CLI looks plugins up.
        PATH: [...new Set(Object.values(opts.binaries).map((bin) => path.dirname(bin)))].join(path.delimiter) + path.delimiter + (process.env.PATH ?? ""),
        PULUMI_HOME: path.join(opts.stateDir, "home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? "bulwark-local",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        KUBECONFIG: opts.kubeconfig,
        ...(opts.extra ?? {}),
    };
}

/** A workspace in `stateDir`, logged in to its file backend. */
export async function openWorkspace(opts: WorkspaceOptions): Promise<PulumiWorkspace> {
    const dir = path.join(opts.stateDir, "project");
    const backend = path.join(opts.stateDir, "backend");
    fs.mkdirSync(backend, { recursive: true });
    linkProject(dir);
    const env = pulumiEnvironment(opts);
    const run = (args: readonly string[], runOpts: { echo?: NodeJS.WritableStream; timeoutMs?: number } = {}) =>
        runProcess(opts.binaries.pulumi, [...args, "--color", "never"], { cwd: dir, env, echo: runOpts.echo, timeoutMs: runOpts.timeoutMs });
    const login = await run(["login", `file://${backend}`]);
    if (login.code !== 0) throw new Error(`pulumi login file://${backend} failed:\n${login.stdout}${login.stderr}`);
    return { dir, env, run };
}

/** Selects the stack, creating it on first use. */
export async function selectStack(workspace: PulumiWorkspace, stack: string): Promise<void> {
    const result = await workspace.run(["stack", "select", stack, "--create", "--non-interactive"]);
    if (result.code !== 0) throw new Error(`pulumi stack select ${stack} --create failed:\n${result.stdout}${result.stderr}`);
}

/** `--policy-pack policy-pack --policy-pack-config policy-pack/config/<pack config>.json` */
export function policyPackArgs(packConfig: string): string[] {
    return ["--policy-pack", "policy-pack", "--policy-pack-config", `policy-pack/config/${packConfig}.json`];
}

/** The policy violations in a preview/up output: `[level] guardrail (type: name)`. */
export function policyViolations(output: string): { level: string; guardrail: string; resource: string }[] {
    return [...output.matchAll(/- \[(advisory|mandatory|disabled)\]\s+([\w-]+)\s+\(([^)]*)\)/g)].map((match) => ({ level: match[1], guardrail: match[2], resource: match[3] }));
}
