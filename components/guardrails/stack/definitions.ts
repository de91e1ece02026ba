import { GuardrailMetadata } from "../types";

/** A resource of the stack as CrossGuard's validateStack sees it. */
export interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, unknown>;
}

export interface StackGuardrailConfig {
    /** Require replicas >= 2 for admission controllers (set by the ramp: on where guardrails enforce). */
    readonly requireHighAvailability?: boolean;
    /** Namespaces that hold workloads and must be meshed. */
    readonly workloadNamespaces?: readonly string[];
    /** Number of entries in the stack's `supplyChain` trust policy. */
    readonly trustPolicyEntries?: number;
}

/**
 * A guardrail over the whole stack (CrossGuard validateStack): it asks whether a capability is
 * present and configured safely, which no single resource can answer.
 */
export interface StackGuardrailDefinition extends GuardrailMetadata {
    /** Violation messages for the stack; `[]` when it complies. */
    readonly check: (resources: readonly StackResource[], config: StackGuardrailConfig) => string[];
}

export const helmReleaseType = "kubernetes:helm.sh/v3:Release";

/** Helm releases of a chart (matched by chart name, the last path segment of `chart`). */
export function releasesOf(resources: readonly StackResource[], charts: readonly string[]): StackResource[] {
    return resources.filter((resource) => resource.type === helmReleaseType && charts.includes(String(resource.props.chart ?? "").split("/").pop() ?? ""));
}

/** Kubernetes objects of a kind (any API version), from typed resources or CustomResources. */
export function objectsOfKind(resources: readonly StackResource[], kind: string): StackResource[] {
    return resources.filter((resource) => resource.type.startsWith("kubernetes:") && resource.props.kind === kind);
}
