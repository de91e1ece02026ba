import { MetricsSettings } from "../../settings";
import { traceCorrelation } from "../correlation";
import type { TraceLogEndpoints } from "../backends/endpoints";
import { correlatedDatasources, exemplarTraceIdDestination } from "../grafana/datasources";

/** Resource-name prefix of the chart's objects: Services are `bulwark-prometheus`, `bulwark-alertmanager`. */
export const kubePrometheusStackFullname = "bulwark";
export const kubePrometheusStackRelease = "kube-prometheus-stack";

/** The in-cluster remote-write URL the collector's Prometheus exporter sends to. */
export function prometheusRemoteWriteUrl(metrics: MetricsSettings): string {
    return `http://${kubePrometheusStackFullname}-prometheus.${metrics.namespace}.svc:9090/api/v1/write`;
}

/**
 * kube-prometheus-stack values; pure. Prometheus receives the collector's metrics over remote
 * write (which also carries exemplars; Debian's Prometheus 2.42 proves it in the engine tier),
 * stores exemplars, and selects every ServiceMonitor, PodMonitor and PrometheusRule in the
 * cluster, so each platform part brings its own. node-exporter goes to its own namespace. Grafana's
 * Tempo and Loki datasources take their URLs from `backends` (`traceLogEndpoints(settings)`), the
 * same source as the collector's exporters.
 */
export function kubePrometheusStackValues(metrics: MetricsSettings, backends: TraceLogEndpoints) {
    const { prometheus, grafana } = metrics;
    return {
        fullnameOverride: kubePrometheusStackFullname,
        crds: { enabled: true },
        prometheus: {
            prometheusSpec: {
                replicas: prometheus.replicas,
                retention: prometheus.retention,
                retentionSize: prometheus.retentionSize,
                resources: prometheus.resources,
                enableRemoteWriteReceiver: true,
                // Also accept OTLP (/api/v1/otlp), for a collector exporting metrics with otlp_http.
                enableOTLPReceiver: true,
                enableFeatures: ["exemplar-storage"],
                exemplars: { maxSize: prometheus.maxExemplars },
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                storageSpec: {
                    volumeClaimTemplate: {
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            resources: { requests: { storage: prometheus.storageSize } },
                            ...(prometheus.storageClassName === undefined ? {} : { storageClassName: prometheus.storageClassName }),
                        },
                    },
                },
            },
        },
        "prometheus-node-exporter": { namespaceOverride: metrics.nodeExporterNamespace },
        grafana: {
            enabled: grafana.enabled,
            // No password in values or config (never a known default): Grafana's chart then
            // generates a random admin password into its Secret and keeps it across upgrades.
            adminPassword: "",
            sidecar: {
                datasources: { uid: traceCorrelation.datasourceUids.prometheus, exemplarTraceIdDestinations: exemplarTraceIdDestination() },
                dashboards: { enabled: true, searchNamespace: "ALL" },
            },
            additionalDataSources: correlatedDatasources(backends),
        },
    };
}
