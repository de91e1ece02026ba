// Long-running engine processes for end-to-end tests (Fluent Bit, the collector, Prometheus): each
// binds 127.0.0.1 on a free port, its output is kept for failure messages, and it is killed when
// the test stops it or the test process exits.

import { ChildProcess, spawn } from "child_process";
import { freePorts } from "../../../cli/local/processes";

/** A free TCP port on 127.0.0.1 (the front door's own picker; bound and released). */
export const freePort = async (): Promise<number> => (await freePorts(1))[0];

export interface RunningProcess {
    readonly name: string;
    /** Everything it printed so far (stdout and stderr). */
    output(): string;
    /** The exit code once it exited on its own, else undefined. */
    exited(): number | null | undefined;
    stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
});

/** Starts a server process; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProcess(name: string, bin: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
    const child = spawn(bin, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const chunks: Buffer[] = [];
    let code: number | null | undefined;
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) =>
        child.on("close", (exitCode) => {
            code = exitCode;
            running.delete(child);
            resolve();
        }),
    );
    return {
        name,
        output: () => Buffer.concat(chunks).toString("utf8"),
        exited: () => code,
        stop: async () => {
            if (code !== undefined) return;
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await closed;
            clearTimeout(timer);
        },
    };
}

/** Polls `probe` until it returns a value (not undefined), failing with `describe()` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, describe: () => string = () => ""): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch {
            // not ready yet
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}
