import { spawnSync } from "child_process";

/**
 * Debian's `promtool` (package `prometheus`; `.ci/run` installs it). Returns its path, or skips the
 * calling test when it is absent outside CI; under CI=true a missing promtool fails the test.
 */
export function requirePromtool(context: Mocha.Context): string {
    const found = spawnSync("promtool", ["--version"], { encoding: "utf8" });
    if (found.status === 0) return "promtool";
    const message = "promtool is not on PATH: install Debian's 'prometheus' package (apt-get install prometheus)";
    if (process.env.CI === "true") throw new Error(message);
    // eslint-disable-next-line no-console
    console.warn(`      skipping: ${message}`);
    context.skip();
    return "promtool";
}

/** Runs promtool; resolves to its combined output, throwing with that output on a non-zero exit. */
export function runPromtool(promtool: string, args: readonly string[], cwd: string): string {
    const result = spawnSync(promtool, [...args], { cwd, encoding: "utf8", timeout: 60_000 });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    if (result.status !== 0) throw new Error(`promtool ${args.join(" ")} failed (exit ${result.status}):\n${output}`);
    return output;
}
