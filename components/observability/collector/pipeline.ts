import { CollectorSettings } from "../../settings";
import type { TraceLogEndpoints } from "../backends/endpoints";
import { memoryBudget } from "./memory";
import { piiProcessorIds, piiProcessors } from "./pii";

export type CollectorRole = "agent" | "gateway";
export const signals = ["traces", "metrics", "logs"] as const;
export type Signal = (typeof signals)[number];

/** Ports the collector listens on (the Services and probes use the same numbers). */
export const collectorPorts = { otlpGrpc: 4317, otlpHttp: 4318, healthCheck: 13133, metrics: 8888, pprof: 1777, zpages: 55679 } as const;

/** Where each collector keeps its persistent sending queue (a volume mounted there). */
export const queueDirectory = "/var/lib/otelcol/queue";

export interface CollectorConfigInput {
    readonly role: CollectorRole;
    readonly settings: CollectorSettings;
    /** The agent's upstream: the gateway Service's OTLP/gRPC endpoint (host:port). */
    readonly gatewayEndpoint: string;
    /** The gateway's trace and log stores (`traceLogEndpoints(settings)`, the source Grafana reads too). */
    readonly backends: TraceLogEndpoints;
}

/**
 * The persistent queue and retries every exporter uses: nothing is dropped while a backend is down
 * (retries never give up: max_elapsed_time 0) and nothing queued is lost when the process dies
 * (file_storage). With exporter batching, the batch is cut from the persistent queue, so received data
 * is on disk before it is acknowledged instead of waiting in a batch processor's memory.
 */
function reliableDelivery(settings: CollectorSettings): Record<string, unknown> {
    const queue: Record<string, unknown> = {
        enabled: true,
        storage: "file_storage/queue",
        sizer: "items",
        queue_size: 1_000_000,
        num_consumers: 4,
    };
    if (settings.batching === "exporter") queue.batch = { flush_timeout: "200ms", min_size: 2048, max_size: 8192, sizer: "items" };
    return {
        sending_queue: queue,
        retry_on_failure: { enabled: true, initial_interval: "1s", max_interval: "30s", max_elapsed_time: "0s" },
        timeout: "10s",
    };
}

function tlsFor(settings: CollectorSettings, inCluster: boolean): Record<string, unknown> {
    // Agent -> gateway stays inside the cluster (mesh mTLS where a mesh runs); backends use TLS unless the stack says not.
    return { insecure: inCluster ? true : !settings.backends.tls };
}

function exportersFor(input: CollectorConfigInput): { exporters: Record<string, unknown>; bySignal: Record<Signal, string[]> } {
    const { settings } = input;
    const delivery = reliableDelivery(settings);
    let exporters: Record<string, unknown>;
    let bySignal: Record<Signal, string[]>;
    if (input.role === "agent") {
        exporters = { "otlp_grpc/gateway": { endpoint: input.gatewayEndpoint, tls: tlsFor(settings, true), ...delivery } };
        bySignal = { traces: ["otlp_grpc/gateway"], metrics: ["otlp_grpc/gateway"], logs: ["otlp_grpc/gateway"] };
    } else {
        exporters = {
            "otlp_grpc/tempo": { endpoint: input.backends.traces.otlpGrpc, tls: { insecure: input.backends.traces.insecure }, ...delivery },
            "otlp_http/loki": { endpoint: input.backends.logs.otlpHttp, tls: { insecure: input.backends.logs.insecure }, ...delivery },
            // Prometheus's native OTLP receiver: exemplars (trace IDs on metrics, capability 1) travel as
            // OTLP, and the metrics share the persistent queue instead of remote write's in-memory one.
            "otlp_http/prometheus": { endpoint: settings.backends.metrics, tls: tlsFor(settings, false), ...delivery },
        };
        bySignal = { traces: ["otlp_grpc/tempo"], metrics: ["otlp_http/prometheus"], logs: ["otlp_http/loki"] };
    }
    if (settings.debugExporter !== undefined) {
        // In memory only: debug output is not worth a persistent queue, but it batches like the rest.
        exporters.debug = { verbosity: settings.debugExporter, ...(settings.batching === "exporter" ? { sending_queue: { enabled: true, batch: { flush_timeout: "200ms" } } } : {}) };
        for (const signal of signals) bySignal[signal] = [...bySignal[signal], "debug"];
    }
    return { exporters, bySignal };
}

