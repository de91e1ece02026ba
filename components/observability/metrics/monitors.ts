import { PlatformSettings } from "../../settings";
import { fluentBitName } from "../logs/fluentBitResources";

/**
 * Labels the collector's pods carry and the name of their metrics port (the collector's internal
 * telemetry, Prometheus format), which the collector component sets and this PodMonitor selects.
 */
export const collectorPodSelector = { "app.kubernetes.io/part-of": "bulwark", "app.kubernetes.io/component": "otel-collector" } as const;
export const collectorMetricsPort = "metrics";

/** One scrape target of a platform part. */
export interface PlatformMonitor {
    readonly part: string;
    readonly object: {
        apiVersion: "monitoring.coreos.com/v1";
        kind: "PodMonitor" | "ServiceMonitor";
        metadata: { name: string; namespace: string; labels: Record<string, string> };
        spec: Record<string, unknown>;
    };
}

const labels = { "app.kubernetes.io/managed-by": "bulwark" };

/**
 * PodMonitors for the platform parts this area runs or expects: the collector and Fluent Bit.
 * The admission engine's PodMonitor comes with its release (policy/admissionGuardrails.ts), the
 * API server's admission metrics and node-exporter with kube-prometheus-stack; the mesh and
 * runtime security add theirs with their areas.
 */
export function platformMonitors(settings: PlatformSettings): PlatformMonitor[] {
    const monitors: PlatformMonitor[] = [
        {
            part: "OpenTelemetry Collector",
            object: {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: "otel-collector", namespace: settings.platformNamespace, labels },
                spec: { selector: { matchLabels: { ...collectorPodSelector } }, podMetricsEndpoints: [{ port: collectorMetricsPort, interval: "30s" }] },
            },
        },
    ];
    if (settings.install && settings.observability.logs.enabled) {
        monitors.push({
            part: "Fluent Bit",
            object: {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: fluentBitName, namespace: settings.observability.logs.namespace, labels },
                spec: {
                    selector: { matchLabels: { "app.kubernetes.io/name": fluentBitName } },
                    podMetricsEndpoints: [{ port: "http-metrics", path: "/api/v2/metrics/prometheus", interval: "30s" }],
                },
            },
        });
    }
    return monitors;
}
