// `check --format sarif`: SARIF 2.1.0, the format GitHub code scanning reads, so violations show
// inline in pull requests. Each violation becomes a result whose location is the file and the line
// where its object (or `kind: List` item) starts; input without a file (stdin) gets no location.
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseAllDocuments, isMap, isSeq } from "yaml";
import { catalog, crossObjectCatalog } from "../components/guardrails/catalog";
import { stackGuardrails } from "../components/guardrails/stack/catalog";
import type { CheckViolation } from "./check";
import type { InputProblem } from "./input";

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

/** The first line (1-based) of each object of one file, keyed by `check`'s document index. */
export type ObjectLines = ReadonlyMap<string, number>;

/**
 * Where each object of a manifest text starts. `yaml` rather than `js-yaml` because it keeps
 * source positions; it runs only for files that have a violation, so its cost does not matter.
 */
export function objectStartLines(text: string): ObjectLines {
    const lineCounter = new LineCounter();
    const lines = new Map<string, number>();
    parseAllDocuments(text, { lineCounter }).forEach((document, index) => {
        const contents = document.contents;
        // `check` reads mappings only; an empty document (a null scalar) has no object.
        if (!isMap(contents)) return;
        const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
        lines.set(String(index), lineOf(contents.range?.[0]));
        const items = contents.get("items", true);
        if (isSeq(items)) items.items.forEach((item, itemIndex) => lines.set(`${index}.items[${itemIndex}]`, lineOf((item as { range?: [number] }).range?.[0])));
    });
    return lines;
}

/** Reads the files named by the violations once each; unreadable ones (stdin) simply get no line. */
export function lineLookup(files: readonly string[], read: (file: string) => string = (file) => fs.readFileSync(file, "utf8")): (file: string, documentIndex: string) => number | undefined {
    const byFile = new Map<string, ObjectLines>();
    for (const file of new Set(files)) {
        if (file === "<stdin>") continue;
        try {
            byFile.set(file, objectStartLines(read(file)));
        } catch {
            // A file `check` already parsed but `yaml` cannot: report the violation without a line.
        }
    }
    return (file, documentIndex) => byFile.get(file)?.get(documentIndex);
}

interface RuleMetadata {
    readonly id: string;
    readonly title: string;
    readonly rationale?: string;
    readonly severity?: string;
}

function rules(): RuleMetadata[] {
    return [...catalog, ...crossObjectCatalog, ...stackGuardrails].map((guardrail) => ({
        id: guardrail.id,
        title: guardrail.title,
        rationale: (guardrail as { rationale?: string }).rationale,
        severity: (guardrail as { severity?: string }).severity,
    }));
}

/** A path relative to the checkout root, as code scanning expects; a file outside it gets a file:// URI. */
function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
    const absolute = path.resolve(file);
    const relative = path.relative(root, absolute);
    if (relative.startsWith("..") || path.isAbsolute(relative)) return { uri: `file://${absolute.split(path.sep).join("/")}` };
    return { uri: relative.split(path.sep).join("/"), uriBaseId: "%SRCROOT%" };
}

export interface SarifOptions {
    /** The folder the URIs are relative to (the repository checkout). @default process.cwd() */
    readonly root?: string;
    /** Line lookup; by default the violating files are read again (see lineLookup). */
    readonly lineOf?: (file: string, documentIndex: string) => number | undefined;
    readonly version?: string;
}

/** The SARIF log for one `check` run. Mandatory violations are errors, advisory ones warnings. */
export function toSarif(violations: readonly CheckViolation[], problems: readonly InputProblem[], options: SarifOptions = {}): Record<string, unknown> {
    const root = options.root ?? process.cwd();
    const lineOf = options.lineOf ?? lineLookup(violations.map((violation) => violation.file));
    const ruleList = rules();
    const ruleIndex = new Map(ruleList.map((rule, index) => [rule.id, index]));
    const results = violations.map((violation) => {
        const line = lineOf(violation.file, violation.documentIndex);
        const object = `${violation.kind} ${violation.namespace ? `${violation.namespace}/` : ""}${violation.name}`;
        const physicalLocation =
            violation.file === "<stdin>"
                ? undefined
                : { artifactLocation: artifactLocation(violation.file, root), ...(line === undefined ? {} : { region: { startLine: line } }) };
        return {
            ruleId: violation.guardrail,
            ...(ruleIndex.has(violation.guardrail) ? { ruleIndex: ruleIndex.get(violation.guardrail) } : {}),
            level: violation.enforcementLevel === "mandatory" ? "error" : "warning",
            message: { text: `${object}: ${violation.message}` },
            locations: physicalLocation === undefined ? [] : [{ physicalLocation, logicalLocations: [{ name: object, kind: "object" }] }],
            partialFingerprints: { bulwarkObject: `${violation.guardrail}/${object}` },
        };
    });
    return {
        $schema: sarifSchema,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: "bulwark check",
                        ...(options.version === undefined ? {} : { version: options.version }),
                        rules: ruleList.map((rule) => ({
                            id: rule.id,
                            shortDescription: { text: rule.title },
                            ...(rule.rationale === undefined ? {} : { fullDescription: { text: rule.rationale } }),
                            ...(rule.severity === undefined ? {} : { properties: { severity: rule.severity } }),
                        })),
                    },
                },
                originalUriBaseIds: { "%SRCROOT%": { uri: `file://${root.split(path.sep).join("/").replace(/\/?$/, "/")}` } },
                results,
                invocations: [
                    {
                        executionSuccessful: problems.length === 0,
                        toolExecutionNotifications: problems.map((problem) => ({
                            level: "error",
                            message: { text: `${problem.file}: ${problem.reason}` },
                            ...(problem.file === "<stdin>" ? {} : { locations: [{ physicalLocation: { artifactLocation: artifactLocation(problem.file, root) } }] }),
                        })),
                    },
                ],
            },
        ],
    };
}