function kubernetesMetadata(role: CollectorRole): Record<string, unknown> {
    const k8sAttributes: Record<string, unknown> = {
        auth_type: "serviceAccount",
        passthrough: false,
        extract: {
            metadata: ["k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.deployment.name", "k8s.node.name", "k8s.container.name", "container.image.name"],
            labels: [{ tag_name: "app.kubernetes.io/name", key: "app.kubernetes.io/name", from: "pod" }],
        },
        pod_association: [
            { sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] },
            { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
            { sources: [{ from: "connection" }] },
        ],
    };
    // The agent only watches the pods of its own node.
    if (role === "agent") k8sAttributes.filter = { node_from_env_var: "K8S_NODE_NAME" };
    return {
        k8s_attributes: k8sAttributes,
        // env: OTEL_RESOURCE_ATTRIBUTES (cluster name, environment); system: the collector's own host.
        resource_detection: { detectors: ["env", "system"], timeout: "2s", override: false },
    };
}

/**
 * The collector configuration of the agent or the gateway, as data. Every pipeline runs, in order:
 * memory_limiter, Kubernetes metadata, the PII stage, and (with processor batching) batch.
 */
export function collectorConfig(input: CollectorConfigInput): Record<string, unknown> {
    const { settings, role } = input;
    const memory = memoryBudget(role === "agent" ? settings.agent.memoryMiB : settings.gateway.memoryMiB);
    const { exporters, bySignal } = exportersFor(input);
    const processors: Record<string, unknown> = {
        memory_limiter: { check_interval: "1s", limit_mib: memory.limitMiB, spike_limit_mib: memory.spikeLimitMiB },
        ...kubernetesMetadata(role),
        ...piiProcessors(settings.pii),
    };
    if (settings.batching === "processor") processors.batch = { send_batch_size: 2048, send_batch_max_size: 8192, timeout: "200ms" };
    const processorOrder = ["memory_limiter", "k8s_attributes", "resource_detection", ...piiProcessorIds, ...(settings.batching === "processor" ? ["batch"] : [])];

    const extensions: Record<string, unknown> = {
        health_check: { endpoint: `0.0.0.0:${collectorPorts.healthCheck}` },
        "file_storage/queue": { directory: queueDirectory, create_directory: true, timeout: "2s", compaction: { on_start: true, on_rebound: true, directory: queueDirectory } },
    };
    if (settings.pprof) extensions.pprof = { endpoint: `0.0.0.0:${collectorPorts.pprof}` };
    if (settings.zpages) extensions.zpages = { endpoint: `0.0.0.0:${collectorPorts.zpages}` };

    return {
        receivers: {
            otlp: {
                protocols: {
                    grpc: { endpoint: `0.0.0.0:${collectorPorts.otlpGrpc}` },
                    http: { endpoint: `0.0.0.0:${collectorPorts.otlpHttp}` },
                },
            },
        },
        processors,
        exporters,
        extensions,
        service: {
            extensions: Object.keys(extensions).sort(),
            telemetry: {
                logs: { level: "info", encoding: "json" },
                // The collector's own metrics (refused/queued/sent counts), scraped by Prometheus.
                metrics: {
                    level: "detailed",
                    readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: collectorPorts.metrics, without_type_suffix: false } } } }],
                },
            },
            pipelines: Object.fromEntries(signals.map((signal) => [signal, { receivers: ["otlp"], processors: processorOrder, exporters: bySignal[signal] }])),
        },
    };
}
