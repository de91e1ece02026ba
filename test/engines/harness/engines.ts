// Locates (and if necessary builds) the real engine binaries used by the
// engine test tier: kube-apiserver, kube-controller-manager, helm, etcd, gator, kyverno and the Pulumi CLI with its
// Node.js language host and Kubernetes provider, built from their upstream
// Go modules by tools/engines/build.sh at the versions pinned in
// tools/engines/versions.env.
//
// Policy when an engine cannot be had:
//   - CI=true: throw (the engine tier must not silently pass in CI);
//   - otherwise: the caller may skip, with the reason (see skipOrFail).
//
// Environment:
//   BULWARK_ENGINE_CACHE     cache root (default ~/.cache/bulwark/engines), as in build.sh
//   BULWARK_ENGINES_NO_BUILD=1  never run build.sh; only use binaries already built

import { spawn } from "child_process";
import { engineCache, isExecutable, repositoryRoot } from "../../../cli/local/engines";
import { ProcessResult, runProcess as runLocalProcess } from "../../../cli/local/processes";
import * as fs from "fs";
import * as path from "path";

export type EngineName = "kube-apiserver" | "kube-controller-manager" | "helm" | "etcd" | "gator" | "kyverno" | "cosign" | "policy-tester" | "pulumi" | "pulumi-language-nodejs" | "pulumi-resource-kubernetes"
    | "otelcol" | "otelcol-loadgen" | "istioctl" | "fluent-bit";

/** The repository root, also when this runs compiled from dist/ (npm run bench). */
export const REPO_ROOT = repositoryRoot;
export const ENGINES_DIR = path.join(REPO_ROOT, "tools", "engines");
export const BUILD_SCRIPT = path.join(ENGINES_DIR, "build.sh");
export const VERSIONS_FILE = path.join(ENGINES_DIR, "versions.env");

/** An engine could not be located, built or started. */
export class EngineUnavailableError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EngineUnavailableError";
    }
}

export function isCI(): boolean {
    const ci = (process.env["CI"] ?? "").toLowerCase();
    return ci === "true" || ci === "1";
}

/** Parses tools/engines/versions.env (KEY=VALUE lines, # comments). */
export function readVersions(file: string = VERSIONS_FILE): Record<string, string> {
    const out: Record<string, string> = {};
    for (const raw of fs.readFileSync(file, "utf8").split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        const [, key, value] = m ?? [];
        if (key === undefined || value === undefined) throw new Error(`${file}: cannot parse line: ${raw}`);
        out[key] = value.replace(/^["']|["']$/g, "");
    }
    return out;
}

const VERSION_KEY: Record<EngineName, string> = {
    "kube-apiserver": "KUBERNETES_VERSION",
    "kube-controller-manager": "KUBERNETES_VERSION",
    helm: "HELM_VERSION",
    etcd: "ETCD_VERSION",
    gator: "GATOR_VERSION",
    kyverno: "KYVERNO_VERSION",
    cosign: "COSIGN_VERSION",
    "policy-tester": "POLICY_CONTROLLER_VERSION",
    pulumi: "PULUMI_VERSION",
    "pulumi-language-nodejs": "PULUMI_NODEJS_VERSION",
    "pulumi-resource-kubernetes": "PULUMI_KUBERNETES_VERSION",
    "otelcol": "OTELCOL_VERSION",
    "otelcol-loadgen": "OTELCOL_VERSION",
    istioctl: "ISTIO_VERSION",
    "fluent-bit": "FLUENT_BIT_VERSION",
};

export function engineVersion(engine: EngineName): string {
    const v = readVersions()[VERSION_KEY[engine]];
    if (!v) throw new Error(`${VERSION_KEY[engine]} is not set in ${VERSIONS_FILE}`);
    return v;
}

export const engineCacheDir = engineCache;

/** Same path scheme as build.sh: <cache>/<engine>-<version>/<engine>. */
export function enginePath(engine: EngineName): string {
    return path.join(engineCacheDir(), `${engine}-${engineVersion(engine)}`, engine);
}

function runBuild(engines: EngineName[]): Promise<void> {
    return new Promise((resolve, reject) => {
        // build.sh prints its progress on stderr; let it through so a cold build
        // (minutes) does not look like a hang.  Its stdout (the paths) is ignored.
        const child = spawn("bash", [BUILD_SCRIPT, ...engines], {
            cwd: REPO_ROOT,
            stdio: ["ignore", "ignore", "inherit"],
            env: process.env,
        });
        child.on("error", (err) => reject(new EngineUnavailableError(`cannot run ${BUILD_SCRIPT}: ${err.message}`)));
        child.on("exit", (code, signal) => {
            if (code === 0) resolve();
            else reject(new EngineUnavailableError(`${BUILD_SCRIPT} ${engines.join(" ")} failed (${signal ?? `exit ${code}`}); see its output above`));
        });
    });
}

// One build at a time per process; concurrent callers share it.
let pendingBuild: Promise<void> = Promise.resolve();

/**
 * Returns the paths of the named engines, running build.sh for the missing
 * ones.  Throws EngineUnavailableError if they cannot be had.
 */
export async function ensureEngines<E extends EngineName>(engines: readonly E[]): Promise<Record<E, string>> {
    const missing = (): E[] => engines.filter((e) => !isExecutable(enginePath(e)));
    if (missing().length > 0) {
        if (process.env["BULWARK_ENGINES_NO_BUILD"] === "1") {
            throw new EngineUnavailableError(
                `engine binaries missing (${missing().map(enginePath).join(", ")}) and BULWARK_ENGINES_NO_BUILD=1; ` + `run tools/engines/build.sh`,
            );
        }
        const build = pendingBuild.then(async () => {
            const still = missing();
            if (still.length > 0) await runBuild(still);
        });
        pendingBuild = build.catch(() => undefined);
        await build;
        const after = missing();
        if (after.length > 0) {
            throw new EngineUnavailableError(`build.sh succeeded but ${after.map(enginePath).join(", ")} missing`);
        }
    }
    const out = {} as Record<E, string>;
    for (const e of engines) out[e] = enginePath(e);
    return out;
}

/**
 * For a mocha before() hook: under CI=true rethrow (fail the suite), otherwise
 * print the reason and skip the suite.  Never returns.
 */
export function skipOrFail(ctx: { skip(): never } | { skip(): void }, reason: unknown): never {
    const message = reason instanceof Error ? reason.message : String(reason);
    if (isCI()) {
        throw reason instanceof Error ? reason : new Error(message);
    }
    // eslint-disable-next-line no-console
    console.warn(`      skipping: ${message}`);
    ctx.skip();
    throw new Error("unreachable: skip() returned");
}

export type { ProcessResult } from "../../../cli/local/processes";

/** Runs an engine binary to completion, collecting its output; killed after `timeoutMs` (default 5 minutes). */
export function runProcess(bin: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
    return runLocalProcess(bin, args, { ...opts, timeoutMs: opts.timeoutMs ?? 300_000 });
}
