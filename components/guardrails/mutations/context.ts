import { componentNamespaces, planNamespaces, podSecurityLabels, podSecurityReasonAnnotation } from "../../pod-security/labels";
import type { PlatformSettings } from "../../settings";
import { defaultMutationResources } from "../../settings/levels";
import { versions } from "../../versions";
import { MutationContext } from "./types";

/**
 * Namespaces no mutation ever touches, whatever the stack says: Kubernetes' own, and every
 * admission engine's (a mutation there could break the engine that applies it).
 */
export const protectedNamespaces = ["kube-system", "kube-public", "kube-node-lease", "kyverno", "gatekeeper-system"] as const;

/**
 * The mesh's namespace injection label, only when the stack configures a mesh. The settings on this
 * branch have no mesh key yet, so this returns no label until one exists; it reads `mesh.provider`
 * (`istio` or `linkerd`) and `mesh.mode` (`sidecar` or `ambient`) when present. Linkerd enrols a
 * namespace by annotation (`linkerd.io/inject`), not a label, so it adds none.
 */
export function meshInjectionLabels(settings: PlatformSettings): Record<string, string> {
    const mesh = (settings as { mesh?: { provider?: string; mode?: string } }).mesh;
    if (mesh?.provider !== "istio") return {};
    return mesh.mode === "ambient" ? { "istio.io/dataplane-mode": "ambient" } : { "istio-injection": "enabled" };
}

/** What the mutations need from a stack: values, tenants, exclusions and off switches. */
export function mutationContextFor(settings: PlatformSettings): MutationContext {
    const platform = componentNamespaces(settings).map((namespace) => namespace.name);
    const exceptions = settings.podSecurity.exceptions.map((exception) => exception.namespace);
    // Tenants share one reason: the enforcement ramp's, while it enforces below restricted.
    const tenantReason = planNamespaces(settings).find((plan) => plan.role === "tenant")?.reason;
    return {
        disabled: Object.fromEntries(settings.mutations.disabled.map((entry) => [entry.id, entry.reason])),
        excludedNamespaces: [...new Set([...protectedNamespaces, ...platform, ...exceptions])],
        tenants: settings.tenants.map((tenant) => tenant.name),
        resources: { ...settings.mutations.resources },
        tenantNamespaceLabels: { ...podSecurityLabels("restricted", settings.enforcement, settings.podSecurity.version), ...meshInjectionLabels(settings) },
        tenantNamespaceAnnotations: tenantReason === undefined ? {} : { [podSecurityReasonAnnotation]: tenantReason },
    };
}

/**
 * The context without a stack (`bulwark fix` with no `--stack`): every mutation on with the schema's
 * default values, only the protected namespaces excluded, and no tenants (so no Namespace labels).
 */
export function defaultMutationContext(): MutationContext {
    return {
        disabled: {},
        excludedNamespaces: [...protectedNamespaces],
        tenants: [],
        resources: { ...defaultMutationResources },
        tenantNamespaceLabels: podSecurityLabels("restricted", "enforce", versions.podSecurityStandards),
        tenantNamespaceAnnotations: {},
    };
}
