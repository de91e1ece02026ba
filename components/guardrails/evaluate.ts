import { isAtLeast } from "../pod-security/labels";
import { PodSecurityLevel } from "../settings";
import { catalog } from "./catalog";
import { celGuardrailData, CompiledGuardrail, compileGuardrail, evaluateCompiled, ObjectScope, objectScope, toCelValue } from "./cel";
import { GuardrailDefinition, GuardrailParams, GuardrailViolation } from "./types";

/** What an evaluation needs besides the object: answers CrossGuard and `check` derive differently. */
export interface EvaluationContext {
    /** The Pod Security level that governs a namespace (`undefined`: the object names none). */
    readonly namespaceLevel: (namespace: string | undefined) => PodSecurityLevel;
    readonly params: GuardrailParams;
}

export interface KubernetesObject {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
}

const noViolations: readonly GuardrailViolation[] = Object.freeze([]);
const noGuardrails: readonly CompiledGuardrail[] = Object.freeze([]);

/**
 * Runs catalog guardrails on Kubernetes objects. The one evaluator behind both CrossGuard and
 * `check`, so the two cannot disagree.
 */
export class GuardrailEvaluator {
    private readonly compiled: readonly CompiledGuardrail[];
    private readonly byKind = new Map<string, CompiledGuardrail[]>();
    private readonly byId = new Map<string, { guardrail: CompiledGuardrail; kinds: ReadonlySet<string> }>();
    /**
     * The CEL form of the last object evaluated and its scope: `check` runs every guardrail of an
     * object in a row, and conversion and shared variables are the same for all of them. One entry,
     * not a WeakMap by object: the map's entries outlived their objects through young-generation
     * collections and doubled the garbage collector's time on large inputs (README "Benchmarks").
     * CrossGuard deserialises the object anew for each policy, so no cache would hit there. Params
     * are compared by identity (callers reuse one config object).
     */
    private last: { object: object; paramsSource: object; guardrailData: unknown; scope: ObjectScope } | undefined;

    constructor(guardrails: readonly GuardrailDefinition[] = catalog) {
        this.compiled = guardrails.map(compileGuardrail);
        for (const guardrail of this.compiled) {
            this.byId.set(guardrail.definition.id, { guardrail, kinds: new Set(guardrail.definition.kinds) });
            for (const kind of guardrail.definition.kinds) {
                this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), guardrail]);
            }
        }
    }

    get guardrails(): readonly GuardrailDefinition[] {
        return this.compiled.map((guardrail) => guardrail.definition);
    }

    private scopeFor(object: KubernetesObject, context: EvaluationContext): ObjectScope {
        const paramsSource = context.params.data;
        const last = this.last;
        if (last !== undefined && last.object === object && last.paramsSource === paramsSource) return last.scope;
        const guardrailData = last !== undefined && last.paramsSource === paramsSource ? last.guardrailData : celGuardrailData(context.params);
        const scope = objectScope(toCelValue(object), guardrailData);
        this.last = { object, paramsSource, guardrailData, scope };
        return scope;
    }

    /** Violations of `guardrails` that apply to the object (Pod Security level scoping), in order. */
    private run(guardrails: readonly CompiledGuardrail[], object: KubernetesObject, context: EvaluationContext): readonly GuardrailViolation[] {
        let violations: GuardrailViolation[] | undefined;
        let level: PodSecurityLevel | undefined;
        for (const guardrail of guardrails) {
            const floor = guardrail.definition.podSecurityLevel;
            if (floor !== undefined && !isAtLeast((level ??= context.namespaceLevel(object.metadata?.namespace)), floor)) continue;
            const messages = evaluateCompiled(guardrail, this.scopeFor(object, context));
            if (messages.length === 0) continue;
            violations ??= [];
            for (const message of messages) violations.push({ guardrailId: guardrail.definition.id, message });
        }
        return violations ?? noViolations;
    }

    /** Violations of every applicable guardrail (or only `onlyId`, as CrossGuard asks) on one object. */
    evaluate(object: KubernetesObject, context: EvaluationContext, onlyId?: string): readonly GuardrailViolation[] {
        const kind = typeof object.kind === "string" ? object.kind : "";
        if (onlyId !== undefined) {
            const entry = this.byId.get(onlyId);
            return entry !== undefined && entry.kinds.has(kind) ? this.run([entry.guardrail], object, context) : noViolations;
        }
        return this.run(this.byKind.get(kind) ?? noGuardrails, object, context);
    }
}
