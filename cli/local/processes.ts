// Engine processes of the local control plane: spawning (under a watchdog unless detached),
// stopping, free loopback ports and readiness polling.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { EngineUnavailableError } from "./engines";

export interface Running {
    procs: ChildProcess[];
    dir: string;
}
export const running = new Set<Running>();
let cleanupInstalled = false;

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
    if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
    try {
        process.kill(-p.pid, signal); // detached => own process group
    } catch {
        try {
            p.kill(signal);
        } catch {
            /* already gone */
        }
    }
}

function cleanupSync(): void {
    for (const r of running) {
        for (const p of r.procs) killGroup(p, "SIGKILL");
        try {
            fs.rmSync(r.dir, { recursive: true, force: true });
        } catch {
            /* best effort */
        }
    }
    running.clear();
}

export function installCleanup(): void {
    if (cleanupInstalled) return;
    cleanupInstalled = true;
    process.on("exit", cleanupSync);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        const handler = (): void => {
            cleanupSync();
            process.removeListener(sig, handler);
            // If nobody else (e.g. mocha) handles the signal, die of it as usual.
            if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
        };
        process.on(sig, handler);
    }
}

// Runs "$@" and kills it when the parent Node process ($1) is gone; then, if
// the parent is gone, also removes the run's temp dir ($2).  "Gone" is checked
// as "this watchdog was re-parented" (works even while the dead parent is an
// unreaped zombie), falling back to kill -0 where /proc is unavailable.
const WATCHDOG = [
    "parent=$1; dir=$2; shift 2",
    "parent_alive() {",
    '  if [ -r /proc/$$/stat ]; then read -r _ _ _ pp _ < /proc/$$/stat; [ "$pp" = "$parent" ];',
    '  else kill -0 "$parent" 2>/dev/null; fi',
    "}",
    '"$@" & child=$!',
    "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT HUP",
    'while parent_alive && kill -0 "$child" 2>/dev/null; do sleep 1; done',
    'kill -TERM "$child" 2>/dev/null',
    'wait "$child"; rc=$?',
    'if ! parent_alive; then sleep 2; rm -rf -- "$dir"; fi',
    "exit $rc",
].join("\n");

export function spawnEngine(bin: string, args: string[], logFile: string, dir: string, detached = false): ChildProcess {
    const fd = fs.openSync(logFile, "a");
    try {
        // A detached engine (the persistent local control plane) must outlive this process: no watchdog.
        if (detached) {
            const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd] });
            child.unref();
            return child;
        }
        return spawn("bash", ["-c", WATCHDOG, "bulwark-engine-watchdog", String(process.pid), dir, bin, ...args], {
            detached: true,
            stdio: ["ignore", fd, fd],
        });
    } finally {
        fs.closeSync(fd);
    }
}

function exited(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => p.once("exit", () => resolve()));
}

export async function stopProcs(procs: ChildProcess[]): Promise<void> {
    for (const p of procs) killGroup(p, "SIGTERM");
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10_000).unref());
    if ((await Promise.race([Promise.all(procs.map(exited)), timeout])) === "timeout") {
        for (const p of procs) killGroup(p, "SIGKILL");
        await Promise.all(procs.map(exited));
    }
}

/** n distinct free loopback ports (all held open until all are found). */
export async function freePorts(n: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        const ports: number[] = [];
        for (let i = 0; i < n; i++) {
            const srv = net.createServer();
            servers.push(srv);
            ports.push(
                await new Promise<number>((resolve, reject) => {
                    srv.once("error", reject);
                    srv.listen(0, "127.0.0.1", () => {
                        const addr = srv.address();
                        if (typeof addr === "object" && addr) resolve(addr.port);
                        else reject(new Error("no port"));
                    });
                }),
            );
        }
        return ports;
    } finally {
        await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function tail(file: string, lines = 40): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

export function httpGetStatus(url: string): Promise<number> {
    return new Promise((resolve) => {
        const req = http.get(url, { timeout: 2000 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** Throws if proc exits while waiting; polls check() until it is true. */
export async function waitUntil(
    what: string,
    check: () => Promise<boolean>,
    procs: { name: string; proc: ChildProcess; log: string }[],
    timeoutMs: number,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        for (const { name, proc, log } of procs) {
            if (proc.exitCode !== null || proc.signalCode !== null) {
                throw new EngineUnavailableError(
                    `${name} exited (${proc.signalCode ?? `code ${proc.exitCode}`}) while waiting for ${what}; ` + `last lines of ${log}:\n${tail(log)}`,
                );
            }
        }
        if (await check()) return;
        if (Date.now() > deadline) {
            const logs = procs.map(({ name, log }) => `--- ${name} (${log}):\n${tail(log, 20)}`).join("\n");
            throw new EngineUnavailableError(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs}`);
        }
        await sleep(250);
    }
}

export interface ProcessResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a binary to completion, collecting its output (and echoing it to `echo` when given). */
export function runProcess(
    bin: string,
    args: readonly string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; echo?: NodeJS.WritableStream } = {},
): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(bin, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => (out.push(chunk), opts.echo?.write(chunk)));
        child.stderr.on("data", (chunk: Buffer) => (err.push(chunk), opts.echo?.write(chunk)));
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 900_000);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(error);
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({
                code: code ?? (signal ? 128 : 1),
                stdout: Buffer.concat(out).toString("utf8"),
                stderr: Buffer.concat(err).toString("utf8") + (signal ? `\n(${path.basename(bin)} killed by ${signal})` : ""),
            });
        });
    });
}
