import { CelInput, celEnv, celList, celMap, isCelError, isCelList, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { CelValidation, GuardrailDefinition, GuardrailParams } from "./types";

/*
 * In-process CEL for CrossGuard and `check`. Expressions are compiled once per guardrail. The text
 * must also be valid Kubernetes CEL: no optional syntax (`.?x`, `orValue`), which @bufbuild/cel
 * cannot parse.
 */

const env = celEnv({ funcs: strings });

type Program = ReturnType<typeof plan>;
type Activation = Record<string, CelInput>;

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
        const program = plan(env, parse(expression));
        programs.set(expression, program);
        return program;
    } catch (error) {
        throw new CelCompileError(`guardrail ${guardrailId}: ${where} does not compile: ${(error as Error).message}`);
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
 * Converts a JSON object into CEL values once: integers become `int` (BigInt), as Kubernetes sees
 * them (a JSON number would be a `double`), and objects and arrays become CEL maps and lists.
 * Without the up-front conversion @bufbuild/cel rebuilds a Map on every field access, which is the
 * dominant cost of `check` on large inputs.
 */
export function toCelValue(value: unknown): CelInput {
    if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
    if (Array.isArray(value)) return celList(value.map(toCelValue));
    if (value !== null && typeof value === "object") {
        const entries = new Map<string, CelInput>();
        for (const [key, inner] of Object.entries(value)) {
            // Absent and null are the same to the API server; `has()` must see neither.
            if (inner !== null && inner !== undefined) entries.set(key, toCelValue(inner));
        }
        return celMap(entries);
    }
    return value as CelInput;
}

/** The value bound to `variables.guardrailData`. */
export function celGuardrailData(params: GuardrailParams): CelInput {
    return toCelValue(params.data);
}

/**
 * Everything evaluations of one object share: the CEL activation, the live variable map behind
 * `variables`, and computed variables by chain (the pod-spec variables are the same expression text
 * in every Pod Security control). Sharing the variable map across guardrails is safe because each
 * guardrail assigns all of its variables, in order, before any of its validations runs.
 */
export interface ObjectScope {
    readonly activation: Activation;
    readonly variableValues: Map<string, CelInput>;
    readonly cache: Map<string, unknown>;
}

export function objectScope(celObject: CelInput, guardrailData: CelInput): ObjectScope {
    const variableValues = new Map<string, CelInput>([["guardrailData", guardrailData]]);
    return { activation: { object: celObject, variables: celMap(variableValues), "variables.guardrailData": guardrailData }, variableValues, cache: new Map() };
}

const noMessages: readonly string[] = Object.freeze([]);

function describeCelError(value: unknown): string {
    return isCelError(value) ? value.message : String(value);
}

/**
 * Evaluates one compiled guardrail. Returns the messages of failed rules. An expression that cannot
 * be evaluated (a malformed object) fails closed, with the reason.
 */
export function evaluateCompiled(guardrail: CompiledGuardrail, scope: ObjectScope): readonly string[] {
    const { activation, variableValues, cache } = scope;
    for (const variable of guardrail.variables) {
        let value = cache.get(variable.cacheKey);
        if (value === undefined) {
            value = variable.program(activation);
            // Flatten concatenations (the container list) once instead of on every iteration.
            if (isCelList(value)) value = celList(Array.from(value.values()));
            cache.set(variable.cacheKey, value);
        }
        if (isCelError(value)) {
            return [`cannot evaluate variable '${variable.name}': ${describeCelError(value)}`];
        }
        variableValues.set(variable.name, value as CelInput);
        // @bufbuild/cel first looks `variables.x` up as a qualified name; binding that name directly
        // spares a failed lookup (and a type-registry search) on every reference.
        activation[`variables.${variable.name}`] = value as CelInput;
    }
    let messages: string[] | undefined;
    for (const validation of guardrail.validations) {
        const result = validation.check(activation);
        if (result === true) continue;
        messages ??= [];
        if (result !== false) {
            messages.push(`${validation.rule.message} (cannot evaluate: ${describeCelError(result)})`);
            continue;
        }
        const message = validation.message?.(activation);
        messages.push(typeof message === "string" && message.length > 0 ? message : validation.rule.message);
    }
    return messages ?? noMessages;
}
