import * as yaml from "js-yaml";

/*
 * A fast path for the YAML that `helm template`, `kubectl` and `yaml.dump` write: one document of
 * block mappings and sequences, one scalar per line. js-yaml reads any YAML character by character
 * through a general state machine, and that was most of the time `check` spent per object after
 * CEL was compiled (README "Benchmarks"). No maintained parser is both exact and faster here, so
 * this one is hand-rolled, and small on purpose:
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

interface Line {
    indent: number;
    content: string;
    /** The line as written (block scalars read it as text). */
    readonly raw: string;
    /** Blank or a comment: skipped between nodes. */
    readonly insignificant: boolean;
}

// js-yaml 4 exports its built-in types as `types`; @types/js-yaml does not declare them.
const coreTypes = (yaml as unknown as { types: Record<"null" | "bool" | "int" | "float", yaml.Type & { resolve(data: string): boolean; construct(data: string): unknown }> }).types;
/** The core schema's implicit types, in the order js-yaml's loader tries them. */
const implicitTypes = [coreTypes.null, coreTypes.bool, coreTypes.int, coreTypes.float];

/** Characters js-yaml rejects or treats specially anywhere in a document (and astral characters, kept simple). */
const unusualCharacter = /[\x00-\x09\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\uFEFF\uFFFE\uFFFF\r]/;
/** First characters of a plain scalar that start other YAML syntax. */
const indicators = new Set(["&", "*", "!", "|", ">", "%", "@", "`", ",", "[", "]", "{", "}", "#", "'", '"']);

/** True when a plain scalar may not start like `text` does: an indicator, or `-`, `?`, `:` before a space. */
function startsWithIndicator(text: string): boolean {
    const first = text[0];
    if (indicators.has(first)) return true;
    return (first === "-" || first === "?" || first === ":") && (text.length === 1 || text[1] === " ");
}

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

/** The end of a scalar's text: before ` #` (a comment) and trailing spaces. */
function withoutComment(text: string): string {
    const comment = text.indexOf(" #");
    return (comment === -1 ? text : text.slice(0, comment)).trimEnd();
}

/** What may follow a quoted scalar on its line: spaces, then nothing or a comment. */
function restIsBlank(text: string, from: number): boolean {
    let at = from;
    while (text.charCodeAt(at) === 0x20) at++;
    return at === text.length || (text.charCodeAt(at) === 0x23 && at > from);
}

/** A quoted scalar starting at `text[0]`: its value and the index after the closing quote. */
function quoted(text: string): { value: string; end: number } {
    const quote = text[0];
    if (quote === '"') {
        const close = text.indexOf('"', 1);
        if (close === -1) giveUp();
        const value = text.slice(1, close);
        if (value.includes("\\")) giveUp();
        return { value, end: close + 1 };
    }
    let value = "";
    let from = 1;
    for (;;) {
        const close = text.indexOf("'", from);
        if (close === -1) giveUp();
        value += text.slice(from, close);
        if (text[close + 1] !== "'") return { value, end: close + 1 };
        value += "'";
        from = close + 2;
    }
}

/** A scalar that is the rest of its line, or `[]` / `{}`. */
function inlineValue(text: string): unknown {
    const first = text[0];
    if (first === '"' || first === "'") {
        const { value, end } = quoted(text);
        return restIsBlank(text, end) ? value : giveUp();
    }
    const plain = withoutComment(text);
    if (plain === "[]") return [];
    if (plain === "{}") return {};
    if (plain.length === 0 || startsWithIndicator(plain) || plain.includes(": ") || plain.endsWith(":")) giveUp();
    return resolvePlain(plain);
}

/** A mapping entry's key and the text after its `:`, or undefined when the line is not an entry. */
function entry(content: string): { key: string; rest: string } | undefined {
    let keyText: string;
    let after: number;
    const first = content[0];
    if (first === '"' || first === "'") {
        const { value, end } = quoted(content);
        let at = end;
        while (content.charCodeAt(at) === 0x20) at++;
        if (content[at] !== ":") return undefined;
        keyText = value;
        after = at + 1;
    } else {
        const colon = content.indexOf(": ");
        const end = colon === -1 ? (content.endsWith(":") ? content.length - 1 : -1) : colon;
        if (end === -1) return undefined;
        const comment = content.indexOf(" #");
        if (comment !== -1 && comment < end) return undefined;
        if (startsWithIndicator(content)) giveUp();
        const plain = content.slice(0, end).trimEnd();
        if (plain.length === 0) giveUp();
        const key = resolvePlain(plain);
        keyText = String(key);
        after = end + 1;
    }
    if (keyText === "__proto__" || keyText === "<<") giveUp();
    if (after < content.length && content.charCodeAt(after) !== 0x20) giveUp();
    return { key: keyText, rest: content.slice(after).trimStart() };
}

function isSequenceItem(content: string): boolean {
    return content.charCodeAt(0) === 0x2d && (content.length === 1 || content.charCodeAt(1) === 0x20);
}

const blockHeader = /^([|>])([-+]?)$/;

class Parser {
    private at = 0;

    constructor(
        private readonly lines: Line[],
        /** False when the text's last line has no line break (a block scalar ending there is left to js-yaml). */
        private readonly endsWithLineBreak: boolean,
    ) {}

    /** True when only blank and comment lines are left. */
    get done(): boolean {
        return this.peek() === undefined;
    }

    private peek(): Line | undefined {
        while (this.at < this.lines.length && this.lines[this.at].insignificant) this.at++;
        return this.lines[this.at];
    }

    /** The block node whose first line is the current one, at that line's indent. */
    node(): unknown {
        const line = this.peek()!;
        return isSequenceItem(line.content) ? this.sequence(line.indent) : this.mapping(line.indent);
    }

