/*
 * `check` start-up and throughput as a user meets them (whole process, compiled bin), then the same
 * corpus through the Kyverno CLI and gator. Prints figures and a Markdown table for the README.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot } from "../cli/local/engines";
import { ensureEngines } from "../test/engines/harness/engines";
import { agreement, measure, ProcessFigures, runCheck, runGator, runKyverno, Verdicts, writeCorpus } from "./peers";
import { deploymentCorpus, toYamlStream } from "./corpus";

const repoRoot = repositoryRoot;
const checkBin = path.join(repoRoot, "dist", "cli", "bulwark.js");

export function loadAverage(): string {
    return os
        .loadavg()
        .map((value) => value.toFixed(1))
        .join(" / ");
}

function envNumber(name: string, fallback: number): number {
    const value = Number(process.env[name] ?? fallback);
    return Number.isFinite(value) && value > 0 ? value : fallback;
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function spread(values: readonly number[], digits = 0, scale = 1): string {
    const scaled = values.map((value) => value * scale);
    return `median ${median(scaled).toFixed(digits)} (min ${Math.min(...scaled).toFixed(digits)}, max ${Math.max(...scaled).toFixed(digits)}, n=${values.length})`;
}

function startUp(dir: string, runs: number): number {
    const file = path.join(dir, "one-deployment.yaml");
    fs.writeFileSync(file, toYamlStream(deploymentCorpus(1)));
    const figures: ProcessFigures[] = [];
    for (let run = 0; run < runs; run++) figures.push(measure(process.execPath, [checkBin, "check", file], dir));
    const walls = figures.map((figure) => figure.wallSeconds);
    console.log(`check start-up, one Deployment (target < 400 ms wall), load ${loadAverage()}`);
    console.log(`  wall ms ${spread(walls, 0, 1000)}`);
    if (figures[0].cpuSeconds !== undefined) console.log(`  cpu ms  ${spread(figures.map((figure) => figure.cpuSeconds!), 0, 1000)}`);
    return median(walls);
}

function throughput(dir: string, count: number, runs: number, threads = 1): { wall: number; verdicts: Verdicts; figures: ProcessFigures } {
    const corpus = writeCorpus(dir, count);
    const results = Array.from({ length: runs }, () => runCheck(checkBin, corpus, dir, threads));
    const walls = results.map((result) => result.figures.wallSeconds);
    console.log(`check --stack prod, ${count} Deployments, whole process, ${threads === 1 ? "one thread (the default)" : `BULWARK_CHECK_THREADS=${threads}`} (target >= 10000 objects/s), load ${loadAverage()}`);
    console.log(`  objects/s ${spread(walls.map((wall) => count / wall))}`);
    if (results[0].figures.cpuSeconds !== undefined) console.log(`  objects per cpu-second ${spread(results.map((result) => count / result.figures.cpuSeconds!))}`);
    const chosen = results.find((result) => result.figures.wallSeconds === median(walls))!;
    return { wall: median(walls), verdicts: chosen.verdicts, figures: chosen.figures };
}

interface Row {
    readonly engine: string;
    readonly objects: number;
    readonly figures: ProcessFigures;
    readonly versusCheck: string;
    readonly agreement: string;
}

function rate(count: number, figures: ProcessFigures): number {
    return count / figures.wallSeconds;
}

async function peer(name: "kyverno" | "gator", count: number, dir: string): Promise<Row | string> {
    let bin: string;
    try {
        bin = (await ensureEngines([name]))[name];
    } catch (error) {
        return `${name}: not available (${(error as Error).message.split("\n")[0]})`;
    }
    const corpus = writeCorpus(dir, count);
    const check = runCheck(checkBin, corpus, dir);
    const policies = path.join(repoRoot, "policies", name === "kyverno" ? "kyverno" : "gatekeeper", "prod", "policies.yaml");
    const run = name === "kyverno" ? runKyverno(bin, policies, corpus, dir) : runGator(bin, policies, corpus, dir);
    const agreed = agreement(count, check.verdicts, run.verdicts);
    const ratio = rate(count, check.figures) / rate(count, run.figures);
    if (agreed.examples.length > 0) console.log(`  ${name} disagreements, first ${agreed.examples.length}: ${agreed.examples.join("; ")}`);
    return {
        engine: name === "kyverno" ? "Kyverno CLI (`kyverno apply`, ValidatingPolicy)" : "gator (`gator test`, ConstraintTemplate)",
        objects: count,
        figures: run.figures,
        versusCheck: `check ${ratio.toFixed(0)}x faster (check: ${rate(count, check.figures).toFixed(0)} objects/s, ${check.figures.peakRssMb?.toFixed(0) ?? "?"} MB on the same ${count})`,
        agreement: `${agreed.agreed}/${agreed.total} objects, same guardrails`,
    };
}

function tableRow(row: Row): string {
    const { figures } = row;
    return `| ${row.engine} | ${row.objects} | ${figures.wallSeconds.toFixed(2)} s | ${rate(row.objects, figures).toFixed(0)} | ${figures.peakRssMb?.toFixed(0) ?? "?"} MB | ${row.versusCheck} | ${row.agreement} |`;
}

export async function benchSideBySide(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-bench-peers-"));
    try {
        const startWall = startUp(dir, envNumber("BULWARK_BENCH_STARTUP_RUNS", 5));
        const objects = envNumber("BULWARK_BENCH_OBJECTS", 10000);
        const main = throughput(dir, objects, envNumber("BULWARK_BENCH_RUNS", 3));
        // The opt-in threaded path on the same corpus, for the side-by-side decision on its default.
        const threaded = os.availableParallelism() > 1 ? throughput(dir, objects, envNumber("BULWARK_BENCH_RUNS", 3), 2) : undefined;
        if (threaded !== undefined && (threaded.verdicts.size !== main.verdicts.size || [...threaded.verdicts].some(([key, guardrails]) => [...guardrails].sort().join() !== [...(main.verdicts.get(key) ?? [])].sort().join()))) {
            throw new Error("check with BULWARK_CHECK_THREADS=2 gave other verdicts than one thread");
        }
        // BULWARK_BENCH_PEERS: which peers to run, comma-separated (default both; `none` for neither).
        const peers = (process.env.BULWARK_BENCH_PEERS ?? "kyverno,gator").split(",").map((name) => name.trim());
        if (!peers.includes("kyverno") && !peers.includes("gator")) return;
        // Corpus sizes each peer finishes in reasonable time on this machine (override to compare larger).
        const rows: (Row | string)[] = [];
        if (peers.includes("kyverno")) rows.push(await peer("kyverno", envNumber("BULWARK_BENCH_KYVERNO_OBJECTS", 100), dir));
        if (peers.includes("gator")) rows.push(await peer("gator", envNumber("BULWARK_BENCH_GATOR_OBJECTS", 1000), dir));
        console.log(`\nside by side (same generated corpus, same rendered prod policies), load ${loadAverage()}:\n`);
        console.log("| engine | objects | wall | objects/s | peak RSS | versus check | verdicts agree with check |");
        console.log("|---|---|---|---|---|---|---|");
        console.log(`| \`bulwark check --stack prod\` | 1 | ${(startWall * 1000).toFixed(0)} ms | | | start-up, median | |`);
        console.log(
            `| \`bulwark check --stack prod\` | ${objects} | ${main.wall.toFixed(2)} s | ${(objects / main.wall).toFixed(0)} | ${main.figures.peakRssMb?.toFixed(0) ?? "?"} MB | | ${main.verdicts.size} objects flagged |`,
        );
        if (threaded !== undefined) {
            console.log(
                `| \`bulwark check --stack prod\`, BULWARK_CHECK_THREADS=2 | ${objects} | ${threaded.wall.toFixed(2)} s | ${(objects / threaded.wall).toFixed(0)} | ${threaded.figures.peakRssMb?.toFixed(0) ?? "?"} MB | | same verdicts as one thread |`,
            );
        }
        for (const row of rows) console.log(typeof row === "string" ? `| ${row} |` : tableRow(row));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
