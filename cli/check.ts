import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { crossGuardPolicies, crossGuardStackPolicies } from "../components/guardrails/crossguard";
import { EnforcementLevel, emptyGuardrailConfig, enforcementLevelFor, GuardrailPolicyConfig, guardrailConfigFor } from "../components/guardrails/policyConfig";
import { namespaceEnforceLabel } from "../components/pod-security/labels";
import { PlatformSettings, PodSecurityLevel, podSecurityLevels } from "../components/settings";
import { ManifestObject } from "./input";

/** One violation as `check` reports it (the JSON output is an array of these). */
export interface CheckViolation {
    readonly guardrail: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly kind: string;
    readonly namespace: string | null;
    readonly name: string;
    readonly file: string;
    readonly documentIndex: string;
    readonly message: string;
}

/** The type token CrossGuard sees for a Kubernetes object, e.g. `kubernetes:apps/v1:Deployment`. */
export function crossGuardType(object: Record<string, unknown>): string {
    const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "v1";
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${String(object.kind)}`;
}

function metadataOf(object: Record<string, unknown>): { name?: string; namespace?: string; labels?: Record<string, string> } {
    const metadata = object.metadata;
    return metadata !== null && typeof metadata === "object" ? (metadata as ReturnType<typeof metadataOf>) : {};
}

/**
 * The guardrail config for this input: the stack's facts (`--stack`), overridden by the labels of
 * Namespace objects in the same input, exactly as the API server would see them.
 */
export function inputGuardrailConfig(objects: readonly ManifestObject[], settings: PlatformSettings | undefined): GuardrailPolicyConfig {
    const base = settings === undefined ? emptyGuardrailConfig : guardrailConfigFor(settings);
    const namespaceLevels: Record<string, PodSecurityLevel> = { ...base.namespaceLevels };
    for (const { object } of objects) {
        if (object.kind !== "Namespace") continue;
        const metadata = metadataOf(object);
        if (metadata.name === undefined) continue;
        const enforce = metadata.labels?.[namespaceEnforceLabel];
        // An unlabelled namespace is governed by the cluster default, which is privileged.
        namespaceLevels[metadata.name] = podSecurityLevels.includes(enforce as PodSecurityLevel) ? (enforce as PodSecurityLevel) : "privileged";
    }
    return { namespaceLevels, data: base.data };
}

export interface CheckOptions {
    readonly settings?: PlatformSettings;
    readonly policies?: readonly ResourceValidationPolicy[];
    readonly stackPolicies?: readonly StackValidationPolicy[];
}

/** Runs every policy of the pack on every object, as CrossGuard would during `pulumi preview`. */
export function checkObjects(objects: readonly ManifestObject[], options: CheckOptions = {}): CheckViolation[] {
    const policies = options.policies ?? crossGuardPolicies();
    const config = inputGuardrailConfig(objects, options.settings);
    const enforcementLevel: EnforcementLevel = options.settings === undefined ? "mandatory" : enforcementLevelFor(options.settings.enforcement);
    const violations: CheckViolation[] = [];
    for (const { file, documentIndex, object } of objects) {
        const metadata = metadataOf(object);
        const type = crossGuardType(object);
        // The subset of ResourceValidationArgs the catalog policies read.
        const args = { type, props: object, name: metadata.name ?? "", urn: `urn:bulwark:check::${type}::${metadata.name ?? ""}`, getConfig: () => config } as unknown as ResourceValidationArgs;
        for (const policy of policies) {
            const report = (message: string) =>
                violations.push({
                    guardrail: policy.name,
                    enforcementLevel,
                    kind: String(object.kind),
                    namespace: metadata.namespace ?? null,
                    name: metadata.name ?? "",
                    file,
                    documentIndex,
                    message,
                });
            const validations = policy.validateResource;
            for (const validate of Array.isArray(validations) ? validations : validations === undefined ? [] : [validations]) void validate(args, report);
        }
    }
    // Cross-object guardrails see the whole input, as CrossGuard's stack policies see the whole stack.
    // The URN of each input object is its index, so a report maps back to file and document.
    const resources = objects.map(({ object }, index) => ({ type: crossGuardType(object), props: object, name: metadataOf(object).name ?? "", urn: String(index) }));
    for (const policy of options.stackPolicies ?? crossGuardStackPolicies()) {
        const report = (message: string, urn?: string) => {
            const { file, documentIndex, object } = objects[Number(urn)];
            const metadata = metadataOf(object);
            violations.push({ guardrail: policy.name, enforcementLevel, kind: String(object.kind), namespace: metadata.namespace ?? null, name: metadata.name ?? "", file, documentIndex, message });
        };
        void policy.validateStack({ resources } as unknown as StackValidationArgs, report);
    }
    return violations;
}
