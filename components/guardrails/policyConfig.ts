import type { PolicyConfigSchema } from "@pulumi/policy";
import { allowedEnforceLevels, enforcedLevel, planNamespaces } from "../pod-security/labels";
import { EnforcementMode, PlatformSettings, PodSecurityLevel, podSecurityLevels } from "../settings";
import { catalog } from "./catalog";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** The CrossGuard level the enforcement ramp implies. */
export function enforcementLevelFor(mode: EnforcementMode): EnforcementLevel {
    return mode === "audit" ? "advisory" : "mandatory";
}

/** Configuration every catalog policy accepts (CrossGuard policy config, `check --stack`). */
export interface GuardrailPolicyConfig {
    /** Namespace to the Pod Security level enforced there; unknown namespaces count as restricted. */
    readonly namespaceLevels: Readonly<Record<string, PodSecurityLevel>>;
    /** Namespace to the lowest `enforce` level it may carry (declared exceptions and platform). */
    readonly allowedNamespaceLevels: Readonly<Record<string, PodSecurityLevel>>;
}

/** JSON schema of {@link GuardrailPolicyConfig}, checked by CrossGuard when the pack is configured. */
export const guardrailConfigSchema: PolicyConfigSchema = {
    properties: {
        namespaceLevels: { type: "object", additionalProperties: { type: "string", enum: [...podSecurityLevels] } },
        allowedNamespaceLevels: { type: "object", additionalProperties: { type: "string", enum: [...podSecurityLevels] } },
    },
};

export const emptyGuardrailConfig: GuardrailPolicyConfig = { namespaceLevels: {}, allowedNamespaceLevels: {} };

/** The guardrail config a stack implies: its namespaces' levels and declared exceptions. */
export function guardrailConfigFor(settings: PlatformSettings): GuardrailPolicyConfig {
    const namespaceLevels: Record<string, PodSecurityLevel> = {};
    for (const plan of planNamespaces(settings)) namespaceLevels[plan.name] = enforcedLevel(plan.level, settings.enforcement);
    return { namespaceLevels, allowedNamespaceLevels: allowedEnforceLevels(settings) };
}

/**
 * The policy-pack config file for a stack (`pulumi preview --policy-pack-config`): one entry per
 * catalog policy with the ramp's enforcement level and the stack's namespace facts.
 */
export function policyPackConfigFor(settings: PlatformSettings): Record<string, GuardrailPolicyConfig & { enforcementLevel: EnforcementLevel }> {
    const config = guardrailConfigFor(settings);
    const enforcementLevel = enforcementLevelFor(settings.enforcement);
    return Object.fromEntries(catalog.map((guardrail) => [guardrail.id, { enforcementLevel, ...config }]));
}
