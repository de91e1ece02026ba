import { traceCorrelation } from "../correlation";
import { fluentBitOutputAlias } from "../logs/fluentBitConfig";

export const platformHealthDashboardUid = "bulwark-platform-health";

interface PanelSpec {
    readonly title: string;
    readonly unit: string;
    readonly queries: readonly { readonly expr: string; readonly legend: string }[];
    /** Show exemplars (the metric → trace link) on this panel. */
    readonly exemplars?: boolean;
    readonly type?: "timeseries" | "table";
}

/** The panels, as data: what the platform team watches first. */
export const platformHealthPanels: readonly PanelSpec[] = [
    {
        title: "Collector throughput (accepted per second)",
        unit: "short",
        queries: [{ expr: `sum by (receiver) (rate({__name__=~"otelcol_receiver_accepted_(spans|log_records|metric_points)_total"}[5m]))`, legend: "{{receiver}}" }],
    },
    {
        title: "Collector refusals and drops",
        unit: "short",
        queries: [
            { expr: `sum by (receiver) (rate({__name__=~"otelcol_receiver_refused_(spans|log_records|metric_points)_total"}[5m]))`, legend: "refused {{receiver}}" },
            { expr: `sum by (exporter) (rate({__name__=~"otelcol_exporter_(send|enqueue)_failed_(spans|log_records|metric_points)_total"}[5m]))`, legend: "dropped {{exporter}}" },
        ],
    },
    {
        title: "Collector exporter queue usage",
        unit: "percentunit",
        queries: [{ expr: "max by (exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity)", legend: "{{exporter}}" }],
    },
    {
        title: "Fluent Bit retries",
        unit: "short",
        queries: [
            { expr: `sum by (pod) (rate(fluentbit_output_retries_total{name="${fluentBitOutputAlias}"}[5m]))`, legend: "retries {{pod}}" },
            { expr: `sum by (pod) (rate(fluentbit_output_retries_failed_total{name="${fluentBitOutputAlias}"}[5m]))`, legend: "given up {{pod}}" },
        ],
    },
    {
        title: "Fluent Bit buffer available",
        unit: "percent",
        queries: [{ expr: `min by (pod) (fluentbit_output_chunk_available_capacity_percent{name="${fluentBitOutputAlias}"})`, legend: "{{pod}}" }],
    },
    {
        title: "Admission denials by guardrail",
        unit: "short",
        queries: [
            { expr: `sum by (policy) (rate(apiserver_validating_admission_policy_check_total{enforcement_action="deny"}[5m]))`, legend: "{{policy}}" },
            { expr: `sum by (policy_name) (rate(kyverno_policy_results_total{rule_result="fail"}[5m]))`, legend: "{{policy_name}}" },
        ],
    },
    {
        title: "Admission webhook latency p99",
        unit: "s",
        queries: [{ expr: "histogram_quantile(0.99, sum by (name, le) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m])))", legend: "{{name}}" }],
    },
    {
        title: "Certificate expiry",
        unit: "s",
        type: "table",
        queries: [{ expr: "min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time())", legend: "{{namespace}}/{{name}}" }],
    },
    {
        title: "Runtime security critical events",
        unit: "short",
        queries: [{ expr: `sum by (rule_name) (increase(falcosecurity_falco_rules_matches_total{priority=~"(?i)emergency|alert|critical|0|1|2"}[5m]))`, legend: "{{rule_name}}" }],
    },
    {
        title: "Request latency p99 (exemplars open the trace)",
        unit: "s",
        exemplars: true,
        queries: [{ expr: "histogram_quantile(0.99, sum by (le, service_name) (rate(http_server_request_duration_seconds_bucket[5m])))", legend: "{{service_name}}" }],
    },
];

/** The Grafana dashboard JSON model; deterministic (fixed uid and ids). */
export function platformHealthDashboard() {
    const datasource = { type: "prometheus", uid: traceCorrelation.datasourceUids.prometheus };
    return {
        uid: platformHealthDashboardUid,
        title: "Bulwark / Platform health",
        tags: ["bulwark"],
        timezone: "utc",
        schemaVersion: 39,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: platformHealthPanels.map((panel, index) => ({
            id: index + 1,
            title: panel.title,
            type: panel.type ?? "timeseries",
            datasource,
            gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: panel.queries.map((query, queryIndex) => ({
                refId: String.fromCharCode(65 + queryIndex),
                datasource,
                expr: query.expr,
                legendFormat: query.legend,
                exemplar: panel.exemplars === true,
                instant: panel.type === "table",
                range: panel.type !== "table",
            })),
        })),
    };
}
