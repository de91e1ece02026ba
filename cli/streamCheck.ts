import { crossObjectCatalog } from "../components/guardrails/catalog";
import { CatalogResourceGuardrails } from "../components/guardrails/crossguard";
import type { PlatformSettings } from "../components/settings";
import { CheckViolation, enforcementLevelOf, inputGuardrailConfig, resourceViolations, stackViolations } from "./check";
import { InputProblem, ManifestObject, parseDocuments, readBuffers, shiftIndex } from "./input";

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

/** Byte offsets where the file's YAML documents start (`---` at a line start), or undefined when the file is not cut. */
export function documentStarts(bytes: Buffer): number[] | undefined {
    // A directive belongs to the document after it; a lone CR is a line break to YAML but not here.
    if (bytes[0] === 0x25 || bytes.indexOf("\n%") !== -1) return undefined;
    for (let at = bytes.indexOf(carriageReturn); at !== -1; at = bytes.indexOf(carriageReturn, at + 1)) {
        if (bytes[at + 1] !== lineFeed) return undefined;
    }
    const starts = [0];
    for (let at = bytes.indexOf("\n---"); at !== -1; at = bytes.indexOf("\n---", at + 1)) {
        const after = bytes[at + 4];
        if (after === undefined || after === 0x20 || after === 0x09 || after === lineFeed || after === carriageReturn) starts.push(at + 1);
    }
    return starts;
}

/** Indexes of the documents (by start offset) whose bytes contain any of `needles`. */
function documentsContaining(bytes: Buffer, starts: readonly number[], needles: readonly string[]): Set<number> {
    const found = new Set<number>();
    let document = 0;
    for (const needle of needles) {
        document = 0;
        for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
            while (document + 1 < starts.length && starts[document + 1] <= at) document++;
            found.add(document);
        }
    }
    return found;
}

type Parsed = ReturnType<typeof parseDocuments>;

interface FileState {
    readonly file: string;
    readonly bytes: Buffer;
    readonly starts: readonly number[];
    /** Documents parsed by the pre-pass, by document number. */
    readonly early: Map<number, Parsed>;
    /** Why the file cannot be parsed (the whole file is then reported, as the in-memory path does). */
    problem?: InputProblem;
}

function decode(state: FileState, document: number): string {
    const end = document + 1 < state.starts.length ? state.starts[document + 1] : state.bytes.length;
    return state.bytes.toString("utf8", state.starts[document], end);
}

/** The in-memory path's report for a file that does not parse: js-yaml's message on the whole text. */
function wholeFileProblem(file: string, bytes: Buffer): InputProblem | undefined {
    try {
        parseDocuments(bytes.toString("utf8"), file);
        return undefined;
    } catch (error) {
        return { file, reason: `cannot parse: ${(error as Error).message.split("\n")[0]}` };
    }
}

/**
 * Violations and input problems of `sources`, document by document; `undefined` when the input
 * needs the in-memory path (see above).
 */
export function checkStreaming(sources: readonly string[], settings: PlatformSettings | undefined, readStdin?: () => Buffer): { violations: CheckViolation[]; problems: InputProblem[] } | undefined {
    const inputs = readBuffers(sources, readStdin);
    const states: (FileState | InputProblem)[] = [];
    const namespaces: ManifestObject[] = [];
    for (const input of inputs) {
        if (input.content === undefined) {
            states.push(input.problem!);
            continue;
        }
        const starts = documentStarts(input.content);
        if (starts === undefined) return undefined;
        const state: FileState = { file: input.file, bytes: input.content, starts, early: new Map() };
        const candidates = documentsContaining(input.content, starts, ["Namespace", "\\"]);
        for (let document = 0; document < starts.length && state.problem === undefined; document++) {
            if (!candidates.has(document)) continue;
            try {
                state.early.set(document, parseDocuments(decode(state, document), state.file));
            } catch {
                state.problem = wholeFileProblem(state.file, state.bytes);
                if (state.problem === undefined) return undefined;
            }
        }
        if (state.problem === undefined) {
            for (const parsed of state.early.values()) for (const manifest of parsed.objects) if (manifest.object.kind === "Namespace") namespaces.push(manifest);
        }
        states.push(state);
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
        if (!("bytes" in state)) {
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
        for (let document = 0; document < state.starts.length; document++) {
            let parsed = state.early.get(document);
            if (parsed === undefined) {
                try {
                    parsed = parseDocuments(decode(state, document), state.file, documentIndex);
                } catch {
                    failed = true;
                    break;
                }
            } else if (documentIndex > 0) {
                // Parsed early as if it were the file's first document: shift the indexes.
                const offset = documentIndex;
                parsed = { documents: parsed.documents, objects: parsed.objects.map((manifest) => ({ ...manifest, documentIndex: shiftIndex(manifest.documentIndex, offset) })) };
            }
            documentIndex += parsed.documents;
            for (const violation of resourceViolations(parsed.objects, config, enforcementLevel, catalog)) fileViolations.push(violation);
            for (const manifest of parsed.objects) if (sharedKinds.has(String(manifest.object.kind))) fileShared.push(manifest);
        }
        if (failed) {
            // Its Namespaces, if any, are already in the config; the in-memory path would not count them.
            if (state.early.size > 0) return undefined;
            const problem = wholeFileProblem(state.file, state.bytes);
            if (problem === undefined) return undefined;
            problems.push(problem);
            continue;
        }
        for (const violation of fileViolations) violations.push(violation);
        for (const manifest of fileShared) shared.push(manifest);
    }
    for (const violation of stackViolations(shared, enforcementLevel)) violations.push(violation);
    return { violations, problems };
}
