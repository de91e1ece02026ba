// A small Pulumi program of test/engines/programs/ under the real Pulumi CLI: copied to a throw-away
// directory with the repository's node_modules linked in, a file backend and PULUMI_HOME beside it,
// and the same environment `bulwark up --local` uses (cli/local/pulumiWorkspace.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PulumiBinaries, pulumiEnvironment, PulumiWorkspace, runProcess } from "../../../cli/local/pulumiWorkspace";
import { REPO_ROOT } from "../harness/engines";

export async function openProgram(
    program: string,
    opts: { stateDir: string; binaries: PulumiBinaries; kubeconfig: string; stack: string; extraEnv?: Record<string, string> },
): Promise<PulumiWorkspace> {
    const dir = path.join(opts.stateDir, "program");
    fs.cpSync(path.join(REPO_ROOT, "test", "engines", "programs", program), dir, { recursive: true });
    for (const entry of ["node_modules", "package.json", "tsconfig.json"]) fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
    const env = pulumiEnvironment({ stateDir: opts.stateDir, binaries: opts.binaries, kubeconfig: opts.kubeconfig, passphrase: "test", extra: opts.extraEnv });
    const run = (args: readonly string[], runOpts: { echo?: NodeJS.WritableStream; timeoutMs?: number } = {}) =>
        runProcess(opts.binaries.pulumi, [...args, "--color", "never"], { cwd: dir, env, echo: runOpts.echo, timeoutMs: runOpts.timeoutMs ?? 900_000 });
    const backend = path.join(opts.stateDir, "backend");
    fs.mkdirSync(backend);
    for (const args of [["login", `file://${backend}`], ["stack", "init", opts.stack, "--non-interactive"]]) {
        const result = await run(args);
        assert.strictEqual(result.code, 0, `${result.stdout}\n${result.stderr}`);
    }
    return { dir, env, run };
}
