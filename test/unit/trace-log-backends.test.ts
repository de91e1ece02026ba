import * as assert from "assert";
import * as path from "path";
import * as yaml from "js-yaml";
import { RenderResult } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { lokiValues, tempoValues } from "../../components/observability/backends/chartValues";
import { lokiFullname, tempoFullname, traceLogEndpoints } from "../../components/observability/backends/endpoints";
import { Platform } from "../../components/platform";
import { parsePlatformSettings, PlatformSettings } from "../../components/settings";
import { chartRepositories, versions } from "../../components/versions";
import { byType, renderStackFile, renderWith, repoRoot, stackNames } from "../support/render";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const releaseType = "kubernetes:helm.sh/v3:Release";
const externalTempo = { otlpGrpc: "tempo-distributor.tracing.example.com:4317", queryUrl: "https://tempo.tracing.example.com" };
const externalLoki = { otlpUrl: "https://loki.logging.example.com/otlp", queryUrl: "https://loki.logging.example.com" };

function renderPlatform(raw: unknown): Promise<RenderResult> {
    const settings = parsePlatformSettings(raw, "inline", "unit");
    return renderWith(raw, async () => {
        new Platform("bulwark", { settings });
        return {};
    });
}

const releases = (result: RenderResult, chart: string): Inputs[] => byType(result, releaseType).map((resource) => resource.inputs as Inputs).filter((inputs) => inputs.chart === chart);

/** What the rendered objects say: the gateway's exporters (its ConfigMap) and Grafana's datasources (the chart values). */
function wiredEndpoints(result: RenderResult) {
    const configMap = byType(result, "kubernetes:core/v1:ConfigMap").find((resource) => (resource.inputs as Inputs).metadata.name === "otel-gateway-config");
    assert.ok(configMap, "the collector gateway's ConfigMap is rendered");
    const gateway = yaml.load(Object.values((configMap.inputs as Inputs).data as Record<string, string>)[0]) as Inputs;
    const [stack] = releases(result, "kube-prometheus-stack");
    assert.ok(stack, "kube-prometheus-stack is rendered");
    const datasources = stack.values.grafana.additionalDataSources as Inputs[];
    return {
        collectorTraces: gateway.exporters["otlp_grpc/tempo"].endpoint as string,
        collectorTracesInsecure: gateway.exporters["otlp_grpc/tempo"].tls.insecure as boolean,
        collectorLogs: gateway.exporters["otlp_http/loki"].endpoint as string,
        grafanaTempo: datasources.find((datasource) => datasource.type === "tempo")!.url as string,
        grafanaLoki: datasources.find((datasource) => datasource.type === "loki")!.url as string,
    };
}

/** host of "host:port" or of a URL. */
const hostOf = (endpoint: string): string => (endpoint.includes("://") ? new URL(endpoint).hostname : endpoint.split(":")[0]);

/**
 * The collector and Grafana name the same installed store: both hosts are that release's Service
 * (the chart's fullname) in the release's namespace.
 */
function assertSameInstalledStores(result: RenderResult, settings: PlatformSettings): void {
    const wired = wiredEndpoints(result);
    const [tempo] = releases(result, "tempo");
    const [loki] = releases(result, "loki");
    assert.ok(tempo && loki, "Tempo and Loki are installed");
    assert.strictEqual(hostOf(wired.collectorTraces), hostOf(wired.grafanaTempo), "collector and Grafana name the same Tempo");
    assert.strictEqual(hostOf(wired.collectorTraces), `${tempo.values.fullnameOverride}.${tempo.namespace}.svc`, "the Tempo the platform installs");
    assert.strictEqual(hostOf(wired.collectorLogs), hostOf(wired.grafanaLoki), "collector and Grafana name the same Loki");
    assert.strictEqual(hostOf(wired.collectorLogs), `${loki.values.fullnameOverride}.${loki.namespace}.svc`, "the Loki the platform installs");
    assert.strictEqual(wired.collectorLogs, `${wired.grafanaLoki}/otlp`, "logs go to Loki's OTLP endpoint");
    assert.strictEqual(tempo.namespace, settings.observability.tempo.namespace);
    assert.strictEqual(loki.namespace, settings.observability.loki.namespace);
}

