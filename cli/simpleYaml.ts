import * as yaml from "js-yaml";

/*
 * A fast path for the YAML that `helm template`, `kubectl` and `yaml.dump` write: one document of
 * block mappings and sequences, one scalar per line. js-yaml reads any YAML character by character
 * through a general state machine, and that was most of the time `check` spent per object after
 * CEL was compiled (README "Benchmarks"). No maintained parser is both exact and faster here, so
 * this one is hand-rolled, and small on purpose. It works on indexes into the text and allocates
 * only the keys and values it returns (a first version held every line as strings and objects, and
 * spent most of its time allocating them):
 *
 * - It reads only that shape: block mappings and sequences (with the `- key: value` compact form),
 *   plain, single-quoted and escape-free double-quoted scalars, `[]` and `{}`, comments, and
 *   literal (`|`, `|-`) and folded (`>`, `>-`) block scalars whose lines need no folding rules
 *   beyond joining (no blank or more-indented lines in a folded one).
 * - Anything else (anchors, aliases, tags, other block scalars, flow collections with content,
 *   escapes, multi-line flow scalars, merge keys, tabs, control characters, a second document, or
 *   anything it does not recognise) makes it return `undefined`, and the caller parses that document with
 *   js-yaml. So it is js-yaml or nothing: plain scalars resolve through js-yaml's own core-schema
 *   types, in js-yaml's order, and `test/unit/simple-yaml.test.ts` compares the two on every YAML
 *   file the tests can reach and on generated documents.
 */

/** Thrown inside the parser when the document leaves the supported shape. */
const unsupported: unique symbol = Symbol("not the simple YAML shape");

function giveUp(): never {
    throw unsupported;
}

// js-yaml 4 exports its built-in types as `types`; @types/js-yaml does not declare them.
const coreTypes = (yaml as unknown as { types: Record<"null" | "bool" | "int" | "float", yaml.Type & { resolve(data: string): boolean; construct(data: string): unknown }> }).types;
/** The core schema's implicit types, in the order js-yaml's loader tries them. */
const implicitTypes = [coreTypes.null, coreTypes.bool, coreTypes.int, coreTypes.float];

/** Characters js-yaml rejects or treats specially anywhere in a document (and astral characters, kept simple). */
const unusualCharacter = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\uFEFF\uFFFE\uFFFF\r]/;

const space = 0x20;
const hash = 0x23;
const colon = 0x3a;
const dash = 0x2d;
const singleQuote = 0x27;
const doubleQuote = 0x22;
const backslash = 0x5c;

/** Character codes that start other YAML syntax when they start a plain scalar. */
const indicatorCodes = new Set([..."&*!|>%@`,[]{}#'\""].map((character) => character.charCodeAt(0)));

/** Plain scalars recur (`Always`, `TCP`, `100m`): resolved once each. Bounded so it cannot grow without limit. */
const resolved = new Map<string, unknown>();

/** First characters of the core schema's null, bool, int and float forms: `~ n N t T f F + - .` and digits. */
function mayBeNonString(code: number): boolean {
    return (code >= 0x30 && code <= 0x39) || code === 0x7e || code === 0x6e || code === 0x4e || code === 0x74 || code === 0x54 || code === 0x66 || code === 0x46 || code === 0x2b || code === 0x2d || code === 0x2e;
}

function resolvePlain(text: string): unknown {
    if (!mayBeNonString(text.charCodeAt(0)) && text !== "<<") return text;
    const known = resolved.get(text);
    if (known !== undefined || resolved.has(text)) return known;
    if (text === "<<") giveUp();
    let value: unknown = text;
    for (const type of implicitTypes) {
        if (type.resolve(text)) {
            value = type.construct(text);
            break;
        }
    }
    if (resolved.size < 10_000) resolved.set(text, value);
    return value;
}

/**
 * One document's lines, as indexes into its text. Line `i` runs from `lineStart[i]` to `lineEnd[i]`
 * (without its line break); its content (after the indentation, without trailing spaces) from
 * `contentStart[i]` to `contentEnd[i]`. The arrays are reused from document to document.
 */
let capacity = 0;
let indent = new Int32Array(0);
let lineStart = new Int32Array(0);
let lineEnd = new Int32Array(0);
let contentStart = new Int32Array(0);
let contentEnd = new Int32Array(0);
/** 1 for a blank or comment line, skipped between nodes. */
let insignificant = new Uint8Array(0);

function ensureCapacity(lines: number): void {
    if (lines <= capacity) return;
    capacity = Math.max(lines, capacity * 2, 256);
    indent = new Int32Array(capacity);
    lineStart = new Int32Array(capacity);
    lineEnd = new Int32Array(capacity);
    contentStart = new Int32Array(capacity);
    contentEnd = new Int32Array(capacity);
    insignificant = new Uint8Array(capacity);
}

