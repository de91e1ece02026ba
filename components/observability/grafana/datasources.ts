import type { TraceLogEndpoints } from "../backends/endpoints";
import { traceCorrelation } from "../correlation";

const { datasourceUids: uids, sharedResourceAttributes } = traceCorrelation;

/**
 * The Prometheus datasource's exemplar link (kube-prometheus-stack's
 * `grafana.sidecar.datasources.exemplarTraceIdDestinations`): an exemplar's trace ID label opens
 * the trace in Tempo.
 */
export function exemplarTraceIdDestination() {
    return { datasourceUid: uids.tempo, traceIdLabelName: traceCorrelation.exemplarTraceIdLabel, urlDisplayLabel: "View trace" };
}

/**
 * Tempo and Loki datasources, linked both ways: a Loki log line's trace ID opens the trace; a
 * trace opens its logs (filtered by trace ID and the shared resource attributes) and its
 * service's metrics. The URLs are the derived endpoints the collector exports to (backends/endpoints.ts).
 */
export function correlatedDatasources(backends: TraceLogEndpoints) {
    const tags = sharedResourceAttributes.map((shared) => ({ key: shared.attribute, value: shared.lokiLabel }));
    return [
        {
            name: "Tempo",
            uid: uids.tempo,
            type: "tempo",
            access: "proxy",
            url: backends.traces.queryUrl,
            editable: false,
            jsonData: {
                tracesToLogsV2: {
                    datasourceUid: uids.loki,
                    filterByTraceID: true,
                    filterBySpanID: false,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    tags,
                },
                tracesToMetrics: {
                    datasourceUid: uids.prometheus,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    tags: sharedResourceAttributes.map((shared) => ({ key: shared.attribute, value: shared.promLabel })),
                    queries: [
                        { name: "Request rate", query: "sum(rate(traces_spanmetrics_calls_total{$$__tags}[5m]))" },
                        { name: "p99 latency", query: "histogram_quantile(0.99, sum by (le) (rate(traces_spanmetrics_duration_seconds_bucket{$$__tags}[5m])))" },
                    ],
                },
                serviceMap: { datasourceUid: uids.prometheus },
                nodeGraph: { enabled: true },
                lokiSearch: { datasourceUid: uids.loki },
            },
        },
        {
            name: "Loki",
            uid: uids.loki,
            type: "loki",
            access: "proxy",
            url: backends.logs.queryUrl,
            editable: false,
            jsonData: {
                derivedFields: [
                    // OTLP logs keep the trace ID as structured metadata, not in the line. Grafana expands
                    // $VAR in provisioning files, so a literal $ is written $$.
                    { name: "TraceID", matcherType: "label", matcherRegex: traceCorrelation.lokiTraceIdLabel, datasourceUid: uids.tempo, url: "$${__value.raw}", urlDisplayLabel: "View trace" },
                ],
            },
        },
    ];
}
