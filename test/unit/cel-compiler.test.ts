import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { deploymentCorpus } from "../../bench/corpus";
import { readManifests } from "../../cli/input";
import { readStackSettings, defaultStackConfigPath } from "../../cli/stackConfig";
import { catalog } from "../../components/guardrails/catalog";
import { celGuardrailData, compileExpression, toCelValue } from "../../components/guardrails/cel";
import { emptyGuardrailConfig, guardrailConfigFor } from "../../components/guardrails/policyConfig";
import { GuardrailDefinition } from "../../components/guardrails/types";
import { fixturesOf } from "../support/fixtures";
import { podSecurityCorpusDir, requireSharedDir } from "../support/shared";

/*
 * The compiled CEL fast path (components/guardrails/celCompiler.ts) against cel-js, the reference:
 * wherever the fast path returns a value, the interpreter returns the same value; where it gives
 * up, `program` (what guardrails run) still answers as the interpreter does. Inputs: every catalog
 * fixture, the bench corpus, the upstream Pod Security corpus, and each of them damaged one field
 * at a time (nulls, doubles, wrong types, non-ASCII text, huge integers), so the error and
 * type-mismatch paths are exercised too.
 */

type Json = unknown;

interface Tally {
    evaluations: number;
    fast: number;
}

const expressions = new Map<string, ReturnType<typeof compileExpression>>();
function compiled(expression: string): ReturnType<typeof compileExpression> {
    let entry = expressions.get(expression);
    if (entry === undefined) {
        entry = compileExpression(expression);
        expressions.set(expression, entry);
    }
    return entry;
}

function outcome(run: () => unknown): { value?: unknown; error?: true } {
    try {
        return { value: run() };
    } catch {
        return { error: true };
    }
}

/** Runs every expression of `guardrail` on `object` three ways and asserts they agree. */
function compare(guardrail: GuardrailDefinition, object: Json, data: Json, tally: Tally, where: string): void {
    const activation = { object: toCelValue(object), variables: { guardrailData: data } as Record<string, unknown> };
    const agree = (kind: string, expression: string): { value?: unknown; error?: true } => {
        const { program, interpreted, fast } = compiled(expression);
        const reference = outcome(() => interpreted(activation));
        const combined = outcome(() => program(activation));
        const context = `${guardrail.id} ${kind} on ${where}`;
        assert.deepStrictEqual(combined, reference, `${context}: fast path with fallback disagrees with cel-js`);
        tally.evaluations++;
        if (fast !== undefined) {
            const alone = outcome(() => fast(activation));
            if (alone.error === undefined) {
                tally.fast++;
                assert.deepStrictEqual(alone, reference, `${context}: fast path returned a value cel-js does not`);
            }
        }
        return reference;
    };
    for (const variable of guardrail.cel.variables) {
        const result = agree(`variable ${variable.name}`, variable.expression);
        if (result.error) return;
        activation.variables[variable.name] = result.value;
    }
    guardrail.cel.validations.forEach((validation, index) => {
        agree(`validation ${index}`, validation.expression);
        if (validation.messageExpression !== undefined) agree(`messageExpression ${index}`, validation.messageExpression);
    });
}

/** Leaf paths of a JSON value, in document order. */
function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== "object") return [prefix];
    const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
    return entries.length === 0 ? [prefix] : entries.flatMap(([key, inner]) => leafPaths(inner, [...prefix, key]));
}

const awkwardText = ["Regístry.😀.IO:5000/ẞtraße/app:1", "😀", "ß"];
const damage: readonly Json[] = [null, 1.5, 0, -1, 2 ** 53, "", true, [], {}, ["ALL", 7], { nested: null }, ...awkwardText];

function leafAt(object: Json, at: readonly (string | number)[]): Json {
    return at.reduce<Json>((cursor, key) => (cursor as Record<string | number, Json>)[key], object);
}

/** `object` with the leaf at `at` (and, for a second variant, its parent) replaced by `value`. */
function damaged(object: Json, at: (string | number)[], value: Json): Json {
    const copy = structuredClone(object) as Record<string | number, unknown>;
    let cursor = copy;
    for (const key of at.slice(0, -1)) cursor = cursor[key] as Record<string | number, unknown>;
    if (at.length === 0) return value;
    cursor[at[at.length - 1]] = value;
    return copy;
}

function variants(object: Json): Json[] {
    const paths = leafPaths(object);
    const out: Json[] = [];
    paths.forEach((at, index) => {
        out.push(damaged(object, at, damage[index % damage.length]));
        // Text leaves also get each kind of awkward text (case, non-ASCII, astral characters).
        if (typeof leafAt(object, at) === "string") for (const text of awkwardText) out.push(damaged(object, at, text));
        if (at.length > 1) out.push(damaged(object, at.slice(0, -1), damage[(index + 5) % damage.length]));
    });
    return out;
}

