// How the Prometheus Operator decides which rules and monitors a Prometheus custom resource picks
// up, for tests that assert on a rendered Prometheus: its per-kind object and namespace selectors,
// with Kubernetes label-selector semantics.

import { kubernetesObjects, RenderResult } from "../../../cli/render";

/** The Prometheus selector fields for each kind the operator discovers. */
export const selectorFields: Record<string, [selector: string, namespaceSelector: string]> = {
    PrometheusRule: ["ruleSelector", "ruleNamespaceSelector"],
    ServiceMonitor: ["serviceMonitorSelector", "serviceMonitorNamespaceSelector"],
    PodMonitor: ["podMonitorSelector", "podMonitorNamespaceSelector"],
    Probe: ["probeSelector", "probeNamespaceSelector"],
    ScrapeConfig: ["scrapeConfigSelector", "scrapeConfigNamespaceSelector"],
};

interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** Kubernetes label-selector semantics: an empty selector matches everything; a nil one, nothing. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string>): boolean {
    if (selector === undefined || selector === null) return false;
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
    for (const { key, operator, values } of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        if (operator === "In" && !(has && (values ?? []).includes(labels[key]))) return false;
        if (operator === "NotIn" && has && (values ?? []).includes(labels[key])) return false;
        if (operator === "Exists" && !has) return false;
        if (operator === "DoesNotExist" && has) return false;
    }
    return true;
}

/**
 * Whether a Prometheus custom resource picks up a rule or monitor. The operator's rules: a nil object
 * selector selects none; a nil namespace selector means the Prometheus's own namespace only.
 */
export function prometheusSelects(prometheus: any, object: Record<string, any>, namespaceLabels: (name: string) => Record<string, string>): boolean {
    const fields = selectorFields[object.kind];
    if (fields === undefined) return false;
    const [selectorField, namespaceField] = fields;
    const namespace: string = object.metadata.namespace;
    const namespaceSelector = prometheus.spec[namespaceField];
    const inNamespace = namespaceSelector === undefined || namespaceSelector === null ? namespace === prometheus.metadata.namespace : selectorMatches(namespaceSelector, namespaceLabels(namespace));
    return inNamespace && selectorMatches(prometheus.spec[selectorField], object.metadata.labels ?? {});
}

/** Labels of each namespace as the stack renders it (plus the name label the API server adds). */
export function namespaceLabelsOf(render: RenderResult): (name: string) => Record<string, string> {
    const declared = new Map(
        kubernetesObjects(render)
            .filter((object) => object.kind === "Namespace")
            .map((object) => {
                const metadata = object.metadata as { name: string; labels?: Record<string, string> };
                return [metadata.name, metadata.labels ?? {}] as const;
            }),
    );
    return (name) => ({ ...(declared.get(name) ?? {}), "kubernetes.io/metadata.name": name });
}
