// The metric -> trace link, proven rather than configured: the real collector (otelcol) sends a
// histogram with an exemplar over remote write to a real Prometheus (Debian's, with the remote-write
// receiver and exemplar storage, as kube-prometheus-stack is configured), and Prometheus's exemplar
// API returns the trace ID that was sent, under the label Grafana's exemplar link reads.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { traceLogEndpoints } from "../../components/observability/backends/endpoints";
import { traceCorrelation } from "../../components/observability/correlation";
import { platformHealthPanels } from "../../components/observability/grafana/dashboard";
import { alertRules } from "../../components/observability/metrics/alerts";
import { kubePrometheusStackValues } from "../../components/observability/metrics/stackValues";
import { parsePlatformSettings } from "../../components/settings";
import { ensureEngines, skipOrFail } from "./harness/engines";
import { freePort, RunningProcess, startProcess, waitFor } from "./harness/servers";

const traceId = "5b8efff798038103d269b633813fc60c";
const spanId = "eee19b7ec3c1b174";

/** One cumulative histogram data point with one exemplar, as OTLP/HTTP JSON. */
function histogramWithExemplar(nowNanos: bigint) {
    const start = (nowNanos - 60_000_000_000n).toString();
    const now = nowNanos.toString();
    return {
        resourceMetrics: [
            {
                resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] },
                scopeMetrics: [
                    {
                        scope: { name: "bulwark-engine-test" },
                        metrics: [
                            {
                                name: "http.server.request.duration",
                                unit: "s",
                                histogram: {
                                    aggregationTemporality: 2,
                                    dataPoints: [
                                        {
                                            startTimeUnixNano: start,
                                            timeUnixNano: now,
                                            count: "3",
                                            sum: 1.9,
                                            bucketCounts: ["1", "1", "1"],
                                            explicitBounds: [0.1, 1],
                                            exemplars: [{ timeUnixNano: now, asDouble: 1.2, traceId, spanId }],
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                ],
            },
        ],
    };
}

describe("Prometheus (real) receives exemplars from the collector (real)", function () {
    this.timeout(300_000);
    let dir: string;
    let prometheus: RunningProcess | undefined;
    let collector: RunningProcess | undefined;
    let promUrl: string;
    let otlpPort: number;
    const logs = () => `--- prometheus:\n${prometheus?.output().slice(-3000)}\n--- otelcol:\n${collector?.output().slice(-3000)}`;

    before(async function () {
        let otelcol: string;
        try {
            otelcol = (await ensureEngines(["otelcol"] as const)).otelcol;
            if (spawnSync("prometheus", ["--version"]).status !== 0) throw new Error("prometheus is not on PATH: install Debian's 'prometheus' package");
        } catch (error) {
            skipOrFail(this, error);
        }
        // The platform's Prometheus settings that this test mirrors with Debian's binary.
        const defaults = parsePlatformSettings({}, "inline", "unit");
        const spec = kubePrometheusStackValues(defaults.observability.metrics, traceLogEndpoints(defaults)).prometheus.prometheusSpec;
        assert.strictEqual(spec.enableRemoteWriteReceiver, true);
        assert.ok(spec.enableFeatures.includes("exemplar-storage"));

        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-prom-"));
        const promPort = await freePort();
        promUrl = `http://127.0.0.1:${promPort}`;
        fs.writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");
        prometheus = startProcess("prometheus", "prometheus", [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
            "--web.enable-remote-write-receiver",
            `--enable-feature=${spec.enableFeatures.join(",")}`,
        ]);
        await waitFor("Prometheus ready", async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 60_000, logs);

        otlpPort = await freePort();
        // The collector's metrics path to Prometheus: OTLP in, memory_limiter first, remote write out
        // (what the gateway does towards kube-prometheus-stack's receiver).
        const config = {
            receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } } },
            processors: { memory_limiter: { check_interval: "1s", limit_mib: 256, spike_limit_mib: 64 } },
            exporters: { prometheusremotewrite: { endpoint: `${promUrl}/api/v1/write` } },
            service: { telemetry: { metrics: { level: "none" } }, pipelines: { metrics: { receivers: ["otlp"], processors: ["memory_limiter"], exporters: ["prometheusremotewrite"] } } },
        };
        fs.writeFileSync(path.join(dir, "otelcol.yaml"), yaml.dump(config));
        collector = startProcess("otelcol", otelcol!, ["--config", path.join(dir, "otelcol.yaml")]);
        await waitFor("the collector's OTLP receiver", async () => ((await fetch(`http://127.0.0.1:${otlpPort}/v1/metrics`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).ok ? true : undefined), 60_000, logs);
    });

    after(async () => {
        await collector?.stop();
        await prometheus?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the exemplar query API returns the trace ID that was sent, under the contract's label", async () => {
        const nowNanos = BigInt(Date.now()) * 1_000_000n;
        const sent = await fetch(`http://127.0.0.1:${otlpPort}/v1/metrics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(histogramWithExemplar(nowNanos)) });
        assert.ok(sent.ok, `the collector refused the metrics: ${sent.status} ${await sent.text()}`);
        const start = Math.floor(Date.now() / 1000) - 600;
        const exemplars = await waitFor(
            "the exemplar in Prometheus",
            async () => {
                const names = ((await (await fetch(`${promUrl}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data;
                const bucket = names.find((name) => name.startsWith("http_server_request_duration") && name.endsWith("_bucket"));
                if (bucket === undefined) return undefined;
                const response = (await (await fetch(`${promUrl}/api/v1/query_exemplars?query=${encodeURIComponent(bucket)}&start=${start}&end=${start + 1200}`)).json()) as {
                    data: { exemplars: { labels: Record<string, string> }[] }[];
                };
                const found = response.data.flatMap((series) => series.exemplars);
                return found.length > 0 ? found : undefined;
            },
            90_000,
            logs,
        );
        assert.deepStrictEqual(
            exemplars.map((exemplar) => exemplar.labels[traceCorrelation.exemplarTraceIdLabel]),
            [traceId],
        );
        assert.strictEqual(exemplars[0].labels.span_id, spanId);
    });

    it("every dashboard query and alert expression parses in the real Prometheus", async () => {
        const expressions = [...platformHealthPanels.flatMap((panel) => panel.queries.map((query) => query.expr)), ...alertRules.map((rule) => rule.expr)];
        for (const expr of expressions) {
            const response = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { status: string; error?: string };
            assert.strictEqual(response.status, "success", `${expr}: ${response.error}`);
        }
    });
});
