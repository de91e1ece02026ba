import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { kubernetesObjects } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { Platform } from "../../components/platform";
import { fluentBitNamespaceReason, nodeExporterNamespaceReason } from "../../components/pod-security/labels";
import { parsePlatformSettings } from "../../components/settings";
import { requirePromtool, runPromtool } from "../support/promtool";
import { byType, renderStackFile, renderWith, repoRoot, stackNames } from "../support/render";
import { crdSchemasDir, SchemaValidator } from "../support/schemas";
import { requireSharedDir } from "../support/shared";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function renderPlatform(raw: unknown) {
    const settings = parsePlatformSettings(raw, "inline", "unit");
    return renderWith(raw, async () => {
        new Platform("bulwark", { settings });
        return {};
    });
}

function namespaceLabels(result: Awaited<ReturnType<typeof renderPlatform>>, name: string): { labels: Record<string, string>; annotations?: Record<string, string> } {
    const namespace = byType(result, "kubernetes:core/v1:Namespace").find((resource) => resource.name === name);
    assert.ok(namespace, `namespace ${name} is created`);
    return namespace.inputs.metadata as { labels: Record<string, string>; annotations?: Record<string, string> };
}

describe("observability: metrics and logs (mocks)", () => {
    it("node agents get their own privileged namespaces with the reason; Prometheus stays baseline", async () => {
        const result = await renderPlatform({});
        const logging = namespaceLabels(result, "bulwark-logging");
        assert.strictEqual(logging.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(logging.annotations?.["bulwark.dev/pod-security-reason"], fluentBitNamespaceReason);
        const nodeExporter = namespaceLabels(result, "bulwark-node-exporter");
        assert.strictEqual(nodeExporter.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(nodeExporter.annotations?.["bulwark.dev/pod-security-reason"], nodeExporterNamespaceReason);
        assert.strictEqual(namespaceLabels(result, "bulwark-monitoring").labels["pod-security.kubernetes.io/enforce"], "baseline");
    });

    it("Fluent Bit is a typed DaemonSet in its namespace: host logs read-only, no escalation, config from the generator", async () => {
        const result = await renderPlatform({});
        const [daemonSet] = byType(result, "kubernetes:apps/v1:DaemonSet");
        assert.strictEqual(daemonSet.parent, "bulwark:observability:FluentBit::bulwark-logs");
        const inputs = daemonSet.inputs as Inputs;
        assert.strictEqual(inputs.metadata.namespace, "bulwark-logging");
        const pod = inputs.spec.template.spec;
        assert.deepStrictEqual(pod.volumes.filter((volume: Inputs) => volume.hostPath).map((volume: Inputs) => volume.hostPath.path), ["/var/log", "/var/fluent-bit/state"]);
        const container = pod.containers[0];
        assert.strictEqual(container.image, "cr.fluentbit.io/fluent/fluent-bit:5.1.1");
        assert.deepStrictEqual(container.securityContext.capabilities, { drop: ["ALL"] });
        assert.strictEqual(container.securityContext.allowPrivilegeEscalation, false);
        assert.strictEqual(container.volumeMounts.find((mount: Inputs) => mount.name === "varlog").readOnly, true);
        const [config] = byType(result, "kubernetes:core/v1:ConfigMap").filter((resource) => (resource.inputs as Inputs).metadata.name === "fluent-bit-config");
        const fluentBit = yaml.load((config.inputs as Inputs).data["fluent-bit.yaml"]) as Inputs;
        assert.strictEqual(fluentBit.pipeline.outputs[0].host, "otel-gateway.telemetry.svc");
        assert.strictEqual(fluentBit.pipeline.inputs[0]["storage.type"], "filesystem");
    });

    it("kube-prometheus-stack: pinned chart, exemplars, remote-write receiver, every monitor and rule selected", async () => {
        const result = await renderPlatform({ observability: { metrics: { prometheus: { retention: "9d", storageSize: "77Gi" } } } });
        const [release] = byType(result, "kubernetes:helm.sh/v3:Release");
        const inputs = release.inputs as Inputs;
        assert.strictEqual(inputs.chart, "kube-prometheus-stack");
        assert.strictEqual(inputs.version, "88.5.3");
        assert.strictEqual(inputs.namespace, "bulwark-monitoring");
        const spec = inputs.values.prometheus.prometheusSpec;
        assert.strictEqual(spec.enableRemoteWriteReceiver, true);
        assert.strictEqual(spec.enableOTLPReceiver, true);
        assert.deepStrictEqual(spec.enableFeatures, ["exemplar-storage"]);
        assert.strictEqual(spec.retention, "9d");
        assert.strictEqual(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, "77Gi");
        for (const selector of ["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues"]) assert.strictEqual(spec[selector], false, selector);
        assert.strictEqual(inputs.values["prometheus-node-exporter"].namespaceOverride, "bulwark-node-exporter");
        // The chart leaves these empty; resources-requests-limits needs requests and a memory limit
        // (proven on the rendered chart in test/engines/kube-prometheus-stack.engine.test.ts).
        const operator = inputs.values.prometheusOperator;
        for (const [where, resources] of Object.entries({
            operator: operator.resources,
            "webhook Jobs": operator.admissionWebhooks.patch.resources,
            "config reloader": operator.prometheusConfigReloader.resources,
            alertmanager: inputs.values.alertmanager.alertmanagerSpec.resources,
        }) as [string, Inputs][]) {
            assert.ok(resources.requests.cpu && resources.requests.memory && resources.limits.memory, `${where}: ${JSON.stringify(resources)}`);
        }
        for (const pod of [operator.securityContext, spec.securityContext, inputs.values.alertmanager.alertmanagerSpec.securityContext, operator.admissionWebhooks.patch.securityContext]) {
            assert.strictEqual(pod.runAsNonRoot, true);
            assert.strictEqual(pod.seccompProfile.type, "RuntimeDefault");
        }
        assert.deepStrictEqual(operator.containerSecurityContext.capabilities.drop, ["ALL"]);
        assert.strictEqual(operator.containerSecurityContext.allowPrivilegeEscalation, false);
    });

    it("without install: no chart and no DaemonSet, but the rules, monitors and dashboard in the platform namespace", async () => {
        const result = await renderPlatform({ install: false });
        assert.deepStrictEqual(byType(result, "kubernetes:helm.sh/v3:Release"), []);
        assert.deepStrictEqual(byType(result, "kubernetes:apps/v1:DaemonSet"), []);
        const rule = result.resources.find((resource) => (resource.inputs as Inputs).kind === "PrometheusRule")!;
        assert.strictEqual((rule.inputs as Inputs).metadata.namespace, "bulwark-system");
        const dashboard = byType(result, "kubernetes:core/v1:ConfigMap").find((resource) => (resource.inputs as Inputs).metadata.labels?.grafana_dashboard === "1");
        assert.strictEqual((dashboard?.inputs as Inputs).metadata.namespace, "bulwark-system");
    });

    it("per stack: retention, storage and resources differ the way the environments do", () => {
        const prometheus = Object.fromEntries(
            stackNames.map((stack) => [stack, readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack).observability.metrics.prometheus]),
        );
        assert.deepStrictEqual(
            stackNames.map((stack) => [prometheus[stack].retention, prometheus[stack].storageSize, prometheus[stack].resources.limits.memory]),
            [["3d", "10Gi", "2Gi"], ["7d", "30Gi", "4Gi"], ["30d", "200Gi", "16Gi"]],
        );
    });
});

describe("observability objects of every stack: schemas and promtool", () => {
    for (const stack of stackNames) {
        it(`${stack}: PrometheusRule, PodMonitors and the Grafana dashboard validate; promtool check rules accepts the rules`, async function () {
            requireSharedDir(this, crdSchemasDir);
            const objects = kubernetesObjects(await renderStackFile(stack));
            const kinds = (kind: string) => objects.filter((object) => object.kind === kind);
            const rules = kinds("PrometheusRule");
            const monitors = [...kinds("PodMonitor"), ...kinds("ServiceMonitor")];
            const dashboards = kinds("ConfigMap").filter((object) => (object.metadata as Inputs).labels?.grafana_dashboard === "1");
            // The platform's alert rules, plus the runtime sensor's own rule where the stack runs one.
            assert.strictEqual(rules.filter((rule) => !/runtime|falco|tetragon/i.test((rule.metadata as Inputs).name)).length, 1);
            assert.ok(monitors.length >= 2, "the collector and Fluent Bit are scraped");
            assert.strictEqual(dashboards.length, 1);
            const validator = new SchemaValidator();
            assert.deepStrictEqual([...rules, ...monitors, ...dashboards].flatMap((object) => validator.validate(object)), []);
            const dashboard = JSON.parse(Object.values((dashboards[0] as Inputs).data as Record<string, string>)[0]);
            assert.strictEqual(dashboard.uid, "bulwark-platform-health");

            const promtool = requirePromtool(this);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-rules-"));
            try {
                rules.forEach((rule, index) => {
                    fs.writeFileSync(path.join(dir, `rules-${index}.yaml`), yaml.dump((rule as Inputs).spec));
                    assert.match(runPromtool(promtool, ["check", "rules", `rules-${index}.yaml`], dir), /SUCCESS/);
                });
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }
});
