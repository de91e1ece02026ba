import * as fs from "fs";
import { crossObjectCatalog } from "../components/guardrails/catalog";
import { CatalogResourceGuardrails } from "../components/guardrails/crossguard";
import type { PlatformSettings } from "../components/settings";
import { CheckViolation, enforcementLevelOf, inputGuardrailConfig, resourceViolations, stackViolations } from "./check";
import { InputProblem, ManifestObject, parseDocuments, readInputs, shiftIndex } from "./input";

/*
 * `check`'s default path: each file is cut at its YAML document markers, and each document is
 * parsed, checked and dropped in turn, so the process never holds the whole input as objects (most
 * of the garbage collector's work on large inputs) and never decodes it into one large string.
 *
 * Two things need the whole input first, and get it from a cheap pre-pass:
 * - Namespace labels set the Pod Security level of every object in the namespace. Only documents
 *   whose bytes contain `Namespace` (or a backslash, which could spell it in an escape) can hold a
 *   Namespace, so only those are parsed before the rest is checked.
 * - Cross-object guardrails see every object of their kinds, which are kept as they pass.
 *
 * The result is the in-memory path's (`checkObjects` over every parsed object) exactly, file for
 * file and byte for byte: `test/unit/stream-check.test.ts` compares the two. Where exactness would
 * take more than this path does (a YAML directive, a lone CR line break, a parse error in a file
 * whose Namespaces were already counted), it returns `undefined` and the caller takes the
 * in-memory path.
 */

const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const space = 0x20;
const tab = 0x09;
const backslash = 0x5c;
/** Needles as bytes: a string needle is encoded again on every search. */
const markerNeedle = Buffer.from("\n---");
const directiveNeedle = Buffer.from("\n%");
const namespaceNeedle = Buffer.from("Namespace");

/** Where a file's bytes come from: a path, read in chunks, or bytes already in memory (stdin). */
export type ByteSource = { readonly path: string } | { readonly bytes: Buffer };

/** Bytes read from a file at a time (documents longer than this grow the buffer). */
const defaultChunkSize = 1 << 20;

/**
 * Calls `visit` with the bytes of each YAML document of `source` in turn (cut at `---` at a line
 * start, the marker line belonging to the document it opens) until `visit` returns false. A file
 * is read in chunks into one reused buffer: the bytes are a view into it, valid only during the
 * call. Reading a whole large file into one fresh buffer touched every page of it once more, and
 * first touches of memory were a visible part of `check`'s time (README "Benchmarks").
 * Returns the file's identity as it was read (size, modification time, inode), so a caller that
 * reads it twice can tell whether it changed in between.
 */
export function forEachDocument(source: ByteSource, visit: (bytes: Buffer, offset: number) => boolean, chunkSize = defaultChunkSize): string {
    if ("bytes" in source) {
        cutDocuments(source.bytes, source.bytes.length, true, 0, 0, visit);
        return "";
    }
    let searchFrom = 0;
    return readInChunks(source.path, chunkSize, (view, base, eof) => {
        const cut = cutDocuments(view, view.length, eof, searchFrom, base, visit);
        if (cut.stopped) return -1;
        searchFrom = cut.searchFrom - cut.rest;
        return cut.rest;
    });
}

/**
 * Calls `visit` with runs of whole documents of `source` (each run starts where a document starts,
 * at `offset` in the file, and ends where one ends) until `visit` returns false: what a search for
 * bytes anywhere in the input needs, without cutting every document. Returns the file's identity
 * like {@link forEachDocument}.
 */
export function forEachRun(source: ByteSource, visit: (run: Buffer, offset: number) => boolean, chunkSize = defaultChunkSize): string {
    if ("bytes" in source) {
        visit(source.bytes, 0);
        return "";
    }
    return readInChunks(source.path, chunkSize, (view, base, eof) => {
        if (eof) {
            visit(view, base);
            return -1;
        }
        // The last document read may go on in the next chunk: the run ends where it starts.
        const end = lastDocumentStart(view);
        if (end === 0) return 0;
        return visit(view.subarray(0, end), base) ? end : -1;
    });
}

/**
 * Reads the file at `path` in chunks into one reused buffer, handing `take` the bytes not yet taken
 * (`view`, at offset `base` in the file; `eof` once the whole file is read). `take` returns how many
 * leading bytes it has taken (the rest is handed again with the next chunk), or -1 to stop; the
 * buffer grows when `take` takes nothing of a full one. Returns the file's identity.
 */
function readInChunks(path: string, chunkSize: number, take: (view: Buffer, base: number, eof: boolean) => number): string {
    const fd = fs.openSync(path, "r");
    try {
        const identity = fileIdentity(fs.fstatSync(fd));
        let buffer: Buffer = Buffer.allocUnsafeSlow(Math.max(chunkSize, 4));
        let filled = 0;
        let position = 0;
        for (;;) {
            const read = fs.readSync(fd, buffer, filled, buffer.length - filled, position);
            position += read;
            filled += read;
            const eof = read === 0;
            const taken = take(filled === buffer.length ? buffer : buffer.subarray(0, filled), position - filled, eof);
            if (eof || taken < 0) return identity;
            if (taken === 0 && filled === buffer.length) buffer = grown(buffer, filled);
            else if (taken > 0) {
                buffer.copy(buffer, 0, taken, filled);
                filled -= taken;
            }
        }
    } finally {
        fs.closeSync(fd);
    }
}

