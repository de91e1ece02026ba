import { z } from "zod";
import { logsSettingsSchema, metricsSettingsSchema } from "./metricsLogs";
import { grpcEndpoint, lokiSettingsSchema, otlpHttpUrl as endpointUrl, tempoSettingsSchema } from "./traceLogBackends";

/**
 * `observability`: the telemetry pipeline. `collector` is the OpenTelemetry Collector (agent DaemonSet +
 * gateway Deployment) every signal leaves the cluster through.
 */

const dnsLabel = z
    .string()
    .max(63, "must be at most 63 characters (an RFC 1123 DNS label)")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be an RFC 1123 DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** Container memory in MiB: what the memory_limiter limits and GOMEMLIMIT are derived from. */
const memoryMiB = z.number().int("must be a whole number of MiB").min(128, "must be at least 128 (MiB): memory_limiter needs headroom").max(65536);

/** A Go RE2 pattern (what the redaction and transform processors compile). */
const pattern = z.string().min(1).refine(
    (value) => {
        try {
            // Go RE2 inline flags such as (?i) are not JavaScript syntax; check the rest.
            new RegExp(value.replace(/^\(\?[a-z]+\)/, ""));
            return true;
        } catch {
            return false;
        }
    },
    { message: "must be a valid regular expression" },
);

const attributeKey = z.string().regex(/^[A-Za-z0-9_.\-]+$/, "must be an attribute key such as 'user.email'");

export const defaultPii = {
    /** Keys whose value is dropped: credentials and session material have no analytic value. */
    deleteKeys: ["authorization", "http.request.header.authorization", "http.request.header.cookie", "http.response.header.set-cookie", "user.password"],
    /** Keys whose value is replaced by its SHA-256: joins and counts still work, the person is gone. */
    hashKeys: ["user.email", "enduser.id", "client.address", "net.peer.ip", "user.id"],
    /** Values blocked wherever they appear in an attribute (redaction) or a log body (transform). */
    blockedValues: [
        // Payment card numbers: 13 to 19 digits, optionally grouped by spaces or dashes.
        "\\b(?:\\d[ -]?){12,18}\\d\\b",
        // E-mail addresses.
        "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}",
        // Bearer and basic credentials.
        "(?i)(bearer|basic)\\s+[A-Za-z0-9._~+/=-]+",
    ],
    /** URL attributes whose query-string values are replaced. */
    urlKeys: ["url.full", "url.query", "http.url", "http.target"],
};

const piiSchema = z.strictObject({
    /** Attribute keys deleted from spans, logs and data points. */
    deleteKeys: z.array(attributeKey).default(defaultPii.deleteKeys),
    /** Attribute keys hashed (SHA-256). */
    hashKeys: z.array(attributeKey).default(defaultPii.hashKeys),
    /** Value patterns masked in every attribute and in log bodies. */
    blockedValues: z.array(pattern).min(1, "must list at least one pattern: PII removal cannot be switched off").default(defaultPii.blockedValues),
    /** URL attributes whose query-string values are replaced. */
    urlKeys: z.array(attributeKey).default(defaultPii.urlKeys),
});

const backendsSchema = z.strictObject({
    /**
     * Tempo's OTLP/gRPC endpoint, for a Tempo run elsewhere (kept for older stacks; prefer
     * `observability.tempo.external`). Set together with `metrics.grafana.tempoUrl`.
     * @default derived from `observability.tempo` (the installed Tempo)
     */
    traces: grpcEndpoint.optional(),
    /**
     * Loki's OTLP/HTTP endpoint, for a Loki run elsewhere (kept for older stacks; prefer
     * `observability.loki.external`). Set together with `metrics.grafana.lokiUrl`.
     * @default derived from `observability.loki` (the installed Loki)
     */
    logs: endpointUrl.optional(),
    /** Prometheus's OTLP/HTTP receiver (the kube-prometheus-stack Prometheus of observability.metrics, `--web.enable-otlp-receiver`; exemplars included). @default "http://bulwark-prometheus.bulwark-monitoring.svc:9090/api/v1/otlp" */
    metrics: endpointUrl.default("http://bulwark-prometheus.bulwark-monitoring.svc:9090/api/v1/otlp"),
    /** Use TLS towards the backends named here (an installed Tempo or Loki is reached in-cluster, see endpoints.ts). @default true */
    tls: z.boolean().default(true),
});

const gatewaySchema = z.strictObject({
    /** Gateway replicas; 2 or more adds an HPA (up to `maxReplicas`) and a PodDisruptionBudget. @default 2 */
    replicas: z.number().int("must be a whole number").min(1, "must be at least 1").max(50).default(2),
    /** HPA ceiling. @default 2 x replicas */
    maxReplicas: z.number().int("must be a whole number").min(1).max(100).optional(),
    /** Container memory limit (MiB). @default 1024 */
    memoryMiB: memoryMiB.default(1024),
    /** Persistent-queue volume size (MiB); an emptyDir survives container restarts. @default 2048 */
    queueMiB: z.number().int().min(64).default(2048),
});

const agentSchema = z.strictObject({
    /** Container memory limit (MiB). @default 512 */
    memoryMiB: memoryMiB.default(512),
    /** Persistent-queue volume size (MiB). @default 1024 */
    queueMiB: z.number().int().min(64).default(1024),
});

const collectorSchema = z.strictObject({
    /** Deploy the collector agent and gateway. @default true */
    enabled: z.boolean().default(true),
    /** Namespace of the agent and gateway (Pod Security `restricted`: they need no host access). @default "telemetry" */
    namespace: dnsLabel.default("telemetry"),
    /** Collector image (a distribution with the components of tools/engines/otelcol), by digest in prod. */
    image: z.string().min(1).optional(),
    /**
     * Where batching happens: `exporter` (the exporter's sending_queue batches from the persistent
     * queue, so nothing waits in memory) or `processor` (the batch processor). @default "exporter"
     */
    batching: z.enum(["exporter", "processor"]).default("exporter"),
    agent: agentSchema.prefault({}),
    gateway: gatewaySchema.prefault({}),
    pii: piiSchema.prefault({}),
    backends: backendsSchema.prefault({}),
    /** Diagnostics extensions, off unless the stack asks: they expose internals on a port. */
    pprof: z.boolean().default(false),
    zpages: z.boolean().default(false),
    /** Add the debug exporter at this verbosity (never `detailed` in prod: the guardrail refuses it). */
    debugExporter: z.enum(["basic", "normal", "detailed"]).optional(),
});

export const observabilitySchema = z.strictObject({
    collector: collectorSchema.prefault({}),
    /** Metrics: kube-prometheus-stack (see metricsLogs.ts). */
    metrics: metricsSettingsSchema.prefault({}),
    /** Logs: Fluent Bit, correlated with traces (see metricsLogs.ts). */
    logs: logsSettingsSchema.prefault({}),
    /** Tempo, the trace store: installed from its pinned chart, or external (see traceLogBackends.ts). */
    tempo: tempoSettingsSchema.prefault({}),
    /** Loki, the log store: installed from its pinned chart, or external (see traceLogBackends.ts). */
    loki: lokiSettingsSchema.prefault({}),
});

export type ObservabilitySettings = z.output<typeof observabilitySchema>;
export type CollectorSettings = ObservabilitySettings["collector"];
export type TempoSettings = ObservabilitySettings["tempo"];
export type LokiSettings = ObservabilitySettings["loki"];
