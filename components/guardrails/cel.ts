import type { Environment } from "@marcbachmann/cel-js";
import { CelAstNode, compileFast, FastSource, generateFast, helpers } from "./celCompiler";
import { precompiled } from "./celPrecompiled.generated";
import { CelValidation, GuardrailDefinition, GuardrailParams } from "./types";

/*
 * In-process CEL for CrossGuard and `check` (@marcbachmann/cel-js: no dependencies, and it evaluates
 * plain JavaScript objects), with a compiled fast path in front of it (celCompiler.ts). Expressions
 * are compiled once per process; the catalog's are compiled ahead of time (`npm run generate` writes
 * celPrecompiled.generated.ts), so cel-js itself loads only when an object leaves the fast path's
 * happy path or an expression is not precompiled. The text must also be valid Kubernetes CEL, which
 * the admission engines run unchanged.
 */

let env: Environment | undefined;

/** The cel-js environment, loaded on first use. */
function environment(): Environment {
    if (env === undefined) {
        const { Environment: CelEnvironment } = require("@marcbachmann/cel-js") as typeof import("@marcbachmann/cel-js");
        // Guardrail CEL reads untyped Kubernetes objects: every variable is `dyn`, as in the API server.
        env = new CelEnvironment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    }
    return env;
}

/** Parses and type-checks, so an expression the evaluator rejects fails when compiled, not on every object. */
function parseChecked(expression: string): ReturnType<Environment["parse"]> {
    const parsed = environment().parse(expression);
    const checked = parsed.check();
    if (!checked.valid) throw checked.error ?? new Error("does not type-check");
    return parsed;
}

/** The fast path's generated code for an expression (what `npm run generate` precompiles). */
export function fastSource(expression: string): FastSource | undefined {
    return generateFast(parseChecked(expression).ast as unknown as CelAstNode, expression);
}

/** An evaluable expression: the activation in, the CEL value out; throws on a CEL error. */
type Program = (activation: Activation) => unknown;
/** A CEL value: the converted form of JSON (see {@link toCelValue}). */
export type CelValue = unknown;
type Activation = { object: CelValue; variables: Record<string, CelValue> };

interface CompiledValidation {
    readonly rule: CelValidation;
    readonly check: Program;
    readonly message?: Program;
}

export interface CompiledGuardrail {
    readonly definition: GuardrailDefinition;
    /**
     * `slot` indexes the object's cache of variable values: one slot per variable chain (the
     * variables up to and including this one), so equal slots mean equal values.
     */
    readonly variables: readonly { readonly name: string; readonly program: Program; readonly slot: number }[];
    readonly validations: readonly CompiledValidation[];
}

/** Thrown when a guardrail's CEL does not parse: a defect in the catalog, named precisely. */
export class CelCompileError extends Error {}

/** Programs by expression text: the pod-spec variables recur in every pod-spec guardrail. */
const programs = new Map<string, Program>();

/**
 * The expression on cel-js alone (`interpreted`), the compiled fast path alone (`fast`, absent when
 * the expression uses syntax it does not compile; it throws off its happy path), and the two
 * together (`program`): the fast path, handing every value it does not handle to the interpreter
 * (see celCompiler.ts).
 */
export function compileExpression(expression: string): { program: Program; interpreted: Program; fast?: Program; precompiled: boolean } {
    const factory = precompiled.get(expression);
    let parsed: ReturnType<Environment["parse"]> | undefined;
    let fast: Program | undefined;
    if (factory !== undefined) {
        // Parsed and type-checked by `npm run generate`; cel-js parses it again only if it is needed.
        fast = factory(helpers);
    } else {
        parsed = parseChecked(expression);
        fast = compileFast(parsed.ast as unknown as CelAstNode, expression);
    }
    const interpreted: Program = (activation) => (parsed ??= parseChecked(expression))(activation);
    if (fast === undefined) return { program: interpreted, interpreted, precompiled: false };
    const compiled = fast;
    const program: Program = (activation) => {
        try {
            return compiled(activation);
        } catch {
            // Off the fast path's happy path (or anything unexpected): the interpreter decides.
            return interpreted(activation);
        }
    };
    return { program, interpreted, fast, precompiled: factory !== undefined };
}

function compile(guardrailId: string, where: string, expression: string): Program {
    const known = programs.get(expression);
    if (known !== undefined) return known;
    try {
        const { program } = compileExpression(expression);
        programs.set(expression, program);
        return program;
    } catch (error) {
        throw new CelCompileError(`guardrail ${guardrailId}: ${where} does not compile: ${(error as Error).message.split("\n")[0]}`);
    }
}

/** Cache slots by variable chain, shared by every compiled guardrail of the process. */
const slots = new Map<string, number>();

function slotOf(chain: string): number {
    let slot = slots.get(chain);
    if (slot === undefined) {
        slot = slots.size;
        slots.set(chain, slot);
    }
    return slot;
}

