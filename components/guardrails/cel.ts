import { Environment } from "@marcbachmann/cel-js";
import { CelValidation, GuardrailDefinition, GuardrailParams } from "./types";

/*
 * In-process CEL for CrossGuard and `check` (@marcbachmann/cel-js: no dependencies, so it loads in a
 * few milliseconds, and it evaluates plain JavaScript objects). Expressions are compiled once per
 * process. The text must also be valid Kubernetes CEL, which the admission engines run unchanged.
 */

// Guardrail CEL reads untyped Kubernetes objects: every variable is `dyn`, as in the API server.
const env = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });

type Program = ReturnType<Environment["parse"]>;
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
    /** `cacheKey` is the variable chain up to and including this one, so equal keys mean equal values. */
    readonly variables: readonly { readonly name: string; readonly program: Program; readonly cacheKey: string }[];
    readonly validations: readonly CompiledValidation[];
}

/** Thrown when a guardrail's CEL does not parse: a defect in the catalog, named precisely. */
export class CelCompileError extends Error {}

/** Programs by expression text: the pod-spec variables recur in every pod-spec guardrail. */
const programs = new Map<string, Program>();

function compile(guardrailId: string, where: string, expression: string): Program {
    const known = programs.get(expression);
    if (known !== undefined) return known;
    try {
        const program = env.parse(expression);
        // Type-check now, so an expression the evaluator rejects fails here, not on every object.
        const checked = program.check();
        if (!checked.valid) throw checked.error ?? new Error("does not type-check");
        programs.set(expression, program);
        return program;
    } catch (error) {
        throw new CelCompileError(`guardrail ${guardrailId}: ${where} does not compile: ${(error as Error).message.split("\n")[0]}`);
    }
}

export function compileGuardrail(definition: GuardrailDefinition): CompiledGuardrail {
    return {
        definition,
        variables: definition.cel.variables.map((variable, index) => ({
            name: variable.name,
            program: compile(definition.id, `variable '${variable.name}'`, variable.expression),
            cacheKey: definition.cel.variables
                .slice(0, index + 1)
                .map((earlier) => `${earlier.name}=${earlier.expression}`)
                .join("\n"),
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

/** The value bound to `variables.guardrailData`. */
export function celGuardrailData(params: GuardrailParams): CelValue {
    return toCelValue(params.data);
}

/**
 * Everything evaluations of one object share: the CEL activation, whose `variables` map is filled
 * as guardrails run, and computed variables by chain (the pod-spec variables are the same expression
 * text in every Pod Security control). Sharing the variable map across guardrails is safe because
 * each guardrail assigns all of its variables, in order, before any of its validations runs.
 */
export interface ObjectScope {
    readonly activation: Activation;
    readonly cache: Map<string, { value?: CelValue; error?: string }>;
}

export function objectScope(celObject: CelValue, guardrailData: CelValue): ObjectScope {
    return { activation: { object: celObject, variables: { guardrailData } }, cache: new Map() };
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
    for (const variable of guardrail.variables) {
        let entry = cache.get(variable.cacheKey);
        if (entry === undefined) {
            try {
                entry = { value: variable.program(activation) };
            } catch (error) {
                entry = { error: describeError(error) };
            }
            cache.set(variable.cacheKey, entry);
        }
        if (entry.error !== undefined) return [`cannot evaluate variable '${variable.name}': ${entry.error}`];
        activation.variables[variable.name] = entry.value;
    }
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
