import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import type { PlatformSettings } from "../components/settings";
import { crossObjectCatalog } from "../components/guardrails/catalog";
import { EnforcementLevel, GuardrailPolicyConfig } from "../components/guardrails/policyConfig";
import { CheckViolation, enforcementLevelOf, inputGuardrailConfig, resourceViolations, stackViolations } from "./check";
import { InputText, ManifestObject, parseDocuments, shiftIndex } from "./input";

/*
 * `check` over threads (opt-in, see workerCount), for inputs large enough to pay for starting
 * workers (each worker loads the catalog again). The input is cut at YAML document markers into one
 * contiguous run of chunks per thread; the main thread takes the first run itself, so n threads
 * start n - 1 workers. Phase 1: workers parse and send back what the whole input must see (Namespace labels,
 * objects of cross-object guardrails). Phase 2: they evaluate the resource guardrails with the config
 * the main thread derived, exactly as the single-threaded path does; the results are put back in
 * input order, so the output is the same byte for byte.
 */

/** Below this much YAML, one thread is faster: a worker's start-up costs about a thousand objects' work. */
export const parallelThresholdBytes = 2 * 1024 * 1024;

export interface WorkerChunk {
    readonly file: string;
    readonly text: string;
}
export interface Phase1Reply {
    readonly documents: number[];
    readonly shared: ManifestObject[][];
}
export interface Phase2Request {
    readonly config: GuardrailPolicyConfig;
    readonly enforcementLevel: EnforcementLevel;
}
export type Phase2Reply = CheckViolation[][];

/** Phase 1 on one run of chunks: parse, and pick out what the whole input must see. */
export function parseChunks(chunks: readonly WorkerChunk[], sharedKinds: readonly string[]): { parsed: ReturnType<typeof parseDocuments>[]; reply: Phase1Reply } {
    const parsed = chunks.map((chunk) => parseDocuments(chunk.text, chunk.file));
    return {
        parsed,
        reply: {
            documents: parsed.map((chunk) => chunk.documents),
            shared: parsed.map((chunk) => chunk.objects.filter(({ object }) => object.kind === "Namespace" || sharedKinds.includes(String(object.kind)))),
        },
    };
}

/** Phase 2 on one run of parsed chunks: the resource guardrails, with the config of the whole input. */
export function evaluateChunks(parsed: readonly ReturnType<typeof parseDocuments>[], request: Phase2Request): Phase2Reply {
    return parsed.map((chunk) => resourceViolations(chunk.objects, request.config, request.enforcementLevel));
}

/** A line `---` (optionally followed by content) starts a YAML document, even inside a block scalar. */
const documentMarker = /^---(?=[ \t\r\n]|$)/gm;

/** Cuts one file's text at document markers into about `parts` chunks of similar size. */
export function splitAtDocuments(text: string, parts: number): string[] {
    // A directive (`%YAML`) belongs to the document after it; such rare input is not cut.
    if (parts < 2 || /^%/m.test(text)) return [text];
    const cuts: number[] = [];
    let next = 1;
    for (const match of text.matchAll(documentMarker)) {
        if (next >= parts) break;
        if (match.index! >= (text.length * next) / parts) {
            cuts.push(match.index!);
            next++;
        }
    }
    return [0, ...cuts].map((start, index) => text.slice(start, index < cuts.length ? cuts[index] : text.length)).filter((chunk, index) => index === 0 || chunk.length > 0);
}

/**
 * Worker threads, opt-in with `BULWARK_CHECK_THREADS=<n>` (at most the cores there are). Off by
 * default: on the loaded 2-core machine this was measured on, two workers cost more CPU and wall
 * time than one thread (README "Benchmarks").
 */
export function workerCount(): number {
    const requested = Number(process.env.BULWARK_CHECK_THREADS ?? 1);
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    return Number.isInteger(requested) && requested > 1 ? Math.min(requested, cores) : 1;
}

