// One promtool unit-test case per alert rule (components/observability/metrics/alerts.ts): series
// that must fire the alert with exactly these labels and summary, and series that must not.
// Times are minutes from the start; series use promtool's expanding notation ('0+10x30').

export interface AlertCase {
    readonly alert: string;
    /** Series that make the alert fire by `evalMinutes`. */
    readonly firing: Record<string, string>;
    /** Series on which the alert must stay silent at `evalMinutes` (the healthy or borderline case). */
    readonly quiet: Record<string, string>;
    readonly evalMinutes: number;
    /** Labels of the one alert expected (severity is added from the rule). */
    readonly labels: Record<string, string>;
    /** The rendered summary annotation. */
    readonly summary: string;
}

const days = 24 * 3600;

export const alertCases: readonly AlertCase[] = [
    {
        alert: "OtelCollectorRefusingData",
        firing: {
            'otelcol_receiver_refused_log_records_total{namespace="bulwark-system",receiver="otlp",pod="gw-0"}': "0+60x30",
            'otelcol_receiver_refused_spans_total{namespace="bulwark-system",receiver="otlp",pod="gw-1"}': "0+0x30",
        },
        quiet: { 'otelcol_receiver_refused_spans_total{namespace="bulwark-system",receiver="otlp",pod="gw-0"}': "5+0x30" },
        evalMinutes: 20,
        labels: { namespace: "bulwark-system", receiver: "otlp" },
        summary: "Collector receiver otlp in bulwark-system refuses telemetry",
    },
    {
        alert: "OtelCollectorExporterQueueNearlyFull",
        firing: {
            'otelcol_exporter_queue_size{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "900x30",
            'otelcol_exporter_queue_capacity{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "1000x30",
        },
        quiet: {
            'otelcol_exporter_queue_size{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "800x30",
            'otelcol_exporter_queue_capacity{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "1000x30",
        },
        evalMinutes: 20,
        labels: { namespace: "bulwark-system", exporter: "otlp/tempo" },
        summary: "Collector exporter otlp/tempo in bulwark-system has its sending queue over 80% full",
    },
    {
        alert: "OtelCollectorExporterSendFailing",
        firing: { 'otelcol_exporter_send_failed_spans_total{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "0+30x30" },
        quiet: { 'otelcol_exporter_send_failed_spans_total{namespace="bulwark-system",exporter="otlp/tempo",pod="gw-0"}': "0+30x3 90x27" },
        evalMinutes: 25,
        labels: { namespace: "bulwark-system", exporter: "otlp/tempo" },
        summary: "Collector exporter otlp/tempo in bulwark-system fails to send after retries",
    },
    {
        alert: "OtelCollectorDroppingTelemetry",
        firing: { 'otelcol_exporter_enqueue_failed_log_records_total{namespace="bulwark-system",exporter="otlphttp/loki",pod="gw-0"}': "0+5x30" },
        quiet: { 'otelcol_exporter_enqueue_failed_log_records_total{namespace="bulwark-system",exporter="otlphttp/loki",pod="gw-0"}': "0x30" },
        evalMinutes: 10,
        labels: { namespace: "bulwark-system", exporter: "otlphttp/loki" },
        summary: "Collector exporter otlphttp/loki in bulwark-system drops spans, logs or metrics: its queue is full",
    },
    {
        alert: "FluentBitOutputRetriesFailing",
        firing: { 'fluentbit_output_retries_failed_total{namespace="bulwark-logging",pod="fluent-bit-abc",name="otlp_gateway"}': "0+1x30" },
        quiet: { 'fluentbit_output_retries_total{namespace="bulwark-logging",pod="fluent-bit-abc",name="otlp_gateway"}': "0+10x30" },
        evalMinutes: 15,
        labels: { namespace: "bulwark-logging", pod: "fluent-bit-abc", name: "otlp_gateway" },
        summary: "Fluent Bit output otlp_gateway on fluent-bit-abc gives up on chunks after all retries",
    },
    {
        alert: "FluentBitBufferFilling",
        firing: { 'fluentbit_output_chunk_available_capacity_percent{namespace="bulwark-logging",pod="fluent-bit-abc",name="otlp_gateway"}': "15x30" },
        quiet: { 'fluentbit_output_chunk_available_capacity_percent{namespace="bulwark-logging",pod="fluent-bit-abc",name="otlp_gateway"}': "25x30" },
        evalMinutes: 20,
        labels: { namespace: "bulwark-logging", pod: "fluent-bit-abc", name: "otlp_gateway" },
        summary: "Fluent Bit output otlp_gateway on fluent-bit-abc has less than 20% of its filesystem buffer left",
    },
    {
        alert: "FluentBitInputOverLimit",
        firing: { 'fluentbit_input_storage_overlimit{namespace="bulwark-logging",pod="fluent-bit-abc",name="tail.0"}': "1x30" },
        quiet: { 'fluentbit_input_storage_overlimit{namespace="bulwark-logging",pod="fluent-bit-abc",name="tail.0"}': "0x30" },
        evalMinutes: 10,
        labels: { namespace: "bulwark-logging", pod: "fluent-bit-abc", name: "tail.0" },
        summary: "Fluent Bit input tail.0 on fluent-bit-abc is over its memory buffer limit and paused",
    },
    {
        alert: "AdmissionWebhookErrors",
        firing: {
            'apiserver_admission_webhook_rejection_count{name="validate.kyverno.svc-fail",type="validating",error_type="calling_webhook_error",rejection_code="0"}': "0+3x30",
        },
        // A policy that denies a request is the webhook working, not failing.
        quiet: {
            'apiserver_admission_webhook_rejection_count{name="validate.kyverno.svc-fail",type="validating",error_type="no_error",rejection_code="400"}': "0+3x30",
        },
        evalMinutes: 15,
        labels: { name: "validate.kyverno.svc-fail" },
        summary: "Admission webhook validate.kyverno.svc-fail fails: the API server cannot call it",
    },
    {
        alert: "AdmissionWebhookLatencyHigh",
        firing: {
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="0.5"}': "0+0x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="2.5"}': "0+0x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="10"}': "0+10x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="+Inf"}': "0+10x30",
        },
        quiet: {
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="0.5"}': "0+10x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="2.5"}': "0+10x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="10"}': "0+10x30",
            'apiserver_admission_webhook_admission_duration_seconds_bucket{name="policy.sigstore.dev",le="+Inf"}': "0+10x30",
        },
        evalMinutes: 20,
        labels: { name: "policy.sigstore.dev" },
        summary: "Admission webhook policy.sigstore.dev takes 9.925s at the 99th percentile",
    },
    {
        alert: "CertificateExpiringSoon",
        // promtool's clock starts at 0, so an expiry timestamp of N seconds is N seconds away.
        firing: { 'certmanager_certificate_expiration_timestamp_seconds{namespace="istio-system",name="istio-ca",pod="cm-0"}': `${10 * days}x120` },
        quiet: { 'certmanager_certificate_expiration_timestamp_seconds{namespace="istio-system",name="istio-ca",pod="cm-0"}': `${30 * days}x120` },
        evalMinutes: 90,
        labels: { namespace: "istio-system", name: "istio-ca" },
        summary: "Certificate istio-system/istio-ca expires in less than 14 days",
    },
    {
        alert: "CertificateNotReady",
        firing: { 'certmanager_certificate_ready_status{namespace="kyverno",name="kyverno-svc",condition="False",pod="cm-0"}': "1x30" },
        quiet: {
            'certmanager_certificate_ready_status{namespace="kyverno",name="kyverno-svc",condition="False",pod="cm-0"}': "0x30",
            'certmanager_certificate_ready_status{namespace="kyverno",name="kyverno-svc",condition="True",pod="cm-0"}': "1x30",
        },
        evalMinutes: 20,
        labels: { namespace: "kyverno", name: "kyverno-svc" },
        summary: "Certificate kyverno/kyverno-svc is not ready",
    },
    {
        alert: "RuntimeSecurityCriticalEvent",
        firing: {
            'falcosecurity_falco_rules_matches_total{rule_name="Terminal shell in container",priority="Critical",k8s_ns_name="checkout",pod="falco-x"}': "0 0 1 1 1 1",
        },
        quiet: {
            'falcosecurity_falco_rules_matches_total{rule_name="Contact K8S API Server From Container",priority="Notice",k8s_ns_name="checkout",pod="falco-x"}': "0 0 1 2 3 4",
        },
        evalMinutes: 3,
        labels: { rule_name: "Terminal shell in container", k8s_ns_name: "checkout" },
        summary: "Runtime security rule 'Terminal shell in container' fired in namespace checkout",
    },
];
