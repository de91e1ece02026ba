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
 * Requests and a memory limit for the chart's own containers, whose chart defaults are empty
 * (`resources-requests-limits` fails an empty one). The operator passes `configReloader` to the
 * config-reloader sidecars it adds to the Prometheus and Alertmanager pods, which the chart cannot
 * show and `check` cannot see.
 */
export const kubePrometheusStackResources = {
    operator: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    configReloader: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    webhookCertificateJobs: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    alertmanager: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
} as const;

/** A non-root pod with the runtime's default seccomp profile (restricted's pod-level fields). */
function nonRootPod(user: number, group: number, fsGroup = true) {
    return { runAsNonRoot: true, runAsUser: user, runAsGroup: group, ...(fsGroup ? { fsGroup: group } : {}), seccompProfile: { type: "RuntimeDefault" } };
}

/**
 * The security contexts the platform states rather than inherits from the chart's defaults, so a
 * chart upgrade cannot loosen them unnoticed. The operator builds the Prometheus and Alertmanager
 * containers itself (no privilege escalation, every capability dropped, read-only root); the
 * values set those pods' security contexts. User and group ids are the chart's.
 */
export const kubePrometheusStackSecurity = {
    operatorPod: nonRootPod(65534, 65534),
    prometheusPod: nonRootPod(1000, 2000),
    alertmanagerPod: nonRootPod(1000, 2000),
    webhookJobPod: nonRootPod(2000, 2000, false),
    container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
} as const;

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
        prometheusOperator: {
            resources: kubePrometheusStackResources.operator,
            securityContext: kubePrometheusStackSecurity.operatorPod,
            containerSecurityContext: kubePrometheusStackSecurity.container,
            prometheusConfigReloader: { resources: kubePrometheusStackResources.configReloader },
            admissionWebhooks: {
                patch: { resources: kubePrometheusStackResources.webhookCertificateJobs, securityContext: kubePrometheusStackSecurity.webhookJobPod },
                createSecretJob: { securityContext: kubePrometheusStackSecurity.container },
                patchWebhookJob: { securityContext: kubePrometheusStackSecurity.container },
            },
        },
        alertmanager: {
            alertmanagerSpec: { resources: kubePrometheusStackResources.alertmanager, securityContext: kubePrometheusStackSecurity.alertmanagerPod },
        },
        prometheus: {
            prometheusSpec: {
                securityContext: kubePrometheusStackSecurity.prometheusPod,
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
