/*
 * A fast path for guardrail CEL: the expression's AST (as @marcbachmann/cel-js parses it) is
 * translated into one JavaScript function, which V8 compiles like any other code. cel-js walks the
 * AST on every evaluation, and that walk was most of `check`'s time per object (README
 * "Benchmarks"). No maintained library compiles CEL to JavaScript, so this is hand-rolled, and kept
 * deliberately small:
 *
 * - **The interpreter stays the reference.** The generated code handles only the happy path of the
 *   operations the catalog uses: a field that is there, `==` between two strings, `&&` of two
 *   bools, and so on. Anything else (a missing field, a type mismatch, an overflow, a value of a
 *   type it does not know) throws {@link bail}, and the caller evaluates the same expression with
 *   cel-js, which gives the canonical value or error. So the fast path can be faster, never
 *   different; `test/unit/cel-compiler.test.ts` checks it against the interpreter on every fixture.
 * - **Unknown syntax is not compiled.** An operator or function outside the list below makes
 *   {@link compileFast} return `undefined`, and that expression always runs on the interpreter.
 */

/** The AST node shape of @marcbachmann/cel-js 8 (`Environment.parse(...).ast`). */
export interface CelAstNode {
    readonly op: string;
    readonly args: unknown;
}

/** A compiled expression: the activation (`object`, `variables`) in, the CEL value out, or it throws. */
export type FastProgram = (activation: { object: unknown; variables: Record<string, unknown> }) => unknown;

/** Thrown by generated code when a value leaves the happy path. Not an Error: no stack is captured. */
export const bail: unique symbol = Symbol("cel fast path: use the interpreter");

class Unsupported extends Error {}

const objectPrototype = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
/** Strings whose UTF-16 length and index differ from their code-point ones. */
const surrogate = /[\uD800-\uDFFF]/;
const nonAscii = /[^\x00-\x7F]/;

function fail(): never {
    throw bail;
}

/** A CEL map as guardrails see it: a plain JSON object (see `toCelValue`). */
function isMap(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === objectPrototype;
}

function isScalar(value: unknown): value is string | bigint | boolean {
    const type = typeof value;
    return type === "string" || type === "bigint" || type === "boolean";
}

