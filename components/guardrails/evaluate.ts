import { isAtLeast } from "../pod-security/labels";
import { PodSecurityLevel } from "../settings";
import { catalog } from "./catalog";
import { celGuardrailData, CompiledGuardrail, compileGuardrail, evaluateCompiled, toCelValue } from "./cel";
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

/**
 * Runs catalog guardrails on Kubernetes objects. The one evaluator behind both CrossGuard and
 * `check`, so the two cannot disagree.
 */
export class GuardrailEvaluator {
    private readonly compiled: readonly CompiledGuardrail[];
    private readonly byKind = new Map<string, CompiledGuardrail[]>();
    private readonly byId = new Map<string, { guardrail: CompiledGuardrail; kinds: ReadonlySet<string> }>();

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

    /** True when the guardrail applies to this object in this context. */
    private applies(guardrail: CompiledGuardrail, object: KubernetesObject, context: EvaluationContext): boolean {
        const floor = guardrail.definition.podSecurityLevel;
        return floor === undefined || isAtLeast(context.namespaceLevel(object.metadata?.namespace), floor);
    }

    /**
     * The CEL form of an object and its variable cache, kept while the object lives: CrossGuard and
     * `check` call every policy on the same object, and the conversion and pod-spec variables are
     * the same for all of them.
     */
    private readonly prepared = new WeakMap<object, { paramsSource: object; celObject: unknown; guardrailData: ReturnType<typeof celGuardrailData>; cache: Map<string, unknown> }>();

    private prepare(object: KubernetesObject, context: EvaluationContext) {
        // Params are compared by identity: callers pass the same config object for every policy.
        const paramsSource = context.params.data;
        let entry = this.prepared.get(object);
        if (entry === undefined || entry.paramsSource !== paramsSource) {
            entry = { paramsSource, celObject: toCelValue(object), guardrailData: celGuardrailData(context.params), cache: new Map() };
            this.prepared.set(object, entry);
        }
        return entry;
    }

    /** Violations of every applicable guardrail (or only `onlyId`) on one object. */
    evaluate(object: KubernetesObject, context: EvaluationContext, onlyId?: string): GuardrailViolation[] {
        const kind = typeof object.kind === "string" ? object.kind : "";
        let candidates: readonly CompiledGuardrail[];
        if (onlyId === undefined) {
            candidates = this.byKind.get(kind) ?? [];
        } else {
            // CrossGuard asks one policy at a time: a direct lookup keeps that linear in the catalog size.
            const entry = this.byId.get(onlyId);
            candidates = entry !== undefined && entry.kinds.has(kind) ? [entry.guardrail] : [];
        }
        const applicable = candidates.filter((guardrail) => this.applies(guardrail, object, context));
        if (applicable.length === 0) return [];
        const { celObject, guardrailData, cache } = this.prepare(object, context);
        return applicable.flatMap((guardrail) =>
            evaluateCompiled(guardrail, celObject, guardrailData, cache).map((message) => ({ guardrailId: guardrail.definition.id, message })),
        );
    }
}
