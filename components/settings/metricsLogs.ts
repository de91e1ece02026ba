import { z } from "zod";
import { versions } from "../versions";

/**
 * Settings of the metrics (kube-prometheus-stack) and logs (Fluent Bit) parts of observability,
 * under `observability.metrics` and `observability.logs`. The collector's settings live beside
 * them in their own sub-object.
 */

/** A Kubernetes quantity such as "500m", "256Mi" or "50Gi". */
export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, "must be a Kubernetes quantity such as '500m', '256Mi' or '50Gi'");

export const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ memory: quantity, cpu: quantity.optional() }),
});
export type ResourceSettings = z.output<typeof resourcesSchema>;

const namespaceName = z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be an RFC 1123 DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** An http:// or https:// URL. */
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** A Prometheus duration for retention: "15d", "12h", "2w". */
const retention = z.string().regex(/^[0-9]+(ms|s|m|h|d|w|y)$/, "must be a Prometheus duration such as '15d' or '12h'");

export const metricsSettingsSchema = z.strictObject({
    /** Install kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter, kube-state-metrics). @default true */
    enabled: z.boolean().default(true),
    /** Namespace of Prometheus, Alertmanager and Grafana (Pod Security baseline). @default "bulwark-monitoring" */
    namespace: namespaceName.default("bulwark-monitoring"),
    /** Namespace of node-exporter, which needs the host network, PID namespace and root filesystem (privileged, with its reason). @default "bulwark-node-exporter" */
    nodeExporterNamespace: namespaceName.default("bulwark-node-exporter"),
    prometheus: z
        .strictObject({
            /** How long samples are kept. @default "15d" */
            retention: retention.default("15d"),
            /** Size cap of the TSDB, deleting the oldest blocks first ("" = none). @default "45GB" */
            retentionSize: z.string().regex(/^([0-9]+(B|KB|MB|GB|TB|PB))?$/, "must be a size such as '45GB' (or '' for none)").default("45GB"),
            /** Persistent volume size. @default "50Gi" */
            storageSize: quantity.default("50Gi"),
            /** StorageClass of the volume; unset uses the cluster default. */
            storageClassName: z.string().min(1).optional(),
            /** Prometheus replicas. @default 1 */
            replicas: z.number().int().min(1).max(5).default(1),
            /** Exemplars kept in memory (shared by all series). @default 100000 */
            maxExemplars: z.number().int().min(1000).default(100000),
            resources: resourcesSchema.default({ requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } }),
        })
        .prefault({}),
    grafana: z
        .strictObject({
            /** Install Grafana with the correlated datasources and the platform health dashboard. @default true */
            enabled: z.boolean().default(true),
            /**
             * Tempo's query URL, for a Tempo run elsewhere (kept for older stacks; prefer
             * `observability.tempo.external`). Set together with `collector.backends.traces`.
             * @default derived from `observability.tempo` (see components/observability/backends/endpoints.ts)
             */
            tempoUrl: httpUrl.optional(),
            /**
             * Loki's query URL, for a Loki run elsewhere (kept for older stacks; prefer
             * `observability.loki.external`). Set together with `collector.backends.logs`.
             * @default derived from `observability.loki`
             */
            lokiUrl: httpUrl.optional(),
        })
        .prefault({}),
    /** Base URL of the alert runbooks; each rule links to `<url>#<alert name lower-cased>`. */
    runbookBaseUrl: httpUrl.default("https://github.com/acme/bulwark/blob/main/docs/runbooks.md"),
});

export const logsSettingsSchema = z.strictObject({
    /** Run the Fluent Bit DaemonSet that forwards container logs to the collector gateway. @default true */
    enabled: z.boolean().default(true),
    /** Namespace of the Fluent Bit DaemonSet (privileged: it reads hostPath logs; the reason is recorded). @default "bulwark-logging" */
    namespace: namespaceName.default("bulwark-logging"),
    /**
     * The Fluent Bit image. Stacks that require digests or restrict registries point this at their
     * mirror, pinned by digest.
     * @default versions.fluentBitImage (cr.fluentbit.io/fluent/fluent-bit:5.1.1)
     */
    image: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)+(:[A-Za-z0-9_][-A-Za-z0-9_.]{0,127})?(@sha256:[0-9a-f]{64})?$/, "must be an image reference such as 'registry/repository:tag' or '...@sha256:<digest>'")
        .default(versions.fluentBitImage),
    /** The collector gateway's OTLP/HTTP endpoint. @default host `otel-gateway.telemetry.svc` (the collector area's Service), port 4318 */
    gateway: z
        .strictObject({
            host: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a host name").optional(),
            port: z.number().int().min(1).max(65535).default(4318),
            tls: z.boolean().default(false),
        })
        .prefault({}),
    /** Cap of the on-disk buffer per node before the oldest chunks are dropped. @default "2G" */
    bufferLimit: z.string().regex(/^[0-9]+(K|M|G)$/, "must be a size such as '512M' or '2G'").default("2G"),
    /** Retries per chunk before it is dropped. @default 20 */
    retryLimit: z.number().int().min(1).max(1000).default(20),
    resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
});


export type MetricsSettings = z.output<typeof metricsSettingsSchema>;
export type LogsSettings = z.output<typeof logsSettingsSchema>;