/** The helpers generated code calls, each the happy path of one cel-js overload. */
export const helpers = {
    bool(value: unknown): boolean {
        return typeof value === "boolean" ? value : fail();
    },
    /** A top-level variable (`a.object`, `a.variables`): read by the generated code itself, so each read site stays monomorphic. */
    top(value: unknown): unknown {
        return value === undefined ? fail() : value;
    },
    field(value: unknown, name: string): unknown {
        if (isMap(value) && hasOwn.call(value, name)) {
            const field = value[name];
            if (field !== undefined && field !== null) return field;
        }
        return fail();
    },
    has(value: unknown, name: string): boolean {
        if (!isMap(value)) return fail();
        return hasOwn.call(value, name) && value[name] !== undefined && value[name] !== null;
    },
    /** A map whose field the generated code reads itself (see {@link Generator.select}). */
    asMap(value: unknown): Record<string, unknown> {
        return isMap(value) ? value : fail();
    },
    /** A field value read by the generated code: there, and not null. */
    present(field: unknown): unknown {
        return field === undefined || field === null ? fail() : field;
    },
    /** Whether a field value read by the generated code is there (`has()`). */
    isSet(field: unknown): boolean {
        return field !== undefined && field !== null;
    },
    /** `value.?name.orValue(fallback)` on a field value read by the generated code. */
    orElse(field: unknown, fallback: unknown): unknown {
        return field === undefined || field === null ? fallback : field;
    },
    /** `value.?name.orValue(fallback)` */
    fieldOr(value: unknown, name: string, fallback: unknown): unknown {
        if (!isMap(value)) return fail();
        const field = hasOwn.call(value, name) ? value[name] : undefined;
        return field === undefined || field === null ? fallback : field;
    },
    index(value: unknown, key: unknown): unknown {
        if (Array.isArray(value)) {
            // A bigint compares with a number exactly, so no bigint is made for the length.
            if (typeof key === "bigint" && key >= 0n && key < value.length) return value[Number(key)];
            return fail();
        }
        if (typeof key === "string") return helpers.field(value, key);
        return fail();
    },
    eq(left: unknown, right: unknown): boolean {
        return isScalar(left) && typeof left === typeof right ? left === right : fail();
    },
    compare(left: unknown, right: unknown): number {
        if ((typeof left === "bigint" && typeof right === "bigint") || (typeof left === "string" && typeof right === "string")) {
            return left < right ? -1 : left > right ? 1 : 0;
        }
        return fail();
    },
    in(element: unknown, container: unknown): boolean {
        if (Array.isArray(container)) {
            if (!isScalar(element)) return fail();
            const type = typeof element;
            for (const item of container) if (typeof item !== type) return fail();
            return container.includes(element);
        }
        if (isMap(container) && typeof element === "string") return hasOwn.call(container, element) && container[element] !== undefined && container[element] !== null;
        return fail();
    },
    /** `element in [constant strings]`, with the constant list as a Set. */
    inSet(element: unknown, set: ReadonlySet<string>): boolean {
        return typeof element === "string" ? set.has(element) : fail();
    },
    add(left: unknown, right: unknown): unknown {
        if (typeof left === "string" && typeof right === "string") return left + right;
        if (Array.isArray(left) && Array.isArray(right)) return left.length === 0 ? right : right.length === 0 ? left : left.concat(right);
        if (typeof left === "bigint" && typeof right === "bigint") return helpers.int(left + right);
        return fail();
    },
    sub(left: unknown, right: unknown): bigint {
        return typeof left === "bigint" && typeof right === "bigint" ? helpers.int(left - right) : fail();
    },
    neg(value: unknown): bigint {
        return typeof value === "bigint" ? helpers.int(-value) : fail();
    },
    int(value: bigint): bigint {
        return value >= int64Min && value <= int64Max ? value : fail();
    },
    size(value: unknown): bigint {
        if (typeof value === "string") return surrogate.test(value) ? fail() : BigInt(value.length);
        if (Array.isArray(value)) return BigInt(value.length);
        if (isMap(value)) return BigInt(Object.keys(value).length);
        return fail();
    },
    string(value: unknown): string {
        return typeof value === "string" ? value : fail();
    },
    contains(value: unknown, search: unknown): boolean {
        return helpers.string(value).includes(helpers.string(search));
    },
    startsWith(value: unknown, prefix: unknown): boolean {
        return helpers.string(value).startsWith(helpers.string(prefix));
    },
    endsWith(value: unknown, suffix: unknown): boolean {
        return helpers.string(value).endsWith(helpers.string(suffix));
    },
    split(value: unknown, separator: unknown): string[] {
        const text = helpers.string(value);
        const by = helpers.string(separator);
        // An empty separator splits into characters: UTF-16 units in JavaScript, so leave it to cel-js.
        return by === "" ? fail() : text.split(by);
    },
    lowerAscii(value: unknown): string {
        const text = helpers.string(value);
        return nonAscii.test(text) ? fail() : text.toLowerCase();
    },
    substring(value: unknown, start: unknown, end?: unknown): string {
        const text = helpers.string(value);
        if (surrogate.test(text) || typeof start !== "bigint" || start < 0n || start > BigInt(text.length)) return fail();
        if (end === undefined) return text.substring(Number(start));
        if (typeof end !== "bigint" || end < start || end > BigInt(text.length)) return fail();
        return text.substring(Number(start), Number(end));
    },
    join(value: unknown, separator: unknown = ""): string {
        if (!Array.isArray(value)) return fail();
        for (const item of value) if (typeof item !== "string") return fail();
        return value.join(helpers.string(separator));
    },
    /** The iteration range of a comprehension: a list's elements or a map's keys. */
    range(value: unknown): readonly unknown[] {
        if (Array.isArray(value)) return value;
        if (isMap(value)) return Object.keys(value);
        return fail();
    },
    all(value: unknown, predicate: (item: unknown) => unknown): boolean {
        for (const item of helpers.range(value)) if (!helpers.bool(predicate(item))) return false;
        return true;
    },
    exists(value: unknown, predicate: (item: unknown) => unknown): boolean {
        for (const item of helpers.range(value)) if (helpers.bool(predicate(item))) return true;
        return false;
    },
    filter(value: unknown, predicate: (item: unknown) => unknown): unknown[] {
        const kept: unknown[] = [];
        for (const item of helpers.range(value)) if (helpers.bool(predicate(item))) kept.push(item);
        return kept;
    },
    map(value: unknown, transform: (item: unknown) => unknown): unknown[] {
        return helpers.range(value).map((item) => transform(item));
    },
};

