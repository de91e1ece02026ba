/**
 * The platform's alert rules as typed data. `prometheusRuleSpec` turns them into a PrometheusRule's
 * spec; every rule has a `promtool test rules` case in test/unit/alert-rules.test.ts (a test fails
 * when a rule has none) and a runbook section in docs/runbooks.md.
 */

export type AlertSeverity = "critical" | "warning";

/** Which platform part a rule watches; also the rule group it lands in. */
export type AlertArea = "collector" | "fluent-bit" | "admission" | "certificates" | "runtime-security";

export interface AlertRule {
    /** Alert name, CamelCase; also the runbook anchor (lower-cased). */
    readonly alert: string;
    readonly area: AlertArea;
    /** PromQL; the labels it keeps are the labels the alert carries. */
    readonly expr: string;
    /** How long the condition must hold. */
    readonly for: string;
    readonly severity: AlertSeverity;
    /** One line, may use `{{ $labels.x }}` and `{{ $value }}`. */
    readonly summary: string;
    /** What it means and the first thing to look at (static text). */
    readonly description: string;
}

const refusedData = `{__name__=~"otelcol_receiver_refused_(spans|log_records|metric_points)_total"}`;
const enqueueFailed = `{__name__=~"otelcol_exporter_enqueue_failed_(spans|log_records|metric_points)_total"}`;
const sendFailed = `{__name__=~"otelcol_exporter_send_failed_(spans|log_records|metric_points)_total"}`;