/** A buffer twice as large holding `buffer[0, filled)`. */
function grown(buffer: Buffer, filled: number): Buffer {
    const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
    buffer.copy(larger, 0, 0, filled);
    return larger;
}

/** True when the byte after `---` makes it a document marker: white space or a line end (undefined: the input's end). */
function endsMarker(after: number | undefined): boolean {
    return after === undefined || after === space || after === tab || after === lineFeed || after === carriageReturn;
}

/** Where the last document of `view` starts, when a marker line decides it (0 when none does). */
function lastDocumentStart(view: Buffer): number {
    for (let at = view.lastIndexOf(markerNeedle); at !== -1; at = at > 0 ? view.lastIndexOf(markerNeedle, at - 1) : -1) {
        // The byte after `---` decides whether it is a marker; past the bytes read, it is not known yet.
        if (at + 4 >= view.length) continue;
        if (endsMarker(view[at + 4])) return at + 1;
    }
    return 0;
}

function fileIdentity(stat: fs.Stats): string {
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/**
 * Visits the complete documents in `buffer[0, filled)` (all of them at the end of the input), with
 * their offsets in the file (`base` is the buffer's). Returns where the unfinished rest starts and
 * where to resume searching for a marker.
 */
function cutDocuments(
    buffer: Buffer,
    filled: number,
    eof: boolean,
    searchFrom: number,
    base: number,
    visit: (bytes: Buffer, offset: number) => boolean,
): { rest: number; searchFrom: number; stopped: boolean } {
    const view = filled === buffer.length ? buffer : buffer.subarray(0, filled);
    let start = 0;
    let from = searchFrom;
    for (;;) {
        const at = view.indexOf(markerNeedle, from);
        if (at === -1 || (at + 4 >= filled && !eof)) {
            if (!eof) return { rest: start, searchFrom: at === -1 ? Math.max(start, filled - 3) : at, stopped: false };
            visit(view.subarray(start, filled), base + start);
            return { rest: filled, searchFrom: filled, stopped: true };
        }
        from = at + 1;
        if (endsMarker(at + 4 < filled ? view[at + 4] : undefined)) {
            if (visit(view.subarray(start, at + 1), base + start) === false) return { rest: start, searchFrom: from, stopped: true };
            start = at + 1;
        }
    }
}

/**
 * True when cutting at markers would not give YAML's documents: a directive belongs to the document
 * after it, and a lone CR is a line break to YAML but not to the cutter.
 */
function notCuttable(bytes: Buffer, atFileStart: boolean): boolean {
    // Only the first document can start with `%`: every later one starts with its `---`.
    if ((atFileStart && bytes[0] === 0x25) || bytes.indexOf(directiveNeedle) !== -1) return true;
    for (let at = bytes.indexOf(carriageReturn); at !== -1; at = bytes.indexOf(carriageReturn, at + 1)) {
        if (bytes[at + 1] !== lineFeed) return true;
    }
    return false;
}

/** Byte offsets where the documents of `bytes` start, or undefined when the bytes are not cut (see {@link notCuttable}). */
export function documentStarts(bytes: Buffer): number[] | undefined {
    const starts: number[] = [];
    let cuttable = true;
    forEachDocument({ bytes }, (document, offset) => {
        if (notCuttable(document, offset === 0)) return (cuttable = false);
        starts.push(offset);
        return true;
    });
    return cuttable ? starts : undefined;
}

type Parsed = ReturnType<typeof parseDocuments>;

interface FileState {
    readonly file: string;
    readonly source: ByteSource;
    /** The file's identity when the pre-pass read it (see {@link forEachDocument}). */
    readonly identity: string;
    /** Documents parsed by the pre-pass, by their offset in the file. */
    readonly early: Map<number, Parsed>;
    /** Why the file cannot be parsed (the whole file is then reported, as the in-memory path does). */
    problem?: InputProblem;
}

function wholeBytes(source: ByteSource): Buffer {
    return "bytes" in source ? source.bytes : fs.readFileSync(source.path);
}

/** The in-memory path's report for a file that does not parse: js-yaml's message on the whole text. */
function wholeFileProblem(file: string, source: ByteSource): InputProblem | undefined {
    try {
        parseDocuments(wholeBytes(source).toString("utf8"), file);
        return undefined;
    } catch (error) {
        return { file, reason: `cannot parse: ${(error as Error).message.split("\n")[0]}` };
    }
}

/** Thrown out of a pass when the input needs the in-memory path. */
const declined: unique symbol = Symbol("the in-memory path takes this input");

/**
 * Violations and input problems of `sources`, document by document; `undefined` when the input
 * needs the in-memory path (see above).
 */
export function checkStreaming(
    sources: readonly string[],
    settings: PlatformSettings | undefined,
    options: { readonly readStdin?: () => Buffer; readonly chunkSize?: number } = {},
): { violations: CheckViolation[]; problems: InputProblem[] } | undefined {
    try {
        return streamed(sources, settings, options.readStdin ?? (() => fs.readFileSync(0)), options.chunkSize ?? defaultChunkSize);
    } catch (error) {
        if (error === declined) return undefined;
        throw error;
    }
}

/** True when `bytes` may hold a Namespace: it contains `Namespace`, or a backslash, which could spell it in an escape. */
function mayHoldNamespace(bytes: Buffer): boolean {
    return bytes.indexOf(namespaceNeedle) !== -1 || bytes.indexOf(backslash) !== -1;
}

function streamed(sources: readonly string[], settings: PlatformSettings | undefined, readStdin: () => Buffer, chunkSize: number): { violations: CheckViolation[]; problems: InputProblem[] } {
    const inputs = readInputs<ByteSource>(sources, (file) => ({ path: file }), () => ({ bytes: readStdin() }));
    const states: (FileState | InputProblem)[] = [];
    const namespaces: ManifestObject[] = [];
    for (const input of inputs) {
        if (input.content === undefined) {
            states.push(input.problem!);
            continue;
        }
        const { file, content: source } = input;
        const early = new Map<number, Parsed>();
        let problem: InputProblem | undefined;
        let identity: string;
        try {
            // The pre-pass searches runs of whole documents at once, and cuts only a run that has a match.
            identity = forEachRun(
                source,
                (run, runOffset) => {
                    if (notCuttable(run, runOffset === 0)) throw declined;
                    if (!mayHoldNamespace(run)) return true;
                    cutDocuments(run, run.length, true, 0, runOffset, (bytes, offset) => {
                        if (!mayHoldNamespace(bytes)) return true;
                        try {
                            early.set(offset, parseDocuments(bytes.toString("utf8"), file));
                            return true;
                        } catch {
                            problem = wholeFileProblem(file, source);
                            if (problem === undefined) throw declined;
                            return false;
                        }
                    });
                    return problem === undefined;
                },
                chunkSize,
            );
        } catch (error) {
            if (error === declined) throw error;
            states.push({ file, reason: `cannot read: ${(error as Error).message}` });
            continue;
        }
        if (problem === undefined) {
            for (const parsed of early.values()) for (const manifest of parsed.objects) if (manifest.object.kind === "Namespace") namespaces.push(manifest);
        }
        states.push({ file, source, identity, early, problem });
    }

    const config = inputGuardrailConfig(namespaces, settings);
    const enforcementLevel = enforcementLevelOf(settings);
    const sharedKinds = new Set(crossObjectCatalog.flatMap((guardrail) => guardrail.kinds));
    // One evaluator for the whole input: each object is checked once and then dropped.
    const catalog = new CatalogResourceGuardrails();
    const violations: CheckViolation[] = [];
    const shared: ManifestObject[] = [];
    const problems: InputProblem[] = [];
    for (const state of states) {
        if (!("source" in state)) {
            problems.push(state);
            continue;
        }
        if (state.problem !== undefined) {
            problems.push(state.problem);
            continue;
        }
        const fileViolations: CheckViolation[] = [];
        const fileShared: ManifestObject[] = [];
        let documentIndex = 0;
        let failed = false;
        let identity: string;
        try {
            identity = forEachDocument(state.source, (bytes, offset) => {
                let parsed = state.early.get(offset);
                if (parsed === undefined) {
                    try {
                        parsed = parseDocuments(bytes.toString("utf8"), state.file, documentIndex);
                    } catch {
                        failed = true;
                        return false;
                    }
                } else if (documentIndex > 0) {
                    // Parsed early as if it were the file's first document: shift the indexes.
                    const offset = documentIndex;
                    parsed = { documents: parsed.documents, objects: parsed.objects.map((manifest) => ({ ...manifest, documentIndex: shiftIndex(manifest.documentIndex, offset) })) };
                }
                documentIndex += parsed.documents;
                for (const violation of resourceViolations(parsed.objects, config, enforcementLevel, catalog)) fileViolations.push(violation);
                for (const manifest of parsed.objects) if (sharedKinds.has(String(manifest.object.kind))) fileShared.push(manifest);
                return true;
            }, chunkSize);
        } catch {
            // Unreadable now though read before: the in-memory path reads it once and reports it.
            throw declined;
        }
        // Changed since the pre-pass: its Namespaces may not be the ones counted.
        if (identity !== state.identity) throw declined;
        if (failed) {
            // Its Namespaces, if any, are already in the config; the in-memory path would not count them.
            if (state.early.size > 0) throw declined;
            const problem = wholeFileProblem(state.file, state.source);
            if (problem === undefined) throw declined;
            problems.push(problem);
            continue;
        }
        for (const violation of fileViolations) violations.push(violation);
        for (const manifest of fileShared) shared.push(manifest);
    }
    for (const violation of stackViolations(shared, enforcementLevel)) violations.push(violation);
    return { violations, problems };
}