const binaryHelpers: Readonly<Record<string, string>> = { "==": "h.eq", "+": "h.add", "-": "h.sub", in: "h.in" };
const comparisons: Readonly<Record<string, string>> = { "<": "< 0", "<=": "<= 0", ">": "> 0", ">=": ">= 0" };
const macros = new Set(["all", "exists", "filter", "map"]);
/** Receiver functions and the argument counts compiled for them. */
const methods: Readonly<Record<string, readonly number[]>> = {
    size: [0],
    contains: [1],
    startsWith: [1],
    endsWith: [1],
    split: [1],
    lowerAscii: [0],
    substring: [1, 2],
    join: [0, 1],
};
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Methods whose result is reused when the same call recurs in one scope (the image guardrails split
 * `c.image` a dozen times per container). Pure, and never `null` or `undefined`, so `??=` memoizes
 * them lazily: a call is still made only where the expression reaches it.
 */
const memoized = new Set(["split", "lowerAscii", "substring"]);

class Generator {
    /** Constants the generated code refers to by index (literal lists as Sets, big values). */
    readonly constants: unknown[] = [];
    /** Memo temporaries by scope (the variable map identifies the function they are declared in). */
    private readonly temps = new Map<ReadonlyMap<string, string>, Map<string, string>>();
    private tempCount = 0;
    /** For each macro's scope: the scope around it, and the local its variable is bound to. */
    private readonly enclosing = new Map<ReadonlyMap<string, string>, { readonly outer: ReadonlyMap<string, string>; readonly local: string }>();

    constructor(private readonly expression: string) {}

    private constant(value: unknown): string {
        this.constants.push(value);
        return `k[${this.constants.length - 1}]`;
    }

    private node(value: unknown): CelAstNode {
        if (value !== null && typeof value === "object" && typeof (value as CelAstNode).op === "string") return value as CelAstNode;
        throw new Unsupported(`unexpected AST in ${this.expression}`);
    }

    private literal(value: unknown): string {
        if (typeof value === "string") return JSON.stringify(value);
        if (typeof value === "boolean") return String(value);
        if (typeof value === "bigint") return `${value}n`;
        // Doubles, null, bytes and the rest: the interpreter's business.
        throw new Unsupported(`literal ${String(value)}`);
    }