export function compileGuardrail(definition: GuardrailDefinition): CompiledGuardrail {
    return {
        definition,
        variables: definition.cel.variables.map((variable, index) => ({
            name: variable.name,
            program: compile(definition.id, `variable '${variable.name}'`, variable.expression),
            slot: slotOf(
                definition.cel.variables
                    .slice(0, index + 1)
                    .map((earlier) => `${earlier.name}=${earlier.expression}`)
                    .join("\n"),
            ),
        })),
        validations: definition.cel.validations.map((rule, index) => ({
            rule,
            check: compile(definition.id, `validation ${index}`, rule.expression),
            message: rule.messageExpression === undefined ? undefined : compile(definition.id, `messageExpression ${index}`, rule.messageExpression),
        })),
    };
}

/**
 * Converts a JSON value into the form CEL sees, as Kubernetes does: integers become `int` (BigInt;
 * a JSON number would be a `double`), and null fields are dropped, because absent and null are the
 * same to the API server and `has()` must see neither. Hand-rolled: one pass over plain objects is
 * the whole cost, and no library does exactly this.
 */
export function toCelValue(value: unknown): CelValue {
    if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
        const list = new Array<CelValue>(value.length);
        for (let index = 0; index < value.length; index++) list[index] = toCelValue(value[index]);
        return list;
    }
    const map: Record<string, CelValue> = {};
    for (const key in value) {
        const inner = (value as Record<string, unknown>)[key];
        if (inner !== null && inner !== undefined) map[key] = toCelValue(inner);
    }
    return map;
}

const convertedData = new WeakMap<object, CelValue>();

/** The value bound to `variables.guardrailData`, converted once per params object. */
export function celGuardrailData(params: GuardrailParams): CelValue {
    let converted = convertedData.get(params.data);
    if (converted === undefined) {
        converted = toCelValue(params.data);
        convertedData.set(params.data, converted);
    }
    return converted;
}

/**
 * Everything evaluations of one object share: the CEL activation, whose `variables` map is filled
 * as guardrails run, and computed variables by chain (the pod-spec variables are the same expression
 * text in every Pod Security control). Sharing the variable map across guardrails is safe because
 * each guardrail assigns all of its variables, in order, before any of its validations runs.
 */
export interface ObjectScope {
    readonly activation: Activation;
    /** Variable values by slot (see {@link CompiledGuardrail}); `undefined` until computed. */
    readonly cache: (CelValue | VariableError)[];
    /** The variables of the last guardrail that bound all of its own into the activation. */
    bound?: CompiledGuardrail["variables"];
}

/** A variable that could not be evaluated on this object, cached like a value. */
class VariableError {
    constructor(readonly reason: string) {}
}

export function objectScope(celObject: CelValue, guardrailData: CelValue): ObjectScope {
    return { activation: { object: celObject, variables: { guardrailData } }, cache: [] };
}

const noMessages: readonly string[] = Object.freeze([]);

function describeError(error: unknown): string {
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

/**
 * Evaluates one compiled guardrail. Returns the messages of failed rules. An expression that cannot
 * be evaluated (a malformed object) fails closed, with the reason.
 */
export function evaluateCompiled(guardrail: CompiledGuardrail, scope: ObjectScope): readonly string[] {
    const { activation, cache } = scope;
    const { variables } = guardrail;
    // A variable in the same place with the same slot as the last bound guardrail's is bound already:
    // equal slots mean the same chain of names and expressions, so every earlier one is the same too.
    const bound = scope.bound;
    let first = 0;
    if (bound !== undefined) while (first < variables.length && first < bound.length && bound[first].slot === variables[first].slot) first++;
    scope.bound = undefined;
    for (let index = first; index < variables.length; index++) {
        const variable = variables[index];
        let value = cache[variable.slot];
        if (value === undefined) {
            try {
                value = variable.program(activation);
            } catch (error) {
                value = new VariableError(describeError(error));
            }
            cache[variable.slot] = value;
        }
        if (value instanceof VariableError) return [`cannot evaluate variable '${variable.name}': ${value.reason}`];
        activation.variables[variable.name] = value;
    }
    scope.bound = variables;
    let messages: string[] | undefined;
    for (const validation of guardrail.validations) {
        let result: unknown;
        try {
            result = validation.check(activation);
        } catch (error) {
            result = error;
        }
        if (result === true) continue;
        messages ??= [];
        if (result !== false) {
            messages.push(`${validation.rule.message} (cannot evaluate: ${typeof result === "object" ? describeError(result) : `not a bool: ${String(result)}`})`);
            continue;
        }
        let message: unknown;
        try {
            message = validation.message?.(activation);
        } catch {
            // A failing messageExpression falls back to the static message, as in Kubernetes.
        }
        messages.push(typeof message === "string" && message.length > 0 ? message : validation.rule.message);
    }
    return messages ?? noMessages;
}
