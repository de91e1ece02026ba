/**
 * The correlation contract: the one definition of how a trace and span ID are found in a log line,
 * where each hop writes them, and how Grafana links the three pillars. The Fluent Bit parsers and
 * OTLP output (logs/), the collector's transforms, and the Grafana datasources (grafana/) are all
 * generated from this object, and a test fails when any of them disagrees with it.
 */
export const traceCorrelation = {
    /** W3C Trace Context header fields (`00-<32 hex trace>-<16 hex span>-<2 hex flags>`), tried first. */
    traceparentFields: ["traceparent", "traceParent"],
    /**
     * Trace ID field names accepted in a JSON log line, in priority order. A dotted name matches
     * both a flat key (`"trace.id": ...`, ECS) and a nested object (`{"trace": {"id": ...}}`).
     */
    traceIdFields: ["trace_id", "traceId", "trace.id", "traceid", "TraceId", "otelTraceID"],
    /** Span ID field names, in the same priority order and with the same dotted-name rule. */
    spanIdFields: ["span_id", "spanId", "span.id", "spanid", "SpanId", "otelSpanID"],
    /**
     * Where Fluent Bit writes the normalised (lower-case hex) IDs in the record. Its OTLP output
     * reads them from here into the LogRecord's traceId/spanId, and the collector lifts them from
     * the attribute of the same name when a record arrives without them.
     */
    recordTraceIdKey: "trace_id",
    recordSpanIdKey: "span_id",
    /** The exemplar label that carries the trace ID (what the collector's Prometheus exporters write). */
    exemplarTraceIdLabel: "trace_id",
    /** Loki stores an OTLP record's trace ID as this structured-metadata label. */
    lokiTraceIdLabel: "trace_id",
    /** Grafana datasource UIDs, fixed so that links between datasources survive re-provisioning. */
    datasourceUids: { prometheus: "bulwark-prometheus", tempo: "bulwark-tempo", loki: "bulwark-loki" },
    /** Resource attributes shared by traces and logs, and the Loki label each becomes (trace → logs filter). */
    sharedResourceAttributes: [
        { attribute: "service.name", lokiLabel: "service_name", promLabel: "service" },
        { attribute: "k8s.namespace.name", lokiLabel: "k8s_namespace_name", promLabel: "namespace" },
    ],
} as const;

export type TraceCorrelation = typeof traceCorrelation;

/** A W3C traceparent: version, trace ID, parent span ID, flags (all lower-case hex). */
export const traceparentPattern = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The IDs a log record carries under the contract, or undefined; the reference the generated Lua must match. */
export function extractTraceContext(record: Readonly<Record<string, unknown>>): { traceId: string; spanId?: string } | undefined {
    const lookup = (field: string): unknown => {
        if (field in record) return record[field];
        let value: unknown = record;
        for (const part of field.split(".")) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
        return value;
    };
    for (const field of traceCorrelation.traceparentFields) {
        const match = traceparentPattern.exec(String(lookup(field) ?? "").trim().toLowerCase());
        if (match && !isZero(match[1]) && !isZero(match[2])) return { traceId: match[1], spanId: match[2] };
    }
    const firstId = (fields: readonly string[], length: number) =>
        fields.map((field) => String(lookup(field) ?? "").trim().toLowerCase()).find((value) => value.length === length && /^[0-9a-f]+$/.test(value) && !isZero(value));
    const traceId = firstId(traceCorrelation.traceIdFields, 32);
    if (traceId === undefined) return undefined;
    const spanId = firstId(traceCorrelation.spanIdFields, 16);
    return spanId === undefined ? { traceId } : { traceId, spanId };
}

function isZero(hex: string): boolean {
    return /^0+$/.test(hex);
}

/**
 * OTTL statements (log context) for the collector's transform processor: when a LogRecord carries
 * the contract's attribute, its trace and span fields are set from it (Fluent Bit already set the
 * same IDs; the statement is idempotent) (the applications' own OTLP logs
 * already carry IDs; this covers logs that reached the collector by another route).
 */
export function collectorLiftStatements(): string[] {
    const { recordTraceIdKey: trace, recordSpanIdKey: span } = traceCorrelation;
    return [
        `set(trace_id.string, attributes["${trace}"]) where attributes["${trace}"] != nil`,
        `set(span_id.string, attributes["${span}"]) where attributes["${span}"] != nil`,
    ];
}