    generate(raw: unknown, scope: ReadonlyMap<string, string>): string {
        const node = this.node(raw);
        const args = node.args as unknown[];
        const sub = (value: unknown) => this.generate(value, scope);
        switch (node.op) {
            case "value":
                return this.literal(node.args);
            case "id": {
                const name = node.args as string;
                const local = scope.get(name);
                if (local !== undefined) return local;
                if (name === "object" || name === "variables") return `h.top(a.${name})`;
                throw new Unsupported(`identifier ${name}`);
            }
            case ".": {
                const read = this.select(sub(args[0]), args[1] as string);
                return read === undefined ? `h.field(${sub(args[0])}, ${JSON.stringify(args[1])})` : `h.present(${read})`;
            }
            case "[]":
                return `h.index(${sub(args[0])}, ${sub(args[1])})`;
            case "&&":
                return `(h.bool(${sub(args[0])}) && h.bool(${sub(args[1])}))`;
            case "||":
                return `(h.bool(${sub(args[0])}) || h.bool(${sub(args[1])}))`;
            case "!_":
                return `!h.bool(${sub(node.args)})`;
            case "-_":
                return `h.neg(${sub(node.args)})`;
            case "?:":
                return `(h.bool(${sub(args[0])}) ? ${sub(args[1])} : ${sub(args[2])})`;
            case "!=":
                return `!h.eq(${sub(args[0])}, ${sub(args[1])})`;
            case "in": {
                const container = this.node(args[1]);
                const items = container.op === "list" ? (container.args as unknown[]).map((item) => this.node(item)) : [];
                if (container.op === "list" && items.length > 0 && items.every((item) => item.op === "value" && typeof item.args === "string")) {
                    return `h.inSet(${sub(args[0])}, ${this.constant(new Set(items.map((item) => item.args as string)))})`;
                }
                return `h.in(${sub(args[0])}, ${sub(args[1])})`;
            }
            case "list":
                return `[${(node.args as unknown[]).map(sub).join(", ")}]`;
            case "call":
                return this.call(args[0] as string, args[1] as unknown[], scope);
            case "rcall":
                return this.receiverCall(args[0] as string, args[1], args[2] as unknown[], scope);
            default: {
                const helper = binaryHelpers[node.op];
                if (helper !== undefined) return `${helper}(${sub(args[0])}, ${sub(args[1])})`;
                const comparison = comparisons[node.op];
                if (comparison !== undefined) return `(h.compare(${sub(args[0])}, ${sub(args[1])}) ${comparison})`;
                throw new Unsupported(`operator ${node.op}`);
            }
        }
    }

    /**
     * The generated code's own read of field `name` of the map `operand` evaluates to, or undefined
     * when a helper must read it. Reading the field in the generated code gives each site its own
     * inline cache, where the shared helper saw every object shape of every expression. A field
     * read this way is the map's own property because Object.prototype has no property of that
     * name (those, `constructor` or `toString` for instance, go through the helper's own-property
     * check), and maps are plain objects (`h.asMap` checks).
     */
    private select(operand: string, name: string): string | undefined {
        if (name in objectPrototype || /^(0|[1-9][0-9]*)$/.test(name)) return undefined;
        return `h.asMap(${operand})[${JSON.stringify(name)}]`;
    }

    private call(name: string, args: readonly unknown[], scope: ReadonlyMap<string, string>): string {
        if (name === "has" && args.length === 1) {
            const selection = this.node(args[0]);
            if (selection.op !== ".") throw new Unsupported("has() of a non-selection");
            const [operand, field] = selection.args as [unknown, string];
            const read = this.select(this.generate(operand, scope), field);
            return read === undefined ? `h.has(${this.generate(operand, scope)}, ${JSON.stringify(field)})` : `h.isSet(${read})`;
        }
        if (name === "size" && args.length === 1) return `h.size(${this.generate(args[0], scope)})`;
        throw new Unsupported(`function ${name}`);
    }

    private receiverCall(name: string, receiver: unknown, args: readonly unknown[], scope: ReadonlyMap<string, string>): string {
        if (macros.has(name) && args.length === 2) {
            const variable = this.node(args[0]);
            const variableName = variable.args as string;
            if (variable.op !== "id" || !identifier.test(variableName)) throw new Unsupported(`${name}() variable`);
            const local = `v${scope.size}_${variableName}`;
            const inner = new Map(scope).set(variableName, local);
            this.enclosing.set(inner, { outer: scope, local });
            return `h.${name}(${this.generate(receiver, scope)}, (${local}) => ${this.functionBody(this.generate(args[1], inner), inner)})`;
        }
        if (name === "orValue" && args.length === 1) {
            const optional = this.node(receiver);
            if (optional.op !== ".?") throw new Unsupported("orValue() of a non-optional selection");
            const [operand, field] = optional.args as [unknown, string];
            const read = this.select(this.generate(operand, scope), field);
            if (read !== undefined) return `h.orElse(${read}, ${this.generate(args[0], scope)})`;
            return `h.fieldOr(${this.generate(operand, scope)}, ${JSON.stringify(field)}, ${this.generate(args[0], scope)})`;
        }
        const arities = methods[name];
        if (arities === undefined || !arities.includes(args.length)) throw new Unsupported(`method ${name}/${args.length}`);
        const call = `h.${name}(${[receiver, ...args].map((value) => this.generate(value, scope)).join(", ")})`;
        if (!memoized.has(name)) return call;
        const home = this.homeOf(call, scope);
        let temps = this.temps.get(home);
        if (temps === undefined) this.temps.set(home, (temps = new Map()));
        let temp = temps.get(call);
        if (temp === undefined) temps.set(call, (temp = `t${this.tempCount++}`));
        return `(${temp} ??= ${call})`;
    }