    /** A value given on the lines after `key:` or `-` at `indent`. */
    private nested(indent: number, sequenceAtSameIndent: boolean): unknown {
        const next = this.peek();
        if (next === undefined || next.indent < indent) return null;
        if (next.indent === indent) return sequenceAtSameIndent && isSequenceItem(next.content) ? this.sequence(indent) : null;
        return this.node();
    }

    /** The value after `key: ` or `- ` on a line of the node at `indent`, with its line already consumed. */
    private value(text: string, indent: number): unknown {
        const header = blockHeader.exec(text);
        if (header !== null) return this.blockScalar(header[1] === "|", header[2], indent);
        const value = inlineValue(text);
        // A more indented line after an inline scalar would continue it (a multi-line scalar).
        const next = this.peek();
        if (next !== undefined && next.indent > indent) giveUp();
        return value;
    }

    /**
     * A literal or folded block scalar of the node at `indent`, from the line after its header.
     * Keep chomping (`+`), blank lines before the first text line, and folding beyond plain joining
     * are js-yaml's business.
     */
    private blockScalar(literal: boolean, chomping: string, indent: number): string {
        if (chomping === "+") giveUp();
        const first = this.lines[this.at];
        if (first === undefined || first.content.length === 0) giveUp();
        const contentIndent = first.indent;
        if (contentIndent <= indent) giveUp();
        const texts: string[] = [];
        let trailingBlank = 0;
        while (this.at < this.lines.length) {
            const line = this.lines[this.at];
            if (line.content.length === 0) {
                // A blank line: inside the scalar, or after it (the chomping drops it).
                if (line.raw.length > contentIndent) giveUp();
                trailingBlank++;
                this.at++;
                continue;
            }
            if (line.indent < contentIndent) {
                if (line.indent > indent) giveUp();
                break;
            }
            if (trailingBlank > 0) {
                if (!literal) giveUp();
                for (; trailingBlank > 0; trailingBlank--) texts.push("");
            }
            const text = line.raw.slice(contentIndent);
            if (!literal && (line.indent > contentIndent || text.endsWith(" "))) giveUp();
            texts.push(text);
            this.at++;
        }
        if (this.at >= this.lines.length && !this.endsWithLineBreak) giveUp();
        const body = texts.join(literal ? "\n" : " ");
        return chomping === "-" ? body : body + "\n";
    }

    private mapping(indent: number): Record<string, unknown> {
        const result: Record<string, unknown> = {};
        for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
            if (isSequenceItem(line.content)) giveUp();
            const parsed = entry(line.content);
            if (parsed === undefined) giveUp();
            this.at++;
            result[parsed.key] = parsed.rest.length === 0 || parsed.rest.charCodeAt(0) === 0x23 ? this.nested(indent, true) : this.value(parsed.rest, indent);
        }
        const next = this.peek();
        if (next !== undefined && next.indent > indent) giveUp();
        return result;
    }

    private sequence(indent: number): unknown[] {
        const result: unknown[] = [];
        for (let line = this.peek(); line !== undefined && line.indent === indent && isSequenceItem(line.content); line = this.peek()) {
            const rest = line.content.slice(1).trimStart();
            if (rest.length === 0 || rest.charCodeAt(0) === 0x23) {
                this.at++;
                result.push(this.nested(indent, false));
                continue;
            }
            if (isSequenceItem(rest)) giveUp();
            const first = rest[0];
            const isEntry = first === '"' || first === "'" ? entry(rest) !== undefined : rest.includes(": ") || withoutComment(rest).endsWith(":");
            if (isEntry) {
                // `- key: value`: a mapping whose indent is the column of `key`.
                line.indent += line.content.length - rest.length;
                line.content = rest;
                result.push(this.mapping(line.indent));
                continue;
            }
            this.at++;
            result.push(this.value(rest, indent));
        }
        const next = this.peek();
        if (next !== undefined && next.indent > indent) giveUp();
        return result;
    }
}

/**
 * The mapping one YAML document holds, when the text is one document in the simple shape (see
 * above); `undefined` otherwise, for js-yaml to read.
 */
export function loadSimpleDocument(text: string): Record<string, unknown> | undefined {
    if (unusualCharacter.test(text)) return undefined;
    const lines: Line[] = [];
    let sawMarker = false;
    let sawContent = false;
    const raws = text.split("\n");
    // The text after the last line break is an empty last "line" when the text ends with one.
    const endsWithLineBreak = raws[raws.length - 1] === "";
    if (endsWithLineBreak) raws.pop();
    for (const raw of raws) {
        let indent = 0;
        while (raw.charCodeAt(indent) === 0x20) indent++;
        const content = raw.slice(indent).trimEnd();
        if (indent === 0 && (content.startsWith("---") || content.startsWith("..."))) {
            // Only a leading `---` (alone or before a comment) is taken; any other marker means more than one document.
            const after = content.slice(3);
            if (content.startsWith("...") || sawMarker || sawContent || !(after.length === 0 || /^ +(#.*)?$/.test(after))) return undefined;
            sawMarker = true;
            lines.push({ indent, content: "", raw: "", insignificant: true });
            continue;
        }
        const insignificant = content.length === 0 || content.charCodeAt(0) === 0x23;
        if (!insignificant) sawContent = true;
        lines.push({ indent, content, raw, insignificant });
    }
    if (!sawContent) return undefined;
    try {
        const parser = new Parser(lines, endsWithLineBreak);
        const first = lines.find((line) => !line.insignificant)!;
        if (isSequenceItem(first.content)) return undefined;
        const document = parser.node();
        return parser.done ? (document as Record<string, unknown>) : undefined;
    } catch (error) {
        if (error === unsupported) return undefined;
        throw error;
    }
}