function request<T>(worker: Worker, message?: Phase2Request): Promise<T> {
    return new Promise((resolve, reject) => {
        const cleanup = () => worker.removeAllListeners("error").removeAllListeners("exit");
        worker.once("message", (reply: T) => (cleanup(), resolve(reply)));
        worker.once("error", (error) => (cleanup(), reject(error)));
        worker.once("exit", (code) => (cleanup(), reject(new Error(`check worker exited with code ${code}`))));
        if (message !== undefined) worker.postMessage(message);
    });
}

/**
 * Violations of readable inputs, computed over worker threads, or `undefined` when the input is too
 * small, threads are off (the default) or the machine has one core, or a chunk does not parse (the caller then runs the single-threaded
 * path, which reports the unparseable file as a whole).
 */
export async function checkInParallel(texts: readonly InputText[], settings: PlatformSettings | undefined): Promise<CheckViolation[] | undefined> {
    const workerScript = path.join(__dirname, "checkWorker.js");
    const readable = texts.filter((input): input is InputText & { text: string } => input.text !== undefined);
    const bytes = readable.reduce((sum, input) => sum + input.text.length, 0);
    const workers = workerCount();
    if (bytes < parallelThresholdBytes || workers < 2 || !fs.existsSync(workerScript)) return undefined;

    // Chunks in input order; each worker takes a contiguous run of about the same size.
    const chunks: WorkerChunk[] = readable.flatMap((input) => splitAtDocuments(input.text, Math.max(1, Math.round((input.text.length / bytes) * workers))).map((text) => ({ file: input.file, text })));
    const runs: WorkerChunk[][] = Array.from({ length: workers }, () => []);
    let taken = 0;
    for (const chunk of chunks) {
        runs[Math.min(workers - 1, Math.floor((taken * workers) / bytes))].push(chunk);
        taken += chunk.text.length;
    }
    const sharedKinds = [...new Set(crossObjectCatalog.flatMap((guardrail) => guardrail.kinds))];
    // Runs 1.. go to workers, started first so they load while the main thread parses run 0.
    const pool = runs
        .slice(1)
        .filter((run) => run.length > 0)
        .map((run) => ({ run, worker: new Worker(workerScript, { workerData: { chunks: run, sharedKinds } }) }));
    try {
        let local: ReturnType<typeof parseChunks>;
        try {
            local = parseChunks(runs[0], sharedKinds);
        } catch {
            return undefined;
        }
        let remote: Phase1Reply[];
        try {
            remote = await Promise.all(pool.map(({ worker }) => request<Phase1Reply>(worker)));
        } catch {
            return undefined;
        }
        const phase1 = [local.reply, ...remote];
        const allRuns = [runs[0], ...pool.map(({ run }) => run)];
        // Document offsets per chunk: documents of earlier chunks of the same file.
        const offsets: number[][] = [];
        const seen = new Map<string, number>();
        allRuns.forEach((run, workerIndex) => {
            offsets.push(
                run.map((chunk, chunkIndex) => {
                    const offset = seen.get(chunk.file) ?? 0;
                    seen.set(chunk.file, offset + phase1[workerIndex].documents[chunkIndex]);
                    return offset;
                }),
            );
        });
        const located = (manifest: ManifestObject, offset: number): ManifestObject => ({ ...manifest, documentIndex: shiftIndex(manifest.documentIndex, offset) });
        const shared = phase1.flatMap((reply, workerIndex) => reply.shared.flatMap((objects, chunkIndex) => objects.map((manifest) => located(manifest, offsets[workerIndex][chunkIndex]))));
        const enforcementLevel = enforcementLevelOf(settings);
        const config = inputGuardrailConfig(shared, settings);
        const pending = pool.map(({ worker }) => request<Phase2Reply>(worker, { config, enforcementLevel }));
        const phase2 = [evaluateChunks(local.parsed, { config, enforcementLevel }), ...(await Promise.all(pending))];
        const resource = phase2.flatMap((reply, workerIndex) =>
            reply.flatMap((violations, chunkIndex) => violations.map((violation) => ({ ...violation, documentIndex: shiftIndex(violation.documentIndex, offsets[workerIndex][chunkIndex]) }))),
        );
        return [...resource, ...stackViolations(shared, enforcementLevel)];
    } finally {
        await Promise.all(pool.map(({ worker }) => worker.terminate()));
    }
}
