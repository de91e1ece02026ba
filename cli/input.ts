import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { compareStrings } from "./serialize";
import { loadSimpleDocument } from "./simpleYaml";

/** One Kubernetes object read from input, with where it came from. */
export interface ManifestObject {
    readonly file: string;
    /** Zero-based document index in the file; `3.items[1]` for an item of a `kind: List`. */
    readonly documentIndex: string;
    readonly object: Record<string, unknown>;
}

/** Input that could not be read or parsed, naming the file and why. */
export interface InputProblem {
    readonly file: string;
    readonly reason: string;
}

const manifestExtensions = new Set([".yaml", ".yml", ".json"]);

export function listFiles(source: string): string[] {
    const stat = fs.statSync(source);
    if (!stat.isDirectory()) return [source];
    return fs
        .readdirSync(source, { withFileTypes: true })
        .sort((a, b) => compareStrings(a.name, b.name))
        .flatMap((entry) => {
            const full = path.join(source, entry.name);
            if (entry.isDirectory()) return listFiles(full);
            return manifestExtensions.has(path.extname(entry.name).toLowerCase()) ? [full] : [];
        });
}

/**
 * The YAML schema of Kubernetes manifests as the API server reads them (sigs.k8s.io/yaml): the core
 * schema's scalars, plus `<<` merge keys. Unquoted timestamps stay strings, as they do in a Kubernetes
 * object (js-yaml's default schema would turn them into Date objects), and skipping the default
 * schema's timestamp, binary, set and omap resolvers makes parsing about 15% faster.
 */
// js-yaml 4 exports its built-in types as `types`; @types/js-yaml does not declare them.
const mergeKeys = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;
const manifestSchema = yaml.CORE_SCHEMA.extend({ implicit: [mergeKeys] });

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Shifts a part-local document index (`3`, `3.items[1]`) by the documents of the file's earlier parts. */
export function shiftIndex(documentIndex: string, offset: number): string {
    return documentIndex.replace(/^\d+/, (index) => String(Number(index) + offset));
}

/** Splits one file's text into objects; `kind: List` is expanded into its items. */
export function parseManifests(text: string, file: string): ManifestObject[] {
    return parseDocuments(text, file).objects;
}

/**
 * {@link parseManifests}, also counting the YAML documents (empty ones included). `firstIndex` is
 * the index of the text's first document in its file, when the text is one part of the file.
 */
export function parseDocuments(text: string, file: string, firstIndex = 0): { objects: ManifestObject[]; documents: number } {
    // js-yaml rather than `yaml`: about ten times faster on large inputs, and positions are not needed.
    // Most manifests are one document of the simple shape simpleYaml.ts reads exactly and fast; js-yaml reads the rest.
    const simple = loadSimpleDocument(text);
    const documents = simple !== undefined ? [simple] : yaml.loadAll(text, undefined, { filename: file, json: true, schema: manifestSchema });
    const objects: ManifestObject[] = [];
    documents.forEach((document, localIndex) => {
        const index = firstIndex + localIndex;
        if (document === null || document === undefined) return;
        if (!isObject(document)) throw new Error(`document ${index} is not a mapping`);
        if (document.kind === "List" || (typeof document.kind === "string" && document.kind.endsWith("List") && Array.isArray(document.items))) {
            const items = Array.isArray(document.items) ? document.items : [];
            items.forEach((item, itemIndex) => {
                if (!isObject(item)) throw new Error(`document ${index}: items[${itemIndex}] is not a mapping`);
                objects.push({ file, documentIndex: `${index}.items[${itemIndex}]`, object: item });
            });
            return;
        }
        objects.push({ file, documentIndex: String(index), object: document });
    });
    return { objects, documents: documents.length };
}

/**
 * Reads files, directories (recursively: .yaml, .yml, .json) and `-` for stdin. Unreadable or
 * unparseable input is reported, not thrown, so the rest is still checked.
 */
export function readManifests(sources: readonly string[], readStdin: () => string = () => fs.readFileSync(0, "utf8")): {
    objects: ManifestObject[];
    problems: InputProblem[];
} {
    return parseTexts(readTexts(sources, readStdin));
}

/** The text of every input, in order, or why it cannot be read. */
export interface InputText {
    readonly file: string;
    readonly text?: string;
    readonly problem?: InputProblem;
}

/** Parses what {@link readTexts} read; a file that does not parse is reported, not thrown. */
export function parseTexts(texts: readonly InputText[]): { objects: ManifestObject[]; problems: InputProblem[] } {
    const objects: ManifestObject[] = [];
    const problems: InputProblem[] = [];
    for (const { file, text, problem } of texts) {
        if (problem !== undefined) {
            problems.push(problem);
            continue;
        }
        try {
            for (const manifest of parseManifests(text ?? "", file)) objects.push(manifest);
        } catch (error) {
            problems.push({ file, reason: `cannot parse: ${(error as Error).message.split("\n")[0]}` });
        }
    }
    return { objects, problems };
}

/** Reads files, directories (recursively) and `-` for stdin, in order, without parsing them. */
export function readTexts(sources: readonly string[], readStdin: () => string = () => fs.readFileSync(0, "utf8")): InputText[] {
    return readInputs(sources, (file) => fs.readFileSync(file, "utf8"), readStdin).map(({ file, content, problem }) => (content === undefined ? { file, problem } : { file, text: content }));
}

/** Each source's files (directories recursively, `-` for stdin) with what `read` gives for it, or why it cannot be read. */
export function readInputs<T>(sources: readonly string[], read: (file: string) => T, readStdin: () => T): { file: string; content?: T; problem?: InputProblem }[] {
    const texts: { file: string; content?: T; problem?: InputProblem }[] = [];
    for (const source of sources) {
        if (source === "-") {
            texts.push({ file: "<stdin>", content: readStdin() });
            continue;
        }
        let files: string[];
        try {
            files = listFiles(source);
        } catch (error) {
            const reason = `cannot read: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message}`;
            texts.push({ file: source, problem: { file: source, reason } });
            continue;
        }
        for (const file of files) {
            try {
                texts.push({ file, content: read(file) });
            } catch (error) {
                texts.push({ file, problem: { file, reason: `cannot read: ${(error as Error).message}` } });
            }
        }
    }
    return texts;
}
