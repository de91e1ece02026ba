import { GuardrailData, GuardrailDefinition, GuardrailMetadata } from "../../guardrails/types";
import { EnforcementMode } from "../../settings";

/** Namespaces no admission policy may touch, so a broken policy can never lock the cluster out. */
export const systemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];

/** API group, version and resource of each kind the catalog covers. */
export const kindResources: Record<string, { group: string; version: string; resource: string }> = {
    Pod: { group: "", version: "v1", resource: "pods" },
    PodTemplate: { group: "", version: "v1", resource: "podtemplates" },
    ReplicationController: { group: "", version: "v1", resource: "replicationcontrollers" },
    Namespace: { group: "", version: "v1", resource: "namespaces" },
    Service: { group: "", version: "v1", resource: "services" },
    Deployment: { group: "apps", version: "v1", resource: "deployments" },
    StatefulSet: { group: "apps", version: "v1", resource: "statefulsets" },
    DaemonSet: { group: "apps", version: "v1", resource: "daemonsets" },
    ReplicaSet: { group: "apps", version: "v1", resource: "replicasets" },
    Job: { group: "batch", version: "v1", resource: "jobs" },
    CronJob: { group: "batch", version: "v1", resource: "cronjobs" },
    PeerAuthentication: { group: "security.istio.io", version: "*", resource: "peerauthentications" },
    DestinationRule: { group: "networking.istio.io", version: "*", resource: "destinationrules" },
    Ingress: { group: "networking.k8s.io", version: "v1", resource: "ingresses" },
    ConfigMap: { group: "", version: "v1", resource: "configmaps" },
    OpenTelemetryCollector: { group: "opentelemetry.io", version: "*", resource: "opentelemetrycollectors" },
};

/** `resourceRules` (VAP / Kyverno ValidatingPolicy) for a guardrail's kinds, grouped by API group. */
export function resourceRules(guardrail: GuardrailDefinition) {
    const byGroup = new Map<string, string[]>();
    for (const kind of guardrail.kinds) {
        const target = kindResources[kind];
        if (target === undefined) throw new Error(`guardrail ${guardrail.id}: no resource mapping for kind ${kind}`);
        byGroup.set(target.group, [...(byGroup.get(target.group) ?? []), target.resource]);
    }
    return [...byGroup].map(([group, resources]) => ({
        apiGroups: [group],
        apiVersions: ["*"],
        resources,
        operations: ["CREATE", "UPDATE"],
    }));
}

/**
 * Namespace selector for a guardrail: never the system namespaces (nor the engine's own), and for
 * Pod Security controls only namespaces whose `enforce` label is at the control's level or above.
 */
export function namespaceSelector(guardrail: GuardrailDefinition, extraExcluded: readonly string[] = []) {
    const matchExpressions: { key: string; operator: string; values: string[] }[] = [
        { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...systemNamespaces, ...extraExcluded] },
    ];
    if (guardrail.podSecurityLevel !== undefined) {
        matchExpressions.push({
            key: "pod-security.kubernetes.io/enforce",
            operator: "In",
            values: guardrail.podSecurityLevel === "baseline" ? ["baseline", "restricted"] : ["restricted"],
        });
    }
    return { matchExpressions };
}

/** ValidatingAdmissionPolicy-style actions for the ramp: deny in enforce, warn and audit otherwise. */
export function validationActions(mode: EnforcementMode): string[] {
    return mode === "enforce" ? ["Deny"] : ["Warn", "Audit"];
}

/** A CEL string literal (single-quoted), escaping what CEL requires. */
export function celString(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A CEL map literal holding the guardrail data, in sorted key order for stable output. */
export function celDataLiteral(data: GuardrailData): string {
    const entries = Object.keys(data)
        .sort()
        .map((key) => `${celString(key)}: ${celString(data[key])}`);
    return `{${entries.join(", ")}}`;
}

/** Kubernetes object name for a guardrail's policy. */
export function policyName(guardrail: GuardrailDefinition): string {
    return `bulwark-${guardrail.id}`;
}

export const managedLabels = { "app.kubernetes.io/managed-by": "bulwark", "app.kubernetes.io/part-of": "bulwark-guardrails" };

/** Annotations every rendered policy carries, linking it to its catalog entry. */
export function guardrailAnnotations(guardrail: GuardrailMetadata): Record<string, string> {
    return {
        "bulwark.dev/guardrail": guardrail.id,
        "bulwark.dev/severity": guardrail.severity,
        "bulwark.dev/capability": String(guardrail.capability),
        "bulwark.dev/title": guardrail.title,
    };
}
