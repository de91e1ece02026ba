import { PlatformSettings } from "../../settings";
import { fluentBitName } from "../logs/fluentBitResources";

/**
 * The label every collector pod (agent and gateway) carries and the name of their metrics port (the
 * collector's internal telemetry, Prometheus format), as the collector area sets them.
 */
export const collectorPodSelector = { "app.kubernetes.io/part-of": "bulwark-telemetry" } as const;
export const collectorMetricsPort = "metrics";
/**
 * The collector area's default namespace, where its `otel-gateway` Service listens for OTLP. The
 * collector's own setting (observability.collector.namespace) replaces this once both areas share
 * the settings object.
 */
export const defaultCollectorNamespace = "telemetry";

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
                // The collector runs in its own area's namespace: select its pods wherever they are.
                spec: { selector: { matchLabels: { ...collectorPodSelector } }, namespaceSelector: { any: true }, podMetricsEndpoints: [{ port: collectorMetricsPort, interval: "30s" }] },
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
