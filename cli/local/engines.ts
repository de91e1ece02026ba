// The engines the local front door runs (etcd, kube-apiserver, kube-controller-manager, the Pulumi
// CLI, its Node.js language host and the Kubernetes provider), located in and built into the same
// cache as the engine test tier by tools/engines/build.sh. build.sh's ENGINE_TABLE is the one source
// of each engine's version variable and cold build estimate; this module reads it rather than
// repeating it.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The repository root (this file runs from cli/local or dist/cli/local). */
export const repositoryRoot = [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")].find((dir) => fs.existsSync(path.join(dir, "Pulumi.yaml"))) ?? path.resolve(__dirname, "..", "..");
export const engineBuildScript = path.join(repositoryRoot, "tools", "engines", "build.sh");
const versionsFile = path.join(repositoryRoot, "tools", "engines", "versions.env");

/** An engine could not be located, built or started. */
export class EngineUnavailableError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "EngineUnavailableError";
    }
}

/** KEY=VALUE lines of tools/engines/versions.env. */
export function readEngineVersions(file: string = versionsFile): Record<string, string> {
    const versions: Record<string, string> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (match) versions[match[1]] = match[2].trim().replace(/^["']|["']$/g, "");
    }
    return versions;
}

export interface EngineRow {
    readonly name: string;
    readonly versionVariable: string;
    /** The cold build estimate, for example "about 6 min". */
    readonly coldEstimate: string;
}

/** The rows of build.sh's ENGINE_TABLE. */
export function engineTable(script: string = engineBuildScript): EngineRow[] {
    const text = fs.readFileSync(script, "utf8");
    const table = /ENGINE_TABLE='\n([\s\S]*?)\n'/.exec(text)?.[1];
    if (table === undefined) throw new EngineUnavailableError(`${script} has no ENGINE_TABLE`);
    return table
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length >= 6)
        .map((fields) => ({ name: fields[0], versionVariable: fields[2], coldEstimate: fields[5].replace(/_/g, " ") }));
}

export function engineCache(): string {
    return process.env.BULWARK_ENGINE_CACHE || path.join(os.homedir(), ".cache", "bulwark", "engines");
}

/** Same scheme as build.sh: <cache>/<engine>-<version>/<engine>. */
export function engineBinaryPath(engine: string, rows: readonly EngineRow[] = engineTable(), versions = readEngineVersions()): string {
    const row = rows.find((candidate) => candidate.name === engine);
    if (row === undefined) throw new EngineUnavailableError(`unknown engine ${engine} (not in ${engineBuildScript})`);
    const version = versions[row.versionVariable];
    if (!version) throw new EngineUnavailableError(`${row.versionVariable} is not set in ${versionsFile}`);
    return path.join(engineCache(), `${engine}-${version}`, engine);
}

export function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export interface EnsureOptions {
    /** Where build progress goes (build.sh's own log lines included). @default process.stderr */
    readonly progress?: NodeJS.WritableStream;
}

/** The sum of the rows' cold estimates, in minutes. */
export function coldMinutes(rows: readonly EngineRow[]): number {
    return rows.reduce((sum, row) => sum + Number(/(\d+) min/.exec(row.coldEstimate)?.[1] ?? 0), 0);
}

/** The engines not built yet, with their cold estimates; empty when everything is cached. */
export function missingEngines(engines: readonly string[]): EngineRow[] {
    const rows = engineTable();
    const versions = readEngineVersions();
    return engines.filter((engine) => !isExecutable(engineBinaryPath(engine, rows, versions))).map((engine) => rows.find((row) => row.name === engine)!);
}

/**
 * Paths of the named engines, building the missing ones with build.sh first. A cold build says up
 * front what it will build and how long each took on 2 cores, then streams build.sh's progress.
 */
export async function ensureEngines<E extends string>(engines: readonly E[], options: EnsureOptions = {}): Promise<Record<E, string>> {
    const progress = options.progress ?? process.stderr;
    const missing = missingEngines(engines);
    if (missing.length > 0) {
        progress.write(
            `building ${missing.length} engine(s) from their pinned Go modules (once; later runs reuse ${engineCache()}):\n` +
                missing.map((row) => `  ${row.name}: ${row.coldEstimate} with empty Go caches`).join("\n") +
                `\n  cold estimate: about ${coldMinutes(missing)} min on 2 cores with empty Go caches; with a warm Go build cache, seconds per engine.\n`,
        );
        const started = Date.now();
        await new Promise<void>((resolve, reject) => {
            const child = spawn("bash", [engineBuildScript, ...missing.map((row) => row.name)], { cwd: repositoryRoot, stdio: ["ignore", "ignore", "pipe"] });
            child.stderr.on("data", (chunk: Buffer) => progress.write(chunk));
            const ticker = setInterval(() => progress.write(`  ... still building (${Math.round((Date.now() - started) / 1000)} s)\n`), 60_000);
            child.on("error", (error) => {
                clearInterval(ticker);
                reject(new EngineUnavailableError(`cannot run ${engineBuildScript}: ${error.message}`));
            });
            child.on("exit", (code, signal) => {
                clearInterval(ticker);
                if (code === 0) resolve();
                else reject(new EngineUnavailableError(`${engineBuildScript} ${missing.map((row) => row.name).join(" ")} failed (${signal ?? `exit ${code}`}); see its output above`));
            });
        });
        const still = missingEngines(engines);
        if (still.length > 0) throw new EngineUnavailableError(`build.sh succeeded but ${still.map((row) => row.name).join(", ")} is still missing`);
    }
    const rows = engineTable();
    const versions = readEngineVersions();
    const paths = {} as Record<E, string>;
    for (const engine of engines) paths[engine] = engineBinaryPath(engine, rows, versions);
    return paths;
}
