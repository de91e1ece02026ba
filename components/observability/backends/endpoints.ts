import type { PlatformSettings } from "../../settings";
import { BackendPlacement, lokiPlacement, tempoPlacement } from "../../settings/backendPlacement";

/**
 * The one place the trace and log stores' endpoints come from. The collector gateway's exporters
 * (components/observability/collector/pipeline.ts) and Grafana's Tempo and Loki datasources
 * (grafana/datasources.ts, through metrics/stackValues.ts) both read `traceLogEndpoints(settings)`,
 * so they cannot name different stores; test/unit/correlation.test.ts fails if they ever do.
 */

/** Names the installed charts' objects get (`fullnameOverride`), so the Service names below are fixed. */
export const tempoFullname = "tempo";
export const lokiFullname = "loki";

/** Ports of the single-binary charts' Services. */
export const tempoPorts = { http: 3200, otlpGrpc: 4317 } as const;
export const lokiPorts = { http: 3100 } as const;

export interface TraceEndpoints {
    readonly placement: BackendPlacement;
    /** The collector's OTLP/gRPC target (host:port): Tempo's distributor. */
    readonly otlpGrpc: string;
    /** Grafana's Tempo datasource URL. */
    readonly queryUrl: string;
    /** Plaintext towards the store (the collector's `tls.insecure`). */
    readonly insecure: boolean;
}

export interface LogEndpoints {
    readonly placement: BackendPlacement;
    /** The collector's OTLP/HTTP endpoint: Loki's `/otlp` (the exporter appends /v1/logs). */
    readonly otlpHttp: string;
    /** Grafana's Loki datasource URL. */
    readonly queryUrl: string;
    /** Plaintext towards the store (the collector's `tls.insecure`). */
    readonly insecure: boolean;
}

export interface TraceLogEndpoints {
    readonly traces: TraceEndpoints;
    readonly logs: LogEndpoints;
}

/**
 * Where traces and logs go and where Grafana reads them. An installed store is reached by its
 * Service inside the cluster, in plaintext like the agent → gateway hop (the stores' namespaces are
 * not meshed; their Services are cluster-internal). An external store is what the stack names:
 * `observability.<store>.external`, or the older collector/Grafana key pair (the schema requires
 * the pair together, so neither half is ever guessed).
 */
export function traceLogEndpoints(settings: PlatformSettings): TraceLogEndpoints {
    const { tempo, loki, collector, metrics } = settings.observability;
    const tempoHost = `${tempoFullname}.${tempo.namespace}.svc`;
    const lokiUrl = `http://${lokiFullname}.${loki.namespace}.svc:${lokiPorts.http}`;
    const traces: TraceEndpoints =
        tempoPlacement(settings) === "install"
            ? { placement: "install", otlpGrpc: `${tempoHost}:${tempoPorts.otlpGrpc}`, queryUrl: `http://${tempoHost}:${tempoPorts.http}`, insecure: true }
            : tempo.external !== undefined
              ? { placement: "external", otlpGrpc: tempo.external.otlpGrpc, queryUrl: tempo.external.queryUrl, insecure: !tempo.external.tls }
              : { placement: "external", otlpGrpc: required(collector.backends.traces, "observability.collector.backends.traces"), queryUrl: required(metrics.grafana.tempoUrl, "observability.metrics.grafana.tempoUrl"), insecure: !collector.backends.tls };
    const logs: LogEndpoints =
        lokiPlacement(settings) === "install"
            ? { placement: "install", otlpHttp: `${lokiUrl}/otlp`, queryUrl: lokiUrl, insecure: true }
            : loki.external !== undefined
              ? { placement: "external", otlpHttp: loki.external.otlpUrl, queryUrl: loki.external.queryUrl, insecure: !loki.external.tls }
              : { placement: "external", otlpHttp: required(collector.backends.logs, "observability.collector.backends.logs"), queryUrl: required(metrics.grafana.lokiUrl, "observability.metrics.grafana.lokiUrl"), insecure: !collector.backends.tls };
    return { traces, logs };
}

function required(value: string | undefined, key: string): string {
    // The schema rejects a half-set pair, so only settings built around it can get here.
    if (value === undefined) throw new Error(`${key} is not set: settings must come from parsePlatformSettings, which requires the external store's endpoints as a pair`);
    return value;
}