    /**
     * The outermost scope in which `code` has one value: that of the innermost macro whose variable
     * it reads (or the whole expression's). A call on `c.image` inside `exists(prefix, ...)` within
     * `all(c, ...)` is then computed once per container, not once per prefix. A local's name is
     * looked for as a whole word anywhere in the code; a match inside a quoted field name only keeps
     * the memo in a deeper scope than needed, which is still correct.
     */
    private homeOf(code: string, scope: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
        let home = scope;
        for (let macro = this.enclosing.get(home); macro !== undefined; macro = this.enclosing.get(home)) {
            if (new RegExp(`(?<![\\w$])${macro.local}(?![\\w$])`).test(code)) return home;
            home = macro.outer;
        }
        return home;
    }

    /** A function body returning `expression`, declaring the memo temporaries of `scope`. */
    functionBody(expression: string, scope: ReadonlyMap<string, string>): string {
        const temps = this.temps.get(scope);
        return temps === undefined ? expression : `{ let ${[...temps.values()].join(", ")}; return ${expression}; }`;
    }
}

/** One expression's generated code: a function expression, and the constants it reads as `k`. */
export interface FastSource {
    readonly code: string;
    readonly constants: readonly unknown[];
}

/**
 * The generated code for one parsed expression, or `undefined` when it uses syntax outside the
 * compiled subset (that expression then always runs on the interpreter).
 */
export function generateFast(ast: CelAstNode, expression: string): FastSource | undefined {
    const generator = new Generator(expression);
    let body: string;
    try {
        const top = new Map<string, string>();
        body = generator.functionBody(generator.generate(ast, top), top);
    } catch (error) {
        if (error instanceof Unsupported) return undefined;
        throw error;
    }
    // The body is built only from the AST's operators, quoted field names and literals.
    return { code: `function celFast(a) ${body.startsWith("{") ? body : `{ return ${body}; }`}`, constants: generator.constants };
}

/** {@link generateFast}, compiled in this process. */
export function compileFast(ast: CelAstNode, expression: string): FastProgram | undefined {
    const source = generateFast(ast, expression);
    if (source === undefined) return undefined;
    return new Function("h", "k", `"use strict"; return ${source.code};`)(helpers, source.constants) as FastProgram;
}

/** A factory of one precompiled expression: the helpers in, the compiled function out. */
export type PrecompiledFactory = (h: typeof helpers) => FastProgram;

function constantSource(value: unknown): string {
    if (value instanceof Set) return `new Set(${JSON.stringify([...value])})`;
    throw new Error(`no source form for constant ${String(value)}`);
}

/**
 * The TypeScript module holding every given expression's generated code as real functions, so a
 * process that finds its expressions there needs neither cel-js's parser nor `new Function`
 * (`npm run generate` writes it; a test fails when it is stale).
 */
export function precompiledModule(sources: ReadonlyMap<string, FastSource>): string {
    const entries = [...sources].map(
        ([expression, source]) =>
            `    [\n        ${JSON.stringify(expression)},\n        (h) => {\n            const k = [${source.constants.map(constantSource).join(", ")}];\n            return ${source.code};\n        },\n    ],`,
    );
    return [
        "// Generated by `npm run generate` from the catalog's CEL (components/guardrails/celCompiler.ts); do not edit.",
        "// @ts-nocheck: generated code, checked against cel-js by test/unit/cel-compiler.test.ts.",
        'import type { PrecompiledFactory } from "./celCompiler";',
        "",
        "export const precompiled: ReadonlyMap<string, PrecompiledFactory> = new Map<string, PrecompiledFactory>([",
        ...entries,
        "]);",
        "",
    ].join("\n");
}
