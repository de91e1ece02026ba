import type { ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { CatalogResourceGuardrails, crossGuardStackPolicies } from "../components/guardrails/crossguard";
import { EnforcementLevel, emptyGuardrailConfig, enforcementLevelFor, GuardrailPolicyConfig, guardrailConfigFor } from "../components/guardrails/policyConfig";
import { namespaceEnforceLabel } from "../components/pod-security/labels";
import type { PlatformSettings, PodSecurityLevel } from "../components/settings";
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
        namespaceLevels[metadata.name] = enforce === "baseline" || enforce === "restricted" ? enforce : "privileged";
    }
    return { namespaceLevels, data: base.data };
}

export interface CheckOptions {
    readonly settings?: PlatformSettings;
    readonly policies?: readonly ResourceValidationPolicy[];
    readonly stackPolicies?: readonly StackValidationPolicy[];
}

function violationOf(manifest: ManifestObject, guardrail: string, enforcementLevel: EnforcementLevel, message: string): CheckViolation {
    const metadata = metadataOf(manifest.object);
    return {
        guardrail,
        enforcementLevel,
        kind: String(manifest.object.kind),
        namespace: metadata.namespace ?? null,
        name: metadata.name ?? "",
        file: manifest.file,
        documentIndex: manifest.documentIndex,
        message,
    };
}

/** The CrossGuard level every violation gets: the stack's ramp, or mandatory without a stack. */
export function enforcementLevelOf(settings: PlatformSettings | undefined): EnforcementLevel {
    return settings === undefined ? "mandatory" : enforcementLevelFor(settings.enforcement);
}

/**
 * The resource guardrails on each object, with a config computed beforehand: the catalog's, as
 * CrossGuard's policies evaluate them (one call per object for all of them), or the given policies.
 */
export function resourceViolations(
    objects: readonly ManifestObject[],
    config: GuardrailPolicyConfig,
    enforcementLevel: EnforcementLevel,
    policies?: readonly ResourceValidationPolicy[] | CatalogResourceGuardrails,
): CheckViolation[] {
    const violations: CheckViolation[] = [];
    // By default a new evaluator per call: its per-object cache must not outlive objects a caller may change.
    const catalog = policies === undefined ? new CatalogResourceGuardrails() : policies instanceof CatalogResourceGuardrails ? policies : undefined;
    for (const manifest of objects) {
        const type = crossGuardType(manifest.object);
        if (catalog !== undefined) {
            for (const violation of catalog.violations({ type, props: manifest.object }, config)) {
                violations.push(violationOf(manifest, violation.guardrailId, enforcementLevel, violation.message));
            }
            continue;
        }
        const metadata = metadataOf(manifest.object);
        // The subset of ResourceValidationArgs the catalog policies read.
        const args = { type, props: manifest.object, name: metadata.name ?? "", urn: `urn:bulwark:check::${type}::${metadata.name ?? ""}`, getConfig: () => config } as unknown as ResourceValidationArgs;
        for (const policy of policies as readonly ResourceValidationPolicy[]) {
            const report = (message: string) => violations.push(violationOf(manifest, policy.name, enforcementLevel, message));
            const validations = policy.validateResource;
            for (const validate of Array.isArray(validations) ? validations : validations === undefined ? [] : [validations]) void validate(args, report);
        }
    }
    return violations;
}

/**
 * Cross-object guardrails see the whole input, as CrossGuard's stack policies see the whole stack.
 * The URN of each input object is its index, so a report maps back to file and document.
 */
export function stackViolations(
    objects: readonly ManifestObject[],
    enforcementLevel: EnforcementLevel,
    stackPolicies: readonly StackValidationPolicy[] = crossGuardStackPolicies(),
): CheckViolation[] {
    const violations: CheckViolation[] = [];
    const resources = objects.map(({ object }, index) => ({ type: crossGuardType(object), props: object, name: metadataOf(object).name ?? "", urn: String(index) }));
    for (const policy of stackPolicies) {
        const report = (message: string, urn?: string) => violations.push(violationOf(objects[Number(urn)], policy.name, enforcementLevel, message));
        void policy.validateStack({ resources } as unknown as StackValidationArgs, report);
    }
    return violations;
}

/** Runs every policy of the pack on every object, as CrossGuard would during `pulumi preview`. */
export function checkObjects(objects: readonly ManifestObject[], options: CheckOptions = {}): CheckViolation[] {
    const enforcementLevel = enforcementLevelOf(options.settings);
    return [
        ...resourceViolations(objects, inputGuardrailConfig(objects, options.settings), enforcementLevel, options.policies),
        ...stackViolations(objects, enforcementLevel, options.stackPolicies),
    ];
}
