import * as assert from "assert";
import * as yaml from "js-yaml";
import { traceLogEndpoints } from "../../components/observability/backends/endpoints";
import { collectorConfig } from "../../components/observability/collector/pipeline";
import { collectorLiftStatements, extractTraceContext, traceCorrelation } from "../../components/observability/correlation";
import { platformHealthDashboard } from "../../components/observability/grafana/dashboard";
import { correlatedDatasources, exemplarTraceIdDestination } from "../../components/observability/grafana/datasources";
import { fluentBitConfigFiles, fluentBitConfigObject, fluentBitPlugins } from "../../components/observability/logs/fluentBitConfig";
import { resolveFluentBitArgs } from "../../components/observability/logs/fluentBitResources";
import { traceContextLua } from "../../components/observability/logs/traceContextLua";
import { kubePrometheusStackValues } from "../../components/observability/metrics/stackValues";
import { parsePlatformSettings } from "../../components/settings";
import { readVersions } from "../engines/harness/engines";

const settings = parsePlatformSettings({}, "inline", "unit");
const fluentBitInput = resolveFluentBitArgs(settings.observability.logs, "telemetry");
const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
const span = "00f067aa0ba902b7";

describe("the correlation contract", () => {
    describe("reference extraction (what the Fluent Bit filter must do)", () => {
        const cases: [string, Record<string, unknown>, ReturnType<typeof extractTraceContext>][] = [
            ["W3C traceparent", { traceparent: `00-${trace}-${span}-01` }, { traceId: trace, spanId: span }],
            ["traceparent wins over trace_id", { traceparent: `00-${trace}-${span}-01`, trace_id: "1".repeat(32) }, { traceId: trace, spanId: span }],
            ["trace_id and span_id", { trace_id: trace, span_id: span }, { traceId: trace, spanId: span }],
            ["camelCase, upper-case hex", { traceId: trace.toUpperCase(), spanId: span.toUpperCase() }, { traceId: trace, spanId: span }],
            ["ECS flat dotted keys", { "trace.id": trace, "span.id": span }, { traceId: trace, spanId: span }],
            ["ECS nested objects", { trace: { id: trace }, span: { id: span } }, { traceId: trace, spanId: span }],
            ["trace without span", { trace_id: trace }, { traceId: trace }],
            ["all-zero trace ID (invalid)", { trace_id: "0".repeat(32), span_id: span }, undefined],
            ["wrong length", { trace_id: trace.slice(1), span_id: span }, undefined],
            ["malformed traceparent falls back to fields", { traceparent: "garbage", trace_id: trace }, { traceId: trace }],
            ["no trace at all", { message: "hello" }, undefined],
        ];
        for (const [title, record, expected] of cases) {
            it(title, () => assert.deepStrictEqual(extractTraceContext(record), expected));
        }
    });

    it("the Fluent Bit Lua filter lists exactly the contract's field names, in its order", () => {
        const lua = traceContextLua();
        const list = (name: string) => JSON.parse(`[${/local (\w+) = \{ (.*) \}/g.exec(lua.split("\n").find((line) => line.startsWith(`local ${name} =`))!)![2]}]`);
        assert.deepStrictEqual(list("traceparent_fields"), [...traceCorrelation.traceparentFields]);
        assert.deepStrictEqual(list("trace_id_fields"), [...traceCorrelation.traceIdFields]);
        assert.deepStrictEqual(list("span_id_fields"), [...traceCorrelation.spanIdFields]);
        assert.match(lua, new RegExp(`record\\["${traceCorrelation.recordTraceIdKey}"\\] = trace_id`));
        assert.match(lua, new RegExp(`record\\["${traceCorrelation.recordSpanIdKey}"\\] = span_id`));
    });

    it("the Fluent Bit OTLP output reads the IDs from the keys the filter writes", () => {
        const config = yaml.load(fluentBitConfigFiles(fluentBitInput)["fluent-bit.yaml"]) as ReturnType<typeof fluentBitConfigObject>;
        const [output] = config.pipeline.outputs;
        assert.strictEqual(output.logs_trace_id_message_key, traceCorrelation.recordTraceIdKey);
        assert.strictEqual(output.logs_span_id_message_key, traceCorrelation.recordSpanIdKey);
        // The collector lifts the IDs from attributes, so the fields beside the body must arrive as attributes.
        assert.strictEqual(output.logs_body_key_attributes, "on");
        const calls = config.pipeline.filters.filter((filter) => filter.name === "lua").map((filter) => (filter as { call: string }).call);
        assert.strictEqual(calls.length, 2);
        for (const call of calls) assert.match(traceContextLua(), new RegExp(`^function ${call}\\(tag, timestamp, record\\)$`, "m"));
    });

    it("the collector's transform statements lift the same attribute keys", () => {
        const statements = collectorLiftStatements().join("\n");
        assert.match(statements, new RegExp(`set\\(trace_id.string, attributes\\["${traceCorrelation.recordTraceIdKey}"\\]\\)`));
        assert.match(statements, new RegExp(`set\\(span_id.string, attributes\\["${traceCorrelation.recordSpanIdKey}"\\]\\)`));
    });

    it("Grafana links point at the datasources that exist, with the contract's labels", () => {
        const values = kubePrometheusStackValues(settings.observability.metrics, traceLogEndpoints(settings));
        const uids = traceCorrelation.datasourceUids;
        const datasources = correlatedDatasources(traceLogEndpoints(settings));
        const byUid = new Map<string, (typeof datasources)[number]>(datasources.map((datasource) => [datasource.uid, datasource]));
        // The Prometheus datasource is the chart's own (sidecar); Tempo and Loki are additional ones.
        assert.strictEqual(values.grafana.sidecar.datasources.uid, uids.prometheus);
        assert.deepStrictEqual(values.grafana.additionalDataSources, datasources);
        const existing = new Set([values.grafana.sidecar.datasources.uid, ...byUid.keys()]);

        const exemplar = values.grafana.sidecar.datasources.exemplarTraceIdDestinations;
        assert.deepStrictEqual(exemplar, exemplarTraceIdDestination());
        assert.strictEqual(exemplar.traceIdLabelName, traceCorrelation.exemplarTraceIdLabel);
        assert.strictEqual(byUid.get(exemplar.datasourceUid)?.type, "tempo", "exemplars open Tempo");

        const tempo = byUid.get(uids.tempo)!.jsonData as { tracesToLogsV2: { datasourceUid: string; filterByTraceID: boolean }; tracesToMetrics: { datasourceUid: string } };
        assert.strictEqual(byUid.get(tempo.tracesToLogsV2.datasourceUid)?.type, "loki", "traces open Loki");
        assert.strictEqual(tempo.tracesToLogsV2.filterByTraceID, true);
        assert.ok(existing.has(tempo.tracesToMetrics.datasourceUid) && tempo.tracesToMetrics.datasourceUid === uids.prometheus, "traces open Prometheus");

        const loki = byUid.get(uids.loki)!.jsonData as { derivedFields: { matcherRegex: string; datasourceUid: string }[] };
        assert.strictEqual(loki.derivedFields.length, 1);
        assert.strictEqual(loki.derivedFields[0].matcherRegex, traceCorrelation.lokiTraceIdLabel);
        assert.strictEqual(byUid.get(loki.derivedFields[0].datasourceUid)?.type, "tempo", "log lines open Tempo");

        for (const panel of platformHealthDashboard().panels) assert.strictEqual(panel.datasource.uid, uids.prometheus, panel.title);
    });

    it("the collector's exporters and Grafana's datasources name the same Tempo and Loki (one endpoint source)", () => {
        const endpoints = traceLogEndpoints(settings);
        const gateway = collectorConfig({ role: "gateway", settings: settings.observability.collector, gatewayEndpoint: "unused:4317", backends: endpoints }) as { exporters: Record<string, { endpoint: string }> };
        const datasources = kubePrometheusStackValues(settings.observability.metrics, endpoints).grafana.additionalDataSources;
        const hostOf = (endpoint: string) => (endpoint.includes("://") ? new URL(endpoint).hostname : endpoint.split(":")[0]);
        const tempoUrl = datasources.find((datasource) => datasource.type === "tempo")!.url;
        const lokiUrl = datasources.find((datasource) => datasource.type === "loki")!.url;
        assert.strictEqual(hostOf(gateway.exporters["otlp_grpc/tempo"].endpoint), hostOf(tempoUrl));
        assert.strictEqual(gateway.exporters["otlp_http/loki"].endpoint, `${lokiUrl}/otlp`);
    });

    it("the Fluent Bit engine is built with exactly the plugins the generated config uses", () => {
        const built = readVersions()["FLUENT_BIT_PLUGINS"].split(",");
        assert.deepStrictEqual([...built].sort(), [...fluentBitPlugins].sort());
        const config = fluentBitConfigObject(fluentBitInput);
        const pluginOf: Record<string, string> = { tail: "IN_TAIL", kubernetes: "FILTER_KUBERNETES", parser: "FILTER_PARSER", lua: "FILTER_LUA", opentelemetry: "OUT_OPENTELEMETRY" };
        const used = [
            ...config.pipeline.inputs.map((input) => pluginOf[input.name]),
            ...config.pipeline.filters.map((filter) => pluginOf[filter.name]),
            ...config.pipeline.outputs.map((output) => pluginOf[output.name]),
            // Filesystem buffering replays chunks left on disk through the storage_backlog input.
            ...(config.pipeline.inputs.some((input) => input["storage.type"] === "filesystem") ? ["IN_STORAGE_BACKLOG"] : []),
        ];
        assert.deepStrictEqual([...new Set(used)].sort(), [...fluentBitPlugins].sort());
    });
});
