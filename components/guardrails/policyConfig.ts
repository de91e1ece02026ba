import type { PolicyConfigSchema } from "@pulumi/policy";
import { allowedEnforceLevels, enforcedLevel, planNamespaces } from "../pod-security/labels";
import type { EnforcementMode, PlatformSettings, PodSecurityLevel } from "../settings";
import { podSecurityLevels } from "../settings/levels";
import { catalog, crossObjectCatalog } from "./catalog";
import { imageSignatureVerified } from "./images/signature-verified/guardrail";
import { stackGuardrails } from "./stack/catalog";
import { mutationPolicyPackConfigFor } from "./mutations/crossguard";
import { GuardrailData } from "./types";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";

/** The CrossGuard level the enforcement ramp implies. */
export function enforcementLevelFor(mode: EnforcementMode): EnforcementLevel {
    return mode === "audit" ? "advisory" : "mandatory";
}

/** Configuration every catalog policy accepts (CrossGuard policy config, `check --stack`). */
export interface GuardrailPolicyConfig {
    /** Namespace to the Pod Security level enforced there; unknown namespaces count as restricted. */
    readonly namespaceLevels: Readonly<Record<string, PodSecurityLevel>>;
    /** Cluster facts the guardrails read (see {@link GuardrailData}). */
    readonly data: GuardrailData;
}

/** JSON schema of {@link GuardrailPolicyConfig}, checked by CrossGuard when the pack is configured. */
export const guardrailConfigSchema: PolicyConfigSchema = {
    properties: {
        namespaceLevels: { type: "object", additionalProperties: { type: "string", enum: [...podSecurityLevels] } },
        data: { type: "object", additionalProperties: { type: "string" } },
    },
};

/** JSON schema of the stack-level guardrails' config. */
export const stackGuardrailConfigSchema: PolicyConfigSchema = {
    properties: {
        requireHighAvailability: { type: "boolean" },
        workloadNamespaces: { type: "array", items: { type: "string" } },
        trustPolicyEntries: { type: "integer" },
    },
};

export const emptyGuardrailConfig: GuardrailPolicyConfig = { namespaceLevels: {}, data: {} };

/** The flat guardrail data of a stack: the content of the guardrail ConfigMap in its cluster. */
export function guardrailDataFor(settings: PlatformSettings): Record<string, string> {
    const data: Record<string, string> = {};
    for (const [namespace, level] of Object.entries(allowedEnforceLevels(settings))) data[`namespace-level.${namespace}`] = level;
    for (const plan of planNamespaces(settings)) data[`namespace-role.${plan.name}`] = plan.role;
    data["allowed-registries"] = settings.policy.images.allowedRegistries.join(",");
    data["require-digest"] = String(settings.policy.images.requireDigest);
    data["external-service-namespaces"] = settings.policy.externalServiceNamespaces.join(",");
    return data;
}

/** The guardrail config a stack implies: its namespaces' levels and its guardrail data. */
export function guardrailConfigFor(settings: PlatformSettings): GuardrailPolicyConfig {
    const namespaceLevels: Record<string, PodSecurityLevel> = {};
    for (const plan of planNamespaces(settings)) namespaceLevels[plan.name] = enforcedLevel(plan.level, settings.enforcement);
    return { namespaceLevels, data: guardrailDataFor(settings) };
}

/**
 * The policy-pack config file for a stack (`pulumi preview --policy-pack-config`): one entry per
 * catalog policy with the ramp's enforcement level and the stack's facts.
 */
export function policyPackConfigFor(settings: PlatformSettings): Record<string, Record<string, unknown> & { enforcementLevel: EnforcementLevel | "remediate" }> {
    const config = guardrailConfigFor(settings);
    const enforcementLevel = enforcementLevelFor(settings.enforcement);
    return Object.fromEntries([
        ...catalog.map((guardrail) => [guardrail.id, { enforcementLevel, ...config }]),
        ...crossObjectCatalog.map((guardrail) => [guardrail.id, { enforcementLevel }]),
        [imageSignatureVerified.id, { enforcementLevel, supplyChain: settings.supplyChain }],
        ...stackGuardrails.map((guardrail) => [
            guardrail.id,
            {
                enforcementLevel,
                // High availability is required wherever the ramp enforces (staging, prod).
                requireHighAvailability: settings.enforcement === "enforce",
                workloadNamespaces: settings.tenants.map((tenant) => tenant.name),
                trustPolicyEntries: settings.supplyChain.policies.length,
            },
        ]),
        // Mutations (safe defaults) remediate in every stack unless the stack turns one off.
        ...Object.entries(mutationPolicyPackConfigFor(settings)),
    ]);
}
