// Type-only imports: `check` runs these policies without loading the policy SDK at run time.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { crossObjectCatalog } from "./catalog";
import { CrossObjectGuardrailDefinition } from "./cross-object";
import { stackGuardrails } from "./stack/catalog";
import { StackGuardrailConfig, StackGuardrailDefinition } from "./stack/definitions";
import { GuardrailMetadata, GuardrailViolation } from "./types";
import { PodSecurityLevel } from "../settings";
import { EvaluationContext, GuardrailEvaluator, KubernetesObject } from "./evaluate";
import { emptyGuardrailConfig, GuardrailPolicyConfig, guardrailConfigSchema, stackGuardrailConfigSchema } from "./policyConfig";

/** True for resources of the Kubernetes provider that carry a Kubernetes object as inputs. */
function isKubernetesObject(args: { type: string; props: Record<string, unknown> }): boolean {
    return args.type.startsWith("kubernetes:") && !args.type.startsWith("kubernetes:helm.sh/") && typeof args.props?.kind === "string";
}

/** Name, description and default level every Bulwark policy shares: mandatory unless configured. */
function policyHeader(guardrail: GuardrailMetadata): { name: string; description: string; enforcementLevel: "mandatory" } {
    return { name: guardrail.id, description: `${guardrail.title}. ${guardrail.rationale}`, enforcementLevel: "mandatory" };
}

function levelOf(config: GuardrailPolicyConfig, namespace: string | undefined): PodSecurityLevel {
    return (namespace !== undefined && config.namespaceLevels[namespace]) || "restricted";
}

/**
 * The catalog's resource guardrails over one evaluator: CrossGuard runs them as one policy per
 * guardrail ({@link policies}), `check` asks for all of an object's violations at once
 * ({@link violations}); both are the same evaluation, in catalog order.
 */
export class CatalogResourceGuardrails {
    /** One evaluation context per policy-config object: `check` hands every policy the same one. */
    private readonly contexts = new WeakMap<object, EvaluationContext>();

    constructor(readonly evaluator: GuardrailEvaluator = new GuardrailEvaluator()) {}

    private contextFor(raw: Partial<GuardrailPolicyConfig>): EvaluationContext {
        let context = this.contexts.get(raw);
        if (context === undefined) {
            const config = { ...emptyGuardrailConfig, ...raw };
            context = { namespaceLevel: (namespace) => levelOf(config, namespace), params: { data: config.data } };
            this.contexts.set(raw, context);
        }
        return context;
    }

    /** Violations of one resource: of every guardrail for its kind, or only of `onlyId`. */
    violations(resource: { type: string; props: Record<string, unknown> }, config: Partial<GuardrailPolicyConfig>, onlyId?: string): readonly GuardrailViolation[] {
        if (!isKubernetesObject(resource)) return noViolations;
        return this.evaluator.evaluate(resource.props as KubernetesObject, this.contextFor(config), onlyId);
    }

    /** One CrossGuard resource policy per catalog guardrail. */
    policies(): ResourceValidationPolicy[] {
        return this.evaluator.guardrails.map(
            (guardrail): ResourceValidationPolicy => ({
                ...policyHeader(guardrail),
                configSchema: guardrailConfigSchema,
                validateResource: (args, reportViolation) => {
                    for (const violation of this.violations(args, args.getConfig<Partial<GuardrailPolicyConfig>>(), guardrail.id)) reportViolation(violation.message);
                },
            }),
        );
    }
}

const noViolations: readonly GuardrailViolation[] = Object.freeze([]);

/** One CrossGuard resource policy per catalog guardrail: what the policy pack runs. */
export function crossGuardPolicies(evaluator: GuardrailEvaluator = new GuardrailEvaluator()): ResourceValidationPolicy[] {
    return new CatalogResourceGuardrails(evaluator).policies();
}

/**
 * One CrossGuard stack policy per cross-object guardrail: the guardrail's check over every
 * Kubernetes object in the stack. `check` runs exactly these over its whole input.
 */
export function crossGuardStackPolicies(guardrails: readonly CrossObjectGuardrailDefinition[] = crossObjectCatalog): StackValidationPolicy[] {
    return guardrails.map(
        (guardrail): StackValidationPolicy => ({
            ...policyHeader(guardrail),
            validateStack: (args, reportViolation) => {
                const resources = args.resources.filter((resource) => isKubernetesObject(resource));
                for (const violation of guardrail.check(resources.map((resource) => ({ object: resource.props as Record<string, unknown> })))) {
                    reportViolation(violation.message, resources[violation.index].urn);
                }
            },
        }),
    );
}

/** CrossGuard stack policies for the stack-level guardrails (capability presence and safety). */
export function crossGuardCapabilityPolicies(guardrails: readonly StackGuardrailDefinition[] = stackGuardrails): StackValidationPolicy[] {
    return guardrails.map(
        (guardrail): StackValidationPolicy => ({
            ...policyHeader(guardrail),
            configSchema: stackGuardrailConfigSchema,
            validateStack: (args, reportViolation) => {
                const resources = args.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.props as Record<string, unknown> }));
                for (const message of guardrail.check(resources, args.getConfig<StackGuardrailConfig>())) reportViolation(message);
            },
        }),
    );
}
