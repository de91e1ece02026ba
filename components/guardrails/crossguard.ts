// Type-only imports: `check` runs these policies without loading the policy SDK at run time.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { crossObjectCatalog } from "./catalog";
import { CrossObjectGuardrailDefinition } from "./cross-object";
import { stackGuardrails } from "./stack/catalog";
import { StackGuardrailConfig, StackGuardrailDefinition } from "./stack/definitions";
import { GuardrailMetadata } from "./types";
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
 * One CrossGuard resource policy per catalog guardrail. Both the policy pack and `check` run
 * exactly these functions.
 */
export function crossGuardPolicies(evaluator: GuardrailEvaluator = new GuardrailEvaluator()): ResourceValidationPolicy[] {
    // One evaluation context per policy-config object: `check` hands every policy the same one.
    const contexts = new WeakMap<object, EvaluationContext>();
    const contextFor = (raw: Partial<GuardrailPolicyConfig>): EvaluationContext => {
        let context = contexts.get(raw);
        if (context === undefined) {
            const config = { ...emptyGuardrailConfig, ...raw };
            context = { namespaceLevel: (namespace) => levelOf(config, namespace), params: { data: config.data } };
            contexts.set(raw, context);
        }
        return context;
    };
    return evaluator.guardrails.map(
        (guardrail): ResourceValidationPolicy => ({
            ...policyHeader(guardrail),
            configSchema: guardrailConfigSchema,
            validateResource: (args, reportViolation) => {
                if (!isKubernetesObject(args)) return;
                const context = contextFor(args.getConfig<Partial<GuardrailPolicyConfig>>());
                for (const violation of evaluator.evaluate(args.props as KubernetesObject, context, guardrail.id)) {
                    reportViolation(violation.message);
                }
            },
        }),
    );
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