/** True when line `line` of `text` is a block sequence item: `-` alone or before a space. */
function isSequenceItem(text: string, line: number): boolean {
    const from = contentStart[line];
    return text.charCodeAt(from) === dash && (contentEnd[line] - from === 1 || text.charCodeAt(from + 1) === space);
}

class Parser {
    private at = 0;
    /** What {@link entry} read: the key, and where the text after its `:` (spaces skipped) starts. */
    private key = "";
    private restStart = 0;
    /** What {@link quoted} read: the value, and the index after the closing quote. */
    private quotedValue = "";
    private quotedEnd = 0;

    constructor(
        private readonly text: string,
        private readonly lines: number,
        /** False when the text's last line has no line break (a block scalar ending there is left to js-yaml). */
        private readonly endsWithLineBreak: boolean,
    ) {}

    /** The next significant line (skipping blank and comment lines), or -1 when none is left. */
    peek(): number {
        while (this.at < this.lines && insignificant[this.at] === 1) this.at++;
        return this.at < this.lines ? this.at : -1;
    }

    /** True when `text[from, end)` has ` #` (a comment) starting before `end`; returns its index or -1. */
    private commentIn(from: number, end: number): number {
        const text = this.text;
        for (let at = from; at < end - 1; at++) if (text.charCodeAt(at) === space && text.charCodeAt(at + 1) === hash) return at;
        return -1;
    }

    /** The index of `: ` (or of a final `:`) in `text[from, end)`, or -1. */
    private colonIn(from: number, end: number): number {
        const text = this.text;
        for (let at = from; at < end - 1; at++) if (text.charCodeAt(at) === colon && text.charCodeAt(at + 1) === space) return at;
        return -1;
    }

    private trimEnd(from: number, end: number): number {
        while (end > from && this.text.charCodeAt(end - 1) === space) end--;
        return end;
    }

    private skipSpaces(from: number, end: number): number {
        while (from < end && this.text.charCodeAt(from) === space) from++;
        return from;
    }

    /** True when a plain scalar may not start like `text[from, end)` does: an indicator, or `-`, `?`, `:` before a space. */
    private startsWithIndicator(from: number, end: number): boolean {
        const first = this.text.charCodeAt(from);
        if (indicatorCodes.has(first)) return true;
        return (first === dash || first === 0x3f || first === colon) && (end - from === 1 || this.text.charCodeAt(from + 1) === space);
    }

    private isSequenceItem(line: number): boolean {
        return isSequenceItem(this.text, line);
    }

    /** A quoted scalar starting at `from` (its quote), ending before `end`: sets {@link quotedValue} and {@link quotedEnd}. */
    private quoted(from: number, end: number): void {
        const text = this.text;
        if (text.charCodeAt(from) === doubleQuote) {
            let close = from + 1;
            for (; close < end; close++) {
                const code = text.charCodeAt(close);
                if (code === doubleQuote) break;
                if (code === backslash) giveUp();
            }
            if (close >= end) giveUp();
            this.quotedValue = text.slice(from + 1, close);
            this.quotedEnd = close + 1;
            return;
        }
        let value = "";
        let start = from + 1;
        for (;;) {
            const close = text.indexOf("'", start);
            if (close === -1 || close >= end) giveUp();
            value += text.slice(start, close);
            if (close + 1 >= end || text.charCodeAt(close + 1) !== singleQuote) {
                this.quotedValue = value;
                this.quotedEnd = close + 1;
                return;
            }
            value += "'";
            start = close + 2;
        }
    }

    /** A scalar that is the rest of its line (`text[from, end)`), or `[]` / `{}`. */
    private inlineValue(from: number, end: number): unknown {
        const first = this.text.charCodeAt(from);
        if (first === doubleQuote || first === singleQuote) {
            this.quoted(from, end);
            // What may follow a quoted scalar on its line: spaces, then nothing or a comment.
            const after = this.skipSpaces(this.quotedEnd, end);
            return after === end || (this.text.charCodeAt(after) === hash && after > this.quotedEnd) ? this.quotedValue : giveUp();
        }
        const comment = this.commentIn(from, end);
        const plainEnd = this.trimEnd(from, comment === -1 ? end : comment);
        const length = plainEnd - from;
        if (length === 2) {
            const pair = this.text.slice(from, plainEnd);
            if (pair === "[]") return [];
            if (pair === "{}") return {};
        }
        if (length === 0 || this.startsWithIndicator(from, plainEnd) || this.colonIn(from, plainEnd) !== -1 || this.text.charCodeAt(plainEnd - 1) === colon) giveUp();
        return resolvePlain(this.text.slice(from, plainEnd));
    }