describe("trace and log stores: Tempo and Loki, installed or external", () => {
    describe("endpoint derivation (one source for the collector and Grafana)", () => {
        it("defaults: both stores installed, reached in-cluster by their Services", () => {
            const endpoints = traceLogEndpoints(parsePlatformSettings({}, "inline", "unit"));
            assert.deepStrictEqual(endpoints, {
                traces: { placement: "install", otlpGrpc: `${tempoFullname}.bulwark-tempo.svc:4317`, queryUrl: `http://${tempoFullname}.bulwark-tempo.svc:3200`, insecure: true },
                logs: { placement: "install", otlpHttp: `http://${lokiFullname}.bulwark-loki.svc:3100/otlp`, queryUrl: `http://${lokiFullname}.bulwark-loki.svc:3100`, insecure: true },
            });
        });

        it("a store's namespace setting moves both its ingest and query endpoints", () => {
            const endpoints = traceLogEndpoints(parsePlatformSettings({ observability: { tempo: { namespace: "traces" }, loki: { namespace: "logs-store" } } }, "inline", "unit"));
            assert.strictEqual(endpoints.traces.otlpGrpc, "tempo.traces.svc:4317");
            assert.strictEqual(endpoints.traces.queryUrl, "http://tempo.traces.svc:3200");
            assert.strictEqual(endpoints.logs.otlpHttp, "http://loki.logs-store.svc:3100/otlp");
        });

        it("external blocks: what the stack names, TLS by default", () => {
            const endpoints = traceLogEndpoints(parsePlatformSettings({ observability: { tempo: { external: externalTempo }, loki: { external: { ...externalLoki, tls: false } } } }, "inline", "unit"));
            assert.deepStrictEqual(endpoints.traces, { placement: "external", otlpGrpc: externalTempo.otlpGrpc, queryUrl: externalTempo.queryUrl, insecure: false });
            assert.deepStrictEqual(endpoints.logs, { placement: "external", otlpHttp: externalLoki.otlpUrl, queryUrl: externalLoki.queryUrl, insecure: true });
        });

        it("the older collector/Grafana key pairs still work: they win, with the collector's tls setting", () => {
            const settings = parsePlatformSettings(
                {
                    observability: {
                        collector: { backends: { traces: "tempo-distributor.tempo.svc:4317", logs: "http://loki-gateway.loki.svc/otlp", tls: false } },
                        metrics: { grafana: { tempoUrl: "http://tempo-query-frontend.tempo.svc:3200", lokiUrl: "http://loki-gateway.loki.svc" } },
                    },
                },
                "inline",
                "unit",
            );
            const endpoints = traceLogEndpoints(settings);
            assert.deepStrictEqual(endpoints.traces, { placement: "external", otlpGrpc: "tempo-distributor.tempo.svc:4317", queryUrl: "http://tempo-query-frontend.tempo.svc:3200", insecure: true });
            assert.deepStrictEqual(endpoints.logs, { placement: "external", otlpHttp: "http://loki-gateway.loki.svc/otlp", queryUrl: "http://loki-gateway.loki.svc", insecure: true });
        });
    });

    describe("chart values (pure)", () => {
        it("Tempo: retention, replicas, resources and persistence from the settings; restricted security contexts", () => {
            const tempo = parsePlatformSettings({ observability: { tempo: { retention: "48h", storage: { size: "7Gi", storageClassName: "fast" }, resources: { requests: { cpu: "300m", memory: "300Mi" }, limits: { memory: "900Mi" } } } } }, "inline", "unit").observability.tempo;
            const values = tempoValues(tempo);
            assert.strictEqual(values.tempo.retention, "48h");
            assert.strictEqual(values.replicas, 1);
            assert.deepStrictEqual(values.tempo.resources, { requests: { cpu: "300m", memory: "300Mi" }, limits: { memory: "900Mi" } });
            assert.deepStrictEqual(values.persistence, { enabled: true, size: "7Gi", storageClassName: "fast" });
            assert.strictEqual(values.securityContext.runAsNonRoot, true);
            assert.deepStrictEqual(values.tempo.securityContext.capabilities, { drop: ["ALL"] });
            assert.strictEqual(values.tempo.reportingEnabled, false);
        });

        it("Loki: single binary on the filesystem store, retention enforced by the compactor, extras off", () => {
            const loki = parsePlatformSettings({ observability: { loki: { retention: "14d", storage: { size: "20Gi" } } } }, "inline", "unit").observability.loki;
            const values = lokiValues(loki);
            assert.strictEqual(values.deploymentMode, "SingleBinary");
            assert.strictEqual(values.loki.limits_config.retention_period, "14d");
            assert.strictEqual(values.loki.compactor.retention_enabled, true);
            assert.deepStrictEqual(values.singleBinary.persistence, { enabled: true, size: "20Gi" });
            assert.strictEqual(values.singleBinary.replicas, 1);
            for (const off of [values.gateway, values.chunksCache, values.resultsCache, values.lokiCanary, values.test, values.sidecar.rules, values.minio, values.rollout_operator]) assert.strictEqual(off.enabled, false);
        });
    });

    describe("every stack file (mocks)", () => {
        for (const stack of stackNames) {
            it(`${stack}: installs the pinned tempo and loki charts with the stack's values, in restricted namespaces; the collector and Grafana name them`, async () => {
                const result = await renderStackFile(stack);
                const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
                const { tempo, loki } = settings.observability;
                const [tempoRelease] = releases(result, "tempo");
                const [lokiRelease] = releases(result, "loki");
                assert.deepStrictEqual(
                    { chart: tempoRelease.chart, version: tempoRelease.version, repo: tempoRelease.repositoryOpts.repo, namespace: tempoRelease.namespace },
                    { chart: "tempo", version: versions.tempoChart, repo: chartRepositories.grafanaCommunity, namespace: tempo.namespace },
                );
                assert.deepStrictEqual(
                    { chart: lokiRelease.chart, version: lokiRelease.version, repo: lokiRelease.repositoryOpts.repo, namespace: lokiRelease.namespace },
                    { chart: "loki", version: versions.lokiChart, repo: chartRepositories.grafanaCommunity, namespace: loki.namespace },
                );
                assert.deepStrictEqual(tempoRelease.values, tempoValues(tempo));
                assert.deepStrictEqual(lokiRelease.values, lokiValues(loki));
                // The stack file's own numbers, not the defaults, reach the releases.
                const raw = (yaml.load(require("fs").readFileSync(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as Inputs).config["bulwark:platform"].observability;
                assert.strictEqual(tempoRelease.values.tempo.retention, raw.tempo.retention);
                assert.strictEqual(tempoRelease.values.persistence.size, raw.tempo.storage.size);
                assert.deepStrictEqual(tempoRelease.values.tempo.resources, raw.tempo.resources);
                assert.strictEqual(lokiRelease.values.loki.limits_config.retention_period, raw.loki.retention);
                assert.strictEqual(lokiRelease.values.singleBinary.persistence.size, raw.loki.storage.size);
                assert.deepStrictEqual(lokiRelease.values.singleBinary.resources, raw.loki.resources);
                for (const namespace of [tempo.namespace, loki.namespace]) {
                    const created = byType(result, "kubernetes:core/v1:Namespace").find((resource) => resource.name === namespace);
                    assert.ok(created, `namespace ${namespace}`);
                    const labels = (created.inputs as Inputs).metadata.labels;
                    assert.strictEqual(labels["pod-security.kubernetes.io/audit"], "restricted");
                    assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], settings.enforcement === "enforce" ? "restricted" : "baseline");
                    assert.strictEqual(labels["bulwark.dev/namespace-role"], "platform");
                    assert.strictEqual(labels["app.kubernetes.io/managed-by"], "bulwark");
                }
                assertSameInstalledStores(result, settings);
            });
        }

        it("the stacks keep traces and logs longer and on bigger volumes the closer they are to production", () => {
            const settingsOf = (stack: string) => readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack).observability;
            const [dev, staging, prod] = stackNames.map(settingsOf);
            const gi = (size: string) => Number(size.replace(/Gi$/, ""));
            const hours = (value: string) => Number(value.slice(0, -1)) * { h: 1, d: 24, w: 168 }[value.slice(-1) as "h" | "d" | "w"];
            for (const store of ["tempo", "loki"] as const) {
                assert.ok(hours(dev[store].retention) < hours(staging[store].retention) && hours(staging[store].retention) < hours(prod[store].retention), `${store} retention`);
                assert.ok(gi(dev[store].storage.size) < gi(staging[store].storage.size) && gi(staging[store].storage.size) < gi(prod[store].storage.size), `${store} storage`);
            }
        });
    });

    describe("external stores (mocks)", () => {
        it("external blocks: nothing installed, no namespace, and the collector and Grafana use the named endpoints", async () => {
            const result = await renderPlatform({ observability: { tempo: { external: externalTempo }, loki: { external: externalLoki } } });
            assert.deepStrictEqual(releases(result, "tempo"), []);
            assert.deepStrictEqual(releases(result, "loki"), []);
            const names = byType(result, "kubernetes:core/v1:Namespace").map((resource) => resource.name);
            assert.ok(!names.includes("bulwark-tempo") && !names.includes("bulwark-loki"), names.join(", "));
            const wired = wiredEndpoints(result);
            assert.deepStrictEqual(wired, { collectorTraces: externalTempo.otlpGrpc, collectorTracesInsecure: false, collectorLogs: externalLoki.otlpUrl, grafanaTempo: externalTempo.queryUrl, grafanaLoki: externalLoki.queryUrl });
        });

        it("older key pairs: they win and nothing is installed", async () => {
            const result = await renderPlatform({
                observability: {
                    collector: { backends: { traces: "tempo-distributor.tempo.svc:4317", logs: "http://loki-gateway.loki.svc/otlp" } },
                    metrics: { grafana: { tempoUrl: "http://tempo-query-frontend.tempo.svc:3200", lokiUrl: "http://loki-gateway.loki.svc" } },
                },
            });
            assert.deepStrictEqual([...releases(result, "tempo"), ...releases(result, "loki")], []);
            const wired = wiredEndpoints(result);
            assert.strictEqual(wired.collectorTraces, "tempo-distributor.tempo.svc:4317");
            assert.strictEqual(wired.grafanaTempo, "http://tempo-query-frontend.tempo.svc:3200");
            assert.strictEqual(wired.collectorLogs, "http://loki-gateway.loki.svc/otlp");
            assert.strictEqual(wired.grafanaLoki, "http://loki-gateway.loki.svc");
        });

        it("one store external, the other installed", async () => {
            const result = await renderPlatform({ observability: { loki: { external: externalLoki } } });
            assert.strictEqual(releases(result, "tempo").length, 1);
            assert.deepStrictEqual(releases(result, "loki"), []);
            const wired = wiredEndpoints(result);
            assert.strictEqual(hostOf(wired.collectorTraces), hostOf(wired.grafanaTempo));
            assert.strictEqual(wired.collectorLogs, externalLoki.otlpUrl);
        });

        it("config-only mode (install: false) installs no store", async () => {
            const result = await renderPlatform({ install: false });
            assert.deepStrictEqual([...releases(result, "tempo"), ...releases(result, "loki")], []);
        });
    });
});