function guardrailsFor(object: Json): GuardrailDefinition[] {
    const kind = (object as { kind?: unknown }).kind;
    return catalog.filter((guardrail) => typeof kind === "string" && guardrail.kinds.includes(kind));
}

function fixtureObjects(): { where: string; object: Json }[] {
    return catalog.flatMap((guardrail) =>
        fixturesOf(guardrail).flatMap((fixture) => readManifests([fixture.file]).objects.map(({ object, documentIndex }) => ({ where: `${path.basename(fixture.file)}#${documentIndex}`, object }))),
    );
}

const dataSets: readonly { name: string; data: Json }[] = [
    { name: "no stack", data: celGuardrailData({ data: emptyGuardrailConfig.data }) },
    { name: "prod", data: celGuardrailData({ data: guardrailConfigFor(readStackSettings(defaultStackConfigPath("prod"), "prod")).data }) },
];

function compareAll(inputs: readonly { where: string; object: Json }[], withVariants: boolean): Tally {
    const tally: Tally = { evaluations: 0, fast: 0 };
    for (const { where, object } of inputs) {
        for (const [index, input] of [object, ...(withVariants ? variants(object) : [])].entries()) {
            for (const guardrail of guardrailsFor(input)) {
                for (const { name, data } of dataSets) compare(guardrail, input, data, tally, `${where} variant ${index} (${name})`);
            }
        }
    }
    return tally;
}

describe("CEL fast path agrees with cel-js", function () {
    this.timeout(120_000);

    it("compiles every catalog expression, ahead of time", () => {
        const expressionsOf = (guardrail: GuardrailDefinition) => [
            ...guardrail.cel.variables.map((variable) => variable.expression),
            ...guardrail.cel.validations.flatMap((rule) => [rule.expression, rule.messageExpression ?? []].flat()),
        ];
        const notCompiled = catalog.flatMap((guardrail) => expressionsOf(guardrail).filter((expression) => compiled(expression).fast === undefined).map((expression) => `${guardrail.id}: ${expression.slice(0, 80)}`));
        // Not an error in production (such an expression runs on cel-js), but a guardrail would lose the speed-up.
        assert.deepStrictEqual(notCompiled, []);
        // Not precompiled means compiled at start-up (slower, never different): `npm run generate` is due.
        const notPrecompiled = catalog.flatMap((guardrail) => expressionsOf(guardrail).filter((expression) => !compiled(expression).precompiled).map((expression) => `${guardrail.id}: ${expression.slice(0, 80)}`));
        assert.deepStrictEqual(notPrecompiled, [], "run npm run generate");
        // And a new expression still compiles at run time.
        const fresh = compileExpression("object.metadata.name + '-fresh'");
        assert.ok(fresh.fast !== undefined && !fresh.precompiled);
        assert.strictEqual(fresh.program({ object: { metadata: { name: "a" } }, variables: {} }), "a-fresh");
    });

    it("leaves syntax it does not compile to the interpreter", () => {
        for (const expression of ["object.metadata.name.matches('^a')", "1.5 < 2.0", "object.metadata.?name.hasValue()", "{'a': 1}.a == 1"]) {
            const { fast, program, interpreted } = compiled(expression);
            assert.strictEqual(fast, undefined, expression);
            const activation = { object: toCelValue({ metadata: { name: "abc" } }), variables: {} };
            assert.deepStrictEqual(outcome(() => program(activation)), outcome(() => interpreted(activation)), expression);
        }
    });

    it("on every catalog fixture, and each damaged one field at a time", () => {
        const inputs = fixtureObjects();
        const plain = compareAll(inputs, false);
        // The fast path must carry the well-formed objects, or it is not a fast path.
        assert.ok(plain.fast / plain.evaluations > 0.9, `fast path answered ${plain.fast} of ${plain.evaluations} evaluations`);
        const all = compareAll(inputs, true);
        assert.ok(all.evaluations > 10 * plain.evaluations, `only ${all.evaluations} evaluations`);
        assert.ok(all.fast < all.evaluations, "damaged objects must send some evaluations to the interpreter");
    });

    it("on the bench corpus, and each damaged one field at a time", () => {
        const inputs = deploymentCorpus(16).map((object, index) => ({ where: `bench #${index}`, object }));
        const plain = compareAll(inputs, false);
        assert.ok(plain.fast / plain.evaluations > 0.95, `fast path answered ${plain.fast} of ${plain.evaluations} evaluations`);
        compareAll(inputs, true);
    });

    it("on the upstream Pod Security corpus", function () {
        const dir = requireSharedDir(this, podSecurityCorpusDir);
        const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".yaml")).sort();
        const inputs = files.flatMap((name) => readManifests([path.join(dir, name)]).objects.map(({ object }) => ({ where: name, object })));
        assert.ok(inputs.length > 100, `only ${inputs.length} corpus objects`);
        const tally = compareAll(inputs, false);
        assert.ok(tally.fast / tally.evaluations > 0.9, `fast path answered ${tally.fast} of ${tally.evaluations} evaluations`);
    });
});
