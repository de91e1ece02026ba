// Gatekeeper's gator CLI, built from its upstream Go module by
// tools/engines/build.sh (version pinned in tools/engines/versions.env).
//
//   const r = await runGatorVerify('test/engines/gator-suites/foo');
//   assert.equal(r.code, 0, r.stdout + r.stderr);


import { ensureEngines, ProcessResult, runProcess } from "./engines";

export type GatorResult = ProcessResult;

/** Path of the gator binary, building it if missing (see engines.ts for the CI/skip policy). */
export async function gatorBinary(): Promise<string> {
    return (await ensureEngines(["gator"] as const)).gator;
}

/** Runs gator with the given arguments and collects its output. */
export async function runGator(args: string[], opts: { cwd?: string | undefined; timeoutMs?: number | undefined } = {}): Promise<GatorResult> {
    return runProcess(await gatorBinary(), args, opts);
}

/**
 * `gator verify <suiteDir>`: runs every Suite (kind: Suite, apiVersion
 * test.gatekeeper.sh/v1alpha1) found under suiteDir.  Exit code 0 = all passed.
 */
export function runGatorVerify(suiteDir: string, extraArgs: string[] = []): Promise<GatorResult> {
    return runGator(["verify", ...extraArgs, suiteDir]);
}
