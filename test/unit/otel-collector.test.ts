import * as assert from "assert";
import * as yaml from "js-yaml";
import { signals } from "../../components/observability/collector/pipeline";
import { collectorObjects, roleConfig, serializeCollectorConfig } from "../../components/observability/collector/manifests";
import { memoryBudget } from "../../components/observability/collector/memory";
import { collectorPipeline } from "../../components/guardrails/observability/collector-pipeline/guardrail";
import { Platform } from "../../components/platform";
import { parsePlatformSettings, PlatformSettings } from "../../components/settings";
import { byType, renderWith, stackConfig, stackNames } from "../support/render";
import { SchemaValidator } from "../support/schemas";

type Pipeline = { receivers: string[]; processors: string[]; exporters: string[] };
type Config = { processors: Record<string, Record<string, unknown>>; exporters: Record<string, Record<string, unknown>>; extensions: Record<string, unknown>; service: { extensions: string[]; pipelines: Record<string, Pipeline> } };

function settingsOf(raw: unknown): PlatformSettings {
    return parsePlatformSettings(raw, "inline", "unit");
}

function config(raw: unknown, role: "agent" | "gateway" = "gateway"): Config {
    return roleConfig(settingsOf(raw), role) as unknown as Config;
}

function stackSettings(stack: string): PlatformSettings {
    return parsePlatformSettings(stackConfig(stack).values["bulwark:platform"], stack, stack);
}