export const alertRules: readonly AlertRule[] = [
    {
        alert: "OtelCollectorRefusingData",
        area: "collector",
        expr: `sum by (namespace, receiver) (rate(${refusedData}[5m])) > 0`,
        for: "5m",
        severity: "warning",
        summary: "Collector receiver {{ $labels.receiver }} in {{ $labels.namespace }} refuses telemetry",
        description: "The receiver answers senders with an error, usually because memory_limiter is over its soft limit. Senders retry, then drop.",
    },
    {
        alert: "OtelCollectorExporterQueueNearlyFull",
        area: "collector",
        expr: "max by (namespace, exporter) (otelcol_exporter_queue_size / otelcol_exporter_queue_capacity) > 0.8",
        for: "5m",
        severity: "warning",
        summary: "Collector exporter {{ $labels.exporter }} in {{ $labels.namespace }} has its sending queue over 80% full",
        description: "The backend is slower than the incoming telemetry or unreachable; once the queue is full, new data is dropped.",
    },
    {
        alert: "OtelCollectorExporterSendFailing",
        area: "collector",
        expr: `sum by (namespace, exporter) (rate(${sendFailed}[5m])) > 0`,
        for: "10m",
        severity: "warning",
        summary: "Collector exporter {{ $labels.exporter }} in {{ $labels.namespace }} fails to send after retries",
        description: "Batches that exhausted their retries were dropped. Check the backend and the exporter's logs.",
    },
    {
        alert: "OtelCollectorDroppingTelemetry",
        area: "collector",
        expr: `sum by (namespace, exporter) (rate(${enqueueFailed}[5m])) > 0`,
        for: "1m",
        severity: "critical",
        summary: "Collector exporter {{ $labels.exporter }} in {{ $labels.namespace }} drops spans, logs or metrics: its queue is full",
        description: "Telemetry is being lost right now. Scale the gateway or fix the backend before the gap grows.",
    },
    {
        alert: "FluentBitOutputRetriesFailing",
        area: "fluent-bit",
        expr: "sum by (namespace, pod, name) (rate(fluentbit_output_retries_failed_total[5m])) > 0",
        for: "5m",
        severity: "critical",
        summary: "Fluent Bit output {{ $labels.name }} on {{ $labels.pod }} gives up on chunks after all retries",
        description: "Log chunks that exhausted their retries are discarded. Check the collector gateway's reachability and refusals.",
    },
    {
        alert: "FluentBitBufferFilling",
        area: "fluent-bit",
        expr: "min by (namespace, pod, name) (fluentbit_output_chunk_available_capacity_percent) < 20",
        for: "10m",
        severity: "warning",
        summary: "Fluent Bit output {{ $labels.name }} on {{ $labels.pod }} has less than 20% of its filesystem buffer left",
        description: "The output cannot keep up; when the buffer is full the oldest chunks are dropped.",
    },
    {
        alert: "FluentBitInputOverLimit",
        area: "fluent-bit",
        expr: "max by (namespace, pod, name) (fluentbit_input_storage_overlimit) > 0",
        for: "5m",
        severity: "warning",
        summary: "Fluent Bit input {{ $labels.name }} on {{ $labels.pod }} is over its memory buffer limit and paused",
        description: "Tailing is paused while chunks wait to be flushed; container logs may rotate away before they are read.",
    },
    {
        alert: "AdmissionWebhookErrors",
        area: "admission",
        expr: `sum by (name) (rate(apiserver_admission_webhook_rejection_count{error_type=~"calling_webhook_error|apiserver_internal_error"}[5m])) > 0`,
        for: "5m",
        severity: "critical",
        summary: "Admission webhook {{ $labels.name }} fails: the API server cannot call it",
        description: "Guardrail webhooks fail closed, so these requests are rejected. Check the engine's pods, Service and certificate.",
    },
    {
        alert: "AdmissionWebhookLatencyHigh",
        area: "admission",
        expr: "histogram_quantile(0.99, sum by (name, le) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m]))) > 2",
        for: "10m",
        severity: "warning",
        summary: "Admission webhook {{ $labels.name }} takes {{ $value | humanizeDuration }} at the 99th percentile",
        description: "Slow admission delays every write and ends in timeouts; signature verification is the usual cause (see the verdict cache).",
    },
    {
        alert: "CertificateExpiringSoon",
        area: "certificates",
        expr: "min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) < 14 * 24 * 3600",
        for: "1h",
        severity: "warning",
        summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days",
        description: "cert-manager renews at two thirds of the lifetime, so a certificate this close to expiry is not being renewed.",
    },
    {
        alert: "CertificateNotReady",
        area: "certificates",
        expr: `max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1`,
        for: "15m",
        severity: "critical",
        summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
        description: "Its issuer failed; mesh workload certificates or webhook serving certificates depend on it.",
    },
    {
        alert: "RuntimeSecurityCriticalEvent",
        area: "runtime-security",
        expr: `sum by (rule_name, k8s_ns_name) (increase(falcosecurity_falco_rules_matches_total{priority=~"(?i)emergency|alert|critical|0|1|2"}[5m])) > 0`,
        for: "0m",
        severity: "critical",
        summary: "Runtime security rule '{{ $labels.rule_name }}' fired in namespace {{ $labels.k8s_ns_name }}",
        description: "A critical runtime detection (suspicious syscall, file access or process execution). Follow the trace and log links from the event.",
    },
];

/** The anchor of a rule's section in the runbook. */
export function runbookUrl(baseUrl: string, alert: string): string {
    return `${baseUrl}#${alert.toLowerCase()}`;
}

/** The `spec` of a PrometheusRule holding the rules, one group per area, in a stable order. */
export function prometheusRuleSpec(rules: readonly AlertRule[], runbookBaseUrl: string) {
    const areas = [...new Set(rules.map((rule) => rule.area))];
    return {
        groups: areas.map((area) => ({
            name: `bulwark-${area}`,
            rules: rules
                .filter((rule) => rule.area === area)
                .map((rule) => ({
                    alert: rule.alert,
                    expr: rule.expr,
                    for: rule.for,
                    labels: { severity: rule.severity },
                    annotations: { summary: rule.summary, description: rule.description, runbook_url: runbookUrl(runbookBaseUrl, rule.alert) },
                })),
        })),
    };
}
