import { z } from "zod";
import { httpUrl, quantity, resourcesSchema } from "./metricsLogs";

/**
 * `observability.tempo` and `observability.loki`: the trace and log stores the collector exports to
 * and Grafana queries. Each is either installed from its pinned chart (the default, so a new stack
 * has somewhere to send traces and logs) or, with `external`, run elsewhere and only pointed at.
 * Where each endpoint comes from is decided once, in components/observability/backends/endpoints.ts.
 */

const namespaceName = z
    .string()
    .max(63, "must be at most 63 characters (an RFC 1123 DNS label)")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be an RFC 1123 DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** An OTLP/HTTP URL; credentials never belong in it (use headers from a Secret). */
export const otlpHttpUrl = z
    .string()
    .regex(/^https?:\/\/[^\s@]+$/, "must be an http:// or https:// URL without user:password@ (credentials never go into config)");
/** An OTLP/gRPC endpoint: host:port. */
export const grpcEndpoint = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]{1,5}$/, "must be host:port, e.g. 'tempo.example.com:4317'");

const hoursPattern = /^([1-9][0-9]*)h$/;
const lokiRetentionPattern = /^([1-9][0-9]*)(h|d|w)$/;
const hoursOf = (value: string): number => {
    const match = lokiRetentionPattern.exec(value);
    if (match === null) return 0;
    return Number(match[1]) * { h: 1, d: 24, w: 168 }[match[2] as "h" | "d" | "w"];
};

/**
 * The single-binary charts keep their data on one local volume that a second replica cannot
 * share (Tempo's local backend, Loki's filesystem store; Loki's chart refuses more than one
 * replica without object storage), so an installed store runs one replica. A store that needs
 * more runs elsewhere, with object storage, and is named under `external`.
 */
const singleReplica = (store: string) =>
    z
        .number()
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .max(1, `must be 1: the installed single-binary ${store} keeps its data on one local volume no second replica can share; for more, run ${store} with object storage elsewhere and set observability.${store.toLowerCase()}.external`)
        .default(1);

const storageSchema = z.strictObject({
    /** Persistent volume size. @default "10Gi" */
    size: quantity.default("10Gi"),
    /** StorageClass of the volume; unset uses the cluster default. */
    storageClassName: z.string().min(1).optional(),
});

export const tempoSettingsSchema = z.strictObject({
    /** Namespace of the installed Tempo (Pod Security `restricted`). @default "bulwark-tempo" */
    namespace: namespaceName.default("bulwark-tempo"),
    /** How long trace blocks are kept: whole hours, because Tempo reads a Go duration (no 'd'). @default "72h" */
    retention: z.string().regex(hoursPattern, "must be a whole number of hours such as '72h' (Tempo reads a Go duration, which has no 'd' unit)").default("72h"),
    storage: storageSchema.prefault({}),
    /** Replicas of the single-binary Tempo (1; see above). @default 1 */
    replicas: singleReplica("Tempo"),
    resources: resourcesSchema.default({ requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } }),
    /** A Tempo run elsewhere: nothing is installed, the collector and Grafana use these. */
    external: z
        .strictObject({
            /** Tempo's distributor, OTLP/gRPC (host:port). */
            otlpGrpc: grpcEndpoint,
            /** Tempo's query URL (its HTTP API, or query-frontend). */
            queryUrl: httpUrl,
            /** Use TLS towards the distributor. @default true */
            tls: z.boolean().default(true),
        })
        .optional(),
});

export const lokiSettingsSchema = z.strictObject({
    /** Namespace of the installed Loki (Pod Security `restricted`). @default "bulwark-loki" */
    namespace: namespaceName.default("bulwark-loki"),
    /** How long log chunks are kept (the compactor deletes older ones): hours, days or weeks, at least 24h. @default "168h" */
    retention: z
        .string()
        .regex(lokiRetentionPattern, "must be a duration such as '168h', '7d' or '4w'")
        .refine((value) => hoursOf(value) >= 24, { message: "must be at least 24h: Loki's compactor deletes whole daily index periods" })
        .default("168h"),
    storage: storageSchema.prefault({}),
    /** Replicas of the single-binary Loki (1; see above). @default 1 */
    replicas: singleReplica("Loki"),
    resources: resourcesSchema.default({ requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } }),
    /** A Loki run elsewhere: nothing is installed, the collector and Grafana use these. */
    external: z
        .strictObject({
            /** Loki's OTLP/HTTP endpoint, ending in /otlp (the collector appends /v1/logs). */
            otlpUrl: otlpHttpUrl.refine((value) => /\/otlp\/?$/.test(value), { message: "must end with '/otlp': Loki serves OTLP logs at /otlp/v1/logs" }),
            /** Loki's query URL (its HTTP API or gateway). */
            queryUrl: httpUrl,
            /** Use TLS towards Loki's OTLP endpoint (an https:// URL uses it regardless). @default true */
            tls: z.boolean().default(true),
        })
        .optional(),
});