describe("OpenTelemetry Collector pipeline (pure)", () => {
    for (const role of ["agent", "gateway"] as const) {
        for (const batching of ["exporter", "processor"] as const) {
            it(`${role}, ${batching} batching: every pipeline runs memory_limiter, k8s metadata, PII removal, then batching`, () => {
                const generated = config({ observability: { collector: { batching } } }, role);
                assert.deepStrictEqual(Object.keys(generated.service.pipelines).sort(), [...signals].sort());
                for (const signal of signals) {
                    const pipeline = generated.service.pipelines[signal];
                    const expected = ["memory_limiter", "k8s_attributes", "resource_detection", "attributes/pii", "redaction/pii", "transform/pii"];
                    assert.deepStrictEqual(pipeline.processors, batching === "processor" ? [...expected, "batch"] : expected);
                    for (const exporter of pipeline.exporters) {
                        const queue = generated.exporters[exporter].sending_queue as Record<string, unknown>;
                        assert.strictEqual(queue.storage, "file_storage/queue", `${exporter} persists its queue`);
                        assert.strictEqual(queue.batch !== undefined, batching === "exporter", `${exporter} batches only in exporter mode`);
                        assert.deepStrictEqual(generated.exporters[exporter].retry_on_failure, { enabled: true, initial_interval: "1s", max_interval: "30s", max_elapsed_time: "0s" });
                    }
                }
                assert.strictEqual("batch" in generated.processors, batching === "processor");
            });
        }
    }

    it("derives memory_limiter from the container limit and GOMEMLIMIT from memory_limiter", () => {
        assert.deepStrictEqual(memoryBudget(1024), { containerMiB: 1024, limitMiB: 819, spikeLimitMiB: 204, goMemLimit: "819MiB" });
        const settings = settingsOf({ observability: { collector: { gateway: { memoryMiB: 2048 }, agent: { memoryMiB: 256 } } } });
        assert.deepStrictEqual(roleConfig(settings, "gateway").processors as unknown, { ...(roleConfig(settings, "gateway").processors as object), memory_limiter: { check_interval: "1s", limit_mib: 1638, spike_limit_mib: 409 } });
        const objects = collectorObjects(settings);
        const env = (kind: string) => {
            const workload = objects.find((object) => object.kind === kind) as unknown as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[]; resources: { limits: { memory: string } } }[] } } } };
            const container = workload.spec.template.spec.containers[0];
            return { gomemlimit: container.env.find((variable) => variable.name === "GOMEMLIMIT")?.value, limit: container.resources.limits.memory };
        };
        assert.deepStrictEqual(env("Deployment"), { gomemlimit: "1638MiB", limit: "2048Mi" });
        assert.deepStrictEqual(env("DaemonSet"), { gomemlimit: "204MiB", limit: "256Mi" });
    });

    it("removes PII: deletes and hashes the configured keys, masks blocked values, rewrites URL queries and log bodies", () => {
        const generated = config({ observability: { collector: { pii: { deleteKeys: ["authorization"], hashKeys: ["user.email"], urlKeys: ["url.full"] } } } });
        assert.deepStrictEqual(generated.processors["attributes/pii"], { actions: [{ action: "delete", key: "authorization" }, { action: "hash", key: "user.email" }] });
        assert.strictEqual(generated.processors["redaction/pii"].allow_all_keys, true);
        assert.strictEqual((generated.processors["redaction/pii"].blocked_values as string[]).length, 3);
        const transform = generated.processors["transform/pii"] as { trace_statements: string[]; log_statements: string[] };
        // `$$` is the collector config's escape for a literal `$` (capture group 1 in the replacement).
        assert.deepStrictEqual(transform.trace_statements, ['replace_pattern(span.attributes["url.full"], "([?&][^=&#]+)=[^&#]*", "$$1=REDACTED")']);
        assert.ok(transform.log_statements.some((statement) => statement.startsWith("replace_pattern(log.body, ")));
    });

    it("agent sends to the gateway over a round-robin headless Service; gateway sends to Tempo, Loki and Prometheus", () => {
        const agent = config({}, "agent");
        assert.deepStrictEqual(Object.keys(agent.exporters), ["otlp_grpc/gateway"]);
        assert.strictEqual(agent.exporters["otlp_grpc/gateway"].endpoint, "dns:///otel-gateway-headless.telemetry.svc.cluster.local:4317");
        assert.strictEqual(agent.exporters["otlp_grpc/gateway"].balancer_name, "round_robin");
        assert.deepStrictEqual((agent.processors.k8s_attributes.filter as object), { node_from_env_var: "K8S_NODE_NAME" });
        const gateway = config({ observability: { tempo: { external: { otlpGrpc: "tempo.example:4317", queryUrl: "https://tempo.example" } } } });
        assert.deepStrictEqual(Object.fromEntries(signals.map((signal) => [signal, gateway.service.pipelines[signal].exporters])), { traces: ["otlp_grpc/tempo"], metrics: ["otlp_http/prometheus"], logs: ["otlp_http/loki"] });
        assert.strictEqual(gateway.exporters["otlp_grpc/tempo"].endpoint, "tempo.example:4317");
    });

    it("health_check always, pprof and zpages only where the stack asks", () => {
        assert.deepStrictEqual(config({}).service.extensions, ["file_storage/queue", "health_check"]);
        assert.deepStrictEqual(config({ observability: { collector: { pprof: true, zpages: true } } }).service.extensions, ["file_storage/queue", "health_check", "pprof", "zpages"]);
    });

    it("serialises deterministically with sorted keys and keeps processor order", () => {
        const settings = stackSettings("prod");
        const text = serializeCollectorConfig(roleConfig(settings, "gateway"));
        assert.strictEqual(serializeCollectorConfig(roleConfig(stackSettings("prod"), "gateway")), text);
        assert.ok(text.indexOf("exporters:") < text.indexOf("extensions:") && text.indexOf("extensions:") < text.indexOf("processors:"), "top-level keys sorted");
        const parsed = yaml.load(text) as Config;
        assert.strictEqual(parsed.service.pipelines.traces.processors[0], "memory_limiter");
    });

    it("the collector-pipeline guardrail accepts every generated config and rejects a tampered one", () => {
        for (const stack of stackNames) {
            const objects = collectorObjects(stackSettings(stack)).map((object) => ({ object: object as Record<string, unknown> }));
            assert.deepStrictEqual(collectorPipeline.check(objects), [], stack);
        }
        const settings = stackSettings("prod");
        const objects = collectorObjects(settings).map((object) => ({ object: JSON.parse(JSON.stringify(object)) as Record<string, unknown> }));
        const gatewayConfig = objects.find(({ object }) => (object.metadata as { name: string }).name === "otel-gateway-config")!.object as { data: Record<string, string> };
        const tampered = roleConfig(settings, "gateway") as unknown as Config;
        tampered.service.pipelines.traces.processors = tampered.service.pipelines.traces.processors.filter((id) => id !== "memory_limiter");
        gatewayConfig.data["config.yaml"] = serializeCollectorConfig(tampered as unknown as Record<string, unknown>);
        assert.deepStrictEqual(collectorPipeline.check(objects).map((violation) => violation.message), ["data.config.yaml: pipeline traces: memory_limiter must be the first processor (found: k8s_attributes)"]);
    });
});