    /** Reads a mapping entry in `text[from, end)` into {@link key} and {@link restStart}; false when it is not one. */
    private entry(from: number, end: number): boolean {
        const text = this.text;
        const first = text.charCodeAt(from);
        let after: number;
        if (first === doubleQuote || first === singleQuote) {
            this.quoted(from, end);
            const at = this.skipSpaces(this.quotedEnd, end);
            if (at >= end || text.charCodeAt(at) !== colon) return false;
            this.key = this.quotedValue;
            after = at + 1;
        } else {
            const found = this.colonIn(from, end);
            const keyEnd = found === -1 ? (text.charCodeAt(end - 1) === colon ? end - 1 : -1) : found;
            if (keyEnd === -1) return false;
            const comment = this.commentIn(from, end);
            if (comment !== -1 && comment < keyEnd) return false;
            if (this.startsWithIndicator(from, end)) giveUp();
            const plainEnd = this.trimEnd(from, keyEnd);
            if (plainEnd === from) giveUp();
            this.key = String(resolvePlain(text.slice(from, plainEnd)));
            after = keyEnd + 1;
        }
        if (this.key === "__proto__" || this.key === "<<") giveUp();
        if (after < end && text.charCodeAt(after) !== space) giveUp();
        this.restStart = this.skipSpaces(after, end);
        return true;
    }

    /** The block node whose first line is the current one, at that line's indent. */
    node(): unknown {
        const line = this.peek();
        return this.isSequenceItem(line) ? this.sequence(indent[line]) : this.mapping(indent[line]);
    }

    /** A value given on the lines after `key:` or `-` at `column`. */
    private nested(column: number, sequenceAtSameIndent: boolean): unknown {
        const next = this.peek();
        if (next === -1 || indent[next] < column) return null;
        if (indent[next] === column) return sequenceAtSameIndent && this.isSequenceItem(next) ? this.sequence(column) : null;
        return this.node();
    }

    /** The value `text[from, end)` after `key: ` or `- ` on a line of the node at `column`, with its line already consumed. */
    private value(from: number, end: number, column: number): unknown {
        const first = this.text.charCodeAt(from);
        if (first === 0x7c || first === 0x3e) {
            // A block scalar header: `|` or `>`, with an optional chomping indicator.
            const second = this.text.charCodeAt(from + 1);
            if (end - from === 1) return this.blockScalar(first === 0x7c, "", column);
            if (end - from === 2 && (second === dash || second === 0x2b)) return this.blockScalar(first === 0x7c, second === dash ? "-" : "+", column);
        }
        const value = this.inlineValue(from, end);
        // A more indented line after an inline scalar would continue it (a multi-line scalar).
        const next = this.peek();
        if (next !== -1 && indent[next] > column) giveUp();
        return value;
    }

    /**
     * A literal or folded block scalar of the node at `column`, from the line after its header.
     * Keep chomping (`+`), blank lines before the first text line, and folding beyond plain joining
     * are js-yaml's business.
     */
    private blockScalar(literal: boolean, chomping: string, column: number): string {
        if (chomping === "+") giveUp();
        const first = this.at;
        if (first >= this.lines || contentEnd[first] === contentStart[first]) giveUp();
        const contentIndent = indent[first];
        if (contentIndent <= column) giveUp();
        const texts: string[] = [];
        let trailingBlank = 0;
        while (this.at < this.lines) {
            const line = this.at;
            if (contentEnd[line] === contentStart[line]) {
                // A blank line: inside the scalar, or after it (the chomping drops it).
                if (lineEnd[line] - lineStart[line] > contentIndent) giveUp();
                trailingBlank++;
                this.at++;
                continue;
            }
            if (indent[line] < contentIndent) {
                if (indent[line] > column) giveUp();
                break;
            }
            if (trailingBlank > 0) {
                if (!literal) giveUp();
                for (; trailingBlank > 0; trailingBlank--) texts.push("");
            }
            const textStart = lineStart[line] + contentIndent;
            if (!literal && (indent[line] > contentIndent || this.text.charCodeAt(lineEnd[line] - 1) === space)) giveUp();
            texts.push(this.text.slice(textStart, lineEnd[line]));
            this.at++;
        }
        if (this.at >= this.lines && !this.endsWithLineBreak) giveUp();
        const body = texts.length === 1 ? texts[0] : texts.join(literal ? "\n" : " ");
        return chomping === "-" ? body : body + "\n";
    }

