// Gatekeeper's gator CLI, built from its upstream Go module by
// tools/engines/build.sh (version pinned in tools/engines/versions.env).
//
//   const r = await runGatorVerify('test/engines/gator-suites/foo');
//   assert.equal(r.code, 0, r.stdout + r.stderr);

import { spawn } from "child_process";

import { ensureEngines } from "./engines";

export interface GatorResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Path of the gator binary, building it if missing (see engines.ts for the CI/skip policy). */
export async function gatorBinary(): Promise<string> {
    return (await ensureEngines(["gator"] as const)).gator;
}

/** Runs gator with the given arguments and collects its output. */
export async function runGator(args: string[], opts: { cwd?: string | undefined; timeoutMs?: number | undefined } = {}): Promise<GatorResult> {
    const bin = await gatorBinary();
    return new Promise((resolve, reject) => {
        const child = spawn(bin, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({
                code: code ?? (signal ? 128 : 1),
                stdout: Buffer.concat(out).toString("utf8"),
                stderr: Buffer.concat(err).toString("utf8") + (signal ? `\n(gator killed by ${signal})` : ""),
            });
        });
    });
}

/**
 * `gator verify <suiteDir>`: runs every Suite (kind: Suite, apiVersion
 * test.gatekeeper.sh/v1alpha1) found under suiteDir.  Exit code 0 = all passed.
 */
export function runGatorVerify(suiteDir: string, extraArgs: string[] = []): Promise<GatorResult> {
    return runGator(["verify", ...extraArgs, suiteDir]);
}
