import * as fs from "fs";
import { Document, isCollection, isScalar, parseAllDocuments } from "yaml";
import { applyMutations, describePath } from "../components/guardrails/mutations/apply";
import { mutationCatalog } from "../components/guardrails/mutations/catalog";
import { MutationChange, MutationContext, MutationDefinition, MutationValue } from "../components/guardrails/mutations/types";
import { InputProblem, listFiles } from "./input";

/** One field `fix` set, where, and on what. */
export interface FixChange {
    readonly file: string;
    readonly documentIndex: string;
    readonly kind: string;
    readonly namespace: string | null;
    readonly name: string;
    readonly mutation: string;
    /** Readable path, e.g. `spec.template.spec.containers[web].securityContext.allowPrivilegeEscalation`. */
    readonly field: string;
    readonly value: MutationValue;
}

/** `{a: {b: value}}` for the rest of a path below its first missing level. */
function nested(path: readonly (string | number)[], value: MutationValue): unknown {
    return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/**
 * Writes one change into a YAML document, keeping its comments and layout: the value goes at the
 * first level that is missing (or an explicit null), wrapped in the maps below it.
 */
function setInDocument(document: Document, prefix: readonly (string | number)[], change: MutationChange): void {
    const path = [...prefix, ...change.path];
    for (let depth = 1; depth <= path.length; depth++) {
        const node = document.getIn(path.slice(0, depth), true);
        if (node === undefined || (isScalar(node) && node.value === null)) {
            document.setIn(path.slice(0, depth), document.createNode(nested(path.slice(depth), change.value)));
            return;
        }
        if (!isCollection(node)) throw new Error(`cannot set ${path.join(".")}: ${path.slice(0, depth).join(".")} is not a mapping`);
    }
}

function metadataOf(object: Record<string, unknown>): { name?: string; namespace?: string } {
    const metadata = object.metadata;
    return metadata !== null && typeof metadata === "object" ? (metadata as { name?: string; namespace?: string }) : {};
}

/**
 * Applies every mutation to every object of one YAML text. Returns the new text (the input,
 * byte for byte, when nothing changed) and each field set.
 */
export function fixManifestText(text: string, file: string, context: MutationContext, mutations: readonly MutationDefinition[] = mutationCatalog): { text: string; changes: FixChange[] } {
    const documents = parseAllDocuments(text);
    if (!Array.isArray(documents)) return { text, changes: [] };
    const changes: FixChange[] = [];
    documents.forEach((document, index) => {
        if (document.errors.length > 0) throw new Error(`document ${index}: ${document.errors[0].message.split("\n")[0]}`);
        const value = document.toJS({ maxAliasCount: 100 }) as unknown;
        if (value === null || value === undefined) return;
        if (typeof value !== "object" || Array.isArray(value)) throw new Error(`document ${index} is not a mapping`);
        const root = value as Record<string, unknown>;
        const isList = typeof root.kind === "string" && root.kind.endsWith("List") && Array.isArray(root.items);
        const targets = isList
            ? (root.items as unknown[]).flatMap((item, itemIndex) => (item !== null && typeof item === "object" ? [{ object: item as Record<string, unknown>, prefix: ["items", itemIndex], label: `${index}.items[${itemIndex}]` }] : []))
            : [{ object: root, prefix: [] as (string | number)[], label: String(index) }];
        for (const target of targets) {
            const result = applyMutations(target.object, context, mutations);
            const metadata = metadataOf(target.object);
            for (const change of result.changes) {
                setInDocument(document, target.prefix, change);
                changes.push({
                    file,
                    documentIndex: target.label,
                    kind: String(target.object.kind),
                    namespace: metadata.namespace ?? null,
                    name: metadata.name ?? "",
                    mutation: change.mutation,
                    field: describePath(result.object, change.path),
                    value: change.value,
                });
            }
        }
    });
    if (changes.length === 0) return { text, changes };
    return { text: documents.map((document) => document.toString({ lineWidth: 0, flowCollectionPadding: false })).join(""), changes };
}

export interface FixResult {
    /** Per input file (or `<stdin>`): its new text, and whether it changed. */
    readonly outputs: { file: string; text: string; changed: boolean }[];
    readonly changes: FixChange[];
    readonly problems: InputProblem[];
}

/** `bulwark fix` on files, directories and `-` (stdin). Unreadable input is reported, not thrown. */
export function fixSources(sources: readonly string[], context: MutationContext, readStdin: () => string = () => fs.readFileSync(0, "utf8")): FixResult {
    const result: FixResult = { outputs: [], changes: [], problems: [] };
    const fixInto = (text: string, file: string) => {
        try {
            const fixed = fixManifestText(text, file, context);
            result.outputs.push({ file, text: fixed.text, changed: fixed.changes.length > 0 });
            result.changes.push(...fixed.changes);
        } catch (error) {
            result.problems.push({ file, reason: `cannot parse: ${(error as Error).message.split("\n")[0]}` });
        }
    };
    for (const source of sources) {
        if (source === "-") {
            fixInto(readStdin(), "<stdin>");
            continue;
        }
        let files: string[];
        try {
            files = listFiles(source);
        } catch (error) {
            result.problems.push({ file: source, reason: `cannot read: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message}` });
            continue;
        }
        for (const file of files) {
            try {
                fixInto(fs.readFileSync(file, "utf8"), file);
            } catch (error) {
                result.problems.push({ file, reason: `cannot read: ${(error as Error).message}` });
            }
        }
    }
    return result;
}

/** One line per field set: `file#doc Kind ns/name: mutation: field = value`. */
export function formatFixChanges(changes: readonly FixChange[]): string {
    return changes
        .map((change) => `${change.file}#${change.documentIndex} ${change.kind} ${change.namespace ? `${change.namespace}/` : ""}${change.name}: ${change.mutation}: ${change.field} = ${JSON.stringify(change.value)}`)
        .join("\n");
}