    private mapping(column: number): Record<string, unknown> {
        const result: Record<string, unknown> = {};
        for (let line = this.peek(); line !== -1 && indent[line] === column; line = this.peek()) {
            if (this.isSequenceItem(line)) giveUp();
            if (!this.entry(contentStart[line], contentEnd[line])) giveUp();
            const key = this.key;
            const restStart = this.restStart;
            const end = contentEnd[line];
            this.at++;
            result[key] = restStart === end || this.text.charCodeAt(restStart) === hash ? this.nested(column, true) : this.value(restStart, end, column);
        }
        const next = this.peek();
        if (next !== -1 && indent[next] > column) giveUp();
        return result;
    }

    private sequence(column: number): unknown[] {
        const result: unknown[] = [];
        const text = this.text;
        for (let line = this.peek(); line !== -1 && indent[line] === column && this.isSequenceItem(line); line = this.peek()) {
            const end = contentEnd[line];
            const rest = this.skipSpaces(contentStart[line] + 1, end);
            if (rest === end || text.charCodeAt(rest) === hash) {
                this.at++;
                result.push(this.nested(column, false));
                continue;
            }
            if (text.charCodeAt(rest) === dash && (end - rest === 1 || text.charCodeAt(rest + 1) === space)) giveUp();
            const first = text.charCodeAt(rest);
            let isEntry: boolean;
            if (first === doubleQuote || first === singleQuote) {
                isEntry = this.entry(rest, end);
            } else {
                const comment = this.commentIn(rest, end);
                isEntry = this.colonIn(rest, end) !== -1 || text.charCodeAt(this.trimEnd(rest, comment === -1 ? end : comment) - 1) === colon;
            }
            if (isEntry) {
                // `- key: value`: a mapping whose indent is the column of `key`.
                indent[line] += rest - contentStart[line];
                contentStart[line] = rest;
                result.push(this.mapping(indent[line]));
                continue;
            }
            this.at++;
            result.push(this.value(rest, end, column));
        }
        const next = this.peek();
        if (next !== -1 && indent[next] > column) giveUp();
        return result;
    }
}

/** Spaces, then nothing or a comment: what may follow a document marker on its line. */
function markerRestAllowed(text: string, from: number, end: number): boolean {
    if (from === end) return true;
    if (text.charCodeAt(from) !== space) return false;
    let at = from;
    while (at < end && text.charCodeAt(at) === space) at++;
    return at === end || text.charCodeAt(at) === hash;
}

/**
 * The mapping one YAML document holds, when the text is one document in the simple shape (see
 * above); `undefined` otherwise, for js-yaml to read.
 */
export function loadSimpleDocument(text: string): Record<string, unknown> | undefined {
    if (unusualCharacter.test(text)) return undefined;
    // The text after the last line break is an empty last "line" when the text ends with one.
    const endsWithLineBreak = text.length > 0 && text.charCodeAt(text.length - 1) === 0x0a;
    let lines = 0;
    let sawMarker = false;
    let sawContent = false;
    let firstSignificant = -1;
    for (let start = 0; start < text.length; ) {
        let end = text.indexOf("\n", start);
        if (end === -1) end = text.length;
        ensureCapacity(lines + 1);
        let from = start;
        while (from < end && text.charCodeAt(from) === space) from++;
        let to = end;
        while (to > from && text.charCodeAt(to - 1) === space) to--;
        const line = lines++;
        indent[line] = from - start;
        lineStart[line] = start;
        lineEnd[line] = end;
        contentStart[line] = from;
        contentEnd[line] = to;
        insignificant[line] = to === from || text.charCodeAt(from) === hash ? 1 : 0;
        if (from === start && to - from >= 3 && (text.startsWith("---", from) || text.startsWith("...", from))) {
            // Only a leading `---` (alone or before a comment) is taken; any other marker means more than one document.
            if (text.charCodeAt(from) === 0x2e || sawMarker || sawContent || !markerRestAllowed(text, from + 3, to)) return undefined;
            sawMarker = true;
            lineEnd[line] = start;
            contentStart[line] = contentEnd[line] = start;
            insignificant[line] = 1;
        } else if (insignificant[line] === 0 && !sawContent) {
            sawContent = true;
            firstSignificant = line;
        }
        start = end + 1;
    }
    if (!sawContent) return undefined;
    try {
        if (isSequenceItem(text, firstSignificant)) return undefined;
        const parser = new Parser(text, lines, endsWithLineBreak);
        const document = parser.node();
        return parser.peek() === -1 ? (document as Record<string, unknown>) : undefined;
    } catch (error) {
        if (error === unsupported) return undefined;
        throw error;
    }
}