describe("OpenTelemetry Collector objects (pure)", () => {
    it("adds an HPA and a PodDisruptionBudget only for 2 or more gateway replicas", () => {
        const kinds = (replicas: number) => collectorObjects(settingsOf({ observability: { collector: { gateway: { replicas } } } })).map((object) => object.kind);
        assert.ok(!kinds(1).includes("HorizontalPodAutoscaler") && !kinds(1).includes("PodDisruptionBudget"));
        assert.ok(kinds(2).includes("HorizontalPodAutoscaler") && kinds(2).includes("PodDisruptionBudget"));
    });

    it("needs no host access: no hostPort, hostNetwork or hostPath; restricted security contexts; a node-local agent Service", () => {
        const objects = collectorObjects(stackSettings("prod"));
        const text = JSON.stringify(objects);
        for (const forbidden of ["hostPort", "hostNetwork", "hostPath", "hostPID", "privileged"]) assert.ok(!text.includes(forbidden), forbidden);
        const agentService = objects.find((object) => object.kind === "Service" && object.metadata.name === "otel-agent") as unknown as { spec: { internalTrafficPolicy: string } };
        assert.strictEqual(agentService.spec.internalTrafficPolicy, "Local");
    });

    it("tells every tenant namespace where the agent is (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
        const objects = collectorObjects(settingsOf({ tenants: [{ name: "shop" }] }));
        const exporterConfig = objects.find((object) => object.kind === "ConfigMap" && object.metadata.namespace === "shop") as unknown as { data: Record<string, string> };
        assert.deepStrictEqual(exporterConfig.data, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-agent.telemetry.svc.cluster.local:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" });
    });

    it("every object of every stack validates against its schema", () => {
        const validator = new SchemaValidator();
        for (const stack of stackNames) {
            for (const object of collectorObjects(stackSettings(stack))) assert.deepStrictEqual(validator.validate(object as Record<string, unknown>), [], `${stack} ${object.kind}/${object.metadata.name}`);
        }
    });
});

describe("OtelCollector component (mocks)", () => {
    it("registers bulwark:observability:OtelCollector under the Platform with every object as a typed child", async () => {
        const raw = { tenants: [{ name: "shop" }] };
        const result = await renderWith(raw, async () => {
            new Platform("bulwark", { settings: settingsOf(raw) });
            return {};
        });
        const component = byType(result, "bulwark:observability:OtelCollector");
        assert.strictEqual(component.length, 1);
        assert.strictEqual(component[0].parent, "bulwark:platform:Platform::bulwark");
        const children = result.resources.filter((resource) => resource.parent === `bulwark:observability:OtelCollector::${component[0].name}`);
        assert.deepStrictEqual(children.map((child) => child.inputs.kind).sort(), collectorObjects(settingsOf(raw)).map((object) => object.kind).sort());
    });

    it("is absent when disabled or when the platform does not install add-ons", async () => {
        for (const raw of [{ observability: { collector: { enabled: false } } }, { install: false }]) {
            const result = await renderWith(raw, async () => {
                new Platform("bulwark", { settings: settingsOf(raw) });
                return {};
            });
            assert.deepStrictEqual(byType(result, "bulwark:observability:OtelCollector"), [], JSON.stringify(raw));
        }
    });

    it("refuses an HPA ceiling below the replica count, naming the setting", async () => {
        const raw = { observability: { collector: { gateway: { replicas: 4, maxReplicas: 2 } } } };
        await assert.rejects(
            renderWith(raw, async () => {
                new Platform("bulwark", { settings: settingsOf(raw) });
                return {};
            }),
            /observability\.collector\.gateway\.maxReplicas \(2\) is below replicas \(4\)/,
        );
    });
});
