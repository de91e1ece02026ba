// Engine test: every Helm chart Bulwark installs, rendered by real Helm from the pinned copy in
// ../shared/charts with the exact values each stack passes. The values are taken from the stack's
// render (the helm.v3.Release inputs the program registers), never copied. For every release:
//   - `helm template` accepts the values (it validates them against values.schema.json);
//   - the settings took effect on the rendered objects (Helm silently ignores a misspelled value);
//   - every rendered object passes `check` at its namespace's declared Pod Security level, or the
//     guardrail it fails is a listed exception with its reason;
//   - the real API server accepts every rendered object (server-side dry-run; the chart's CRDs applied).
// A chart a later area adds is one row of `chartRows`; a release whose chart has no row fails.

import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { lokiPorts, tempoPorts } from "../../components/observability/backends/endpoints";
import { checkObjects } from "../../cli/check";
import { kubernetesObjects, RenderResult, renderStack } from "../../cli/render";
import { StackConfig } from "../../cli/stackConfig";
import { parsePlatformSettings, PlatformSettings, settingsKey } from "../../components/settings";
import { stackConfig, stackNames } from "../support/render";
import { chartsDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { skipOrFail } from "./harness/engines";
import { chartCopyWithoutMissingSubcharts, helmTemplate, RenderedObject } from "./harness/helm";
import { upstreamImageExceptions } from "./support/upstreamImages";
import { printTable, verdictOf } from "./support/verdicts";

type Values = Record<string, any>;

interface ChartRow {
    /** Asserts that each value the stack passes shows in the rendered objects. */
    readonly effects: (values: Values, objects: RenderedObject[], namespace: string) => void;
    /** Guardrail id -> why the chart's upstream objects may fail it. Anything else must pass. */
    readonly exceptions: Readonly<Record<string, string>>;
    /** Where to render from, when not the pinned copy as it is (`<chart>-<version>`). */
    readonly chartDir?: (version: string, values: Values) => string;
}

const find = (objects: RenderedObject[], kind: string, predicate: (object: any) => boolean = () => true): any[] => objects.filter((object) => object.kind === kind && predicate(object));
const one = (objects: RenderedObject[], kind: string, name: (n: string) => boolean): any => {
    const found = find(objects, kind, (object) => name(object.metadata.name));
    assert.strictEqual(found.length, 1, `expected one ${kind} matching ${name}, found ${found.map((object) => object.metadata.name).join(", ") || "none"}`);
    return found[0];
};
const containersOf = (workload: any): any[] => workload.spec.template.spec.containers;

function assertPdb(objects: RenderedObject[], selector: (n: string) => boolean, wanted: { enabled: boolean; minAvailable: number }): void {
    const pdbs = find(objects, "PodDisruptionBudget", (object) => selector(object.metadata.name));
    if (!wanted.enabled) {
        assert.strictEqual(pdbs.length, 0, `no PDB wanted: ${pdbs.map((pdb) => pdb.metadata.name)}`);
        return;
    }
    assert.strictEqual(pdbs.length, 1, `one PDB wanted for ${selector}`);
    assert.strictEqual(pdbs[0].spec.minAvailable, wanted.minAvailable);
}

function assertResources(workload: any): void {
    for (const container of containersOf(workload)) {
        assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory && container.resources?.limits?.memory, `${workload.metadata.name}/${container.name}: requests and a memory limit`);
    }
}

function assertVolumeClaim(workload: any, size: string, storageClassName: string | undefined): void {
    const claims: any[] = workload.spec.volumeClaimTemplates ?? [];
    assert.strictEqual(claims.length, 1, `${workload.metadata.name}: one volume claim template`);
    assert.strictEqual(claims[0].spec.resources.requests.storage, size, `${workload.metadata.name}: persistence size`);
    assert.strictEqual(claims[0].spec.storageClassName ?? undefined, storageClassName, `${workload.metadata.name}: storage class`);
}

function assertServicePorts(objects: RenderedObject[], name: string, ports: number[]): void {
    const service = one(objects, "Service", (candidate) => candidate === name);
    for (const port of ports) assert.ok(service.spec.ports.some((candidate: any) => candidate.port === port), `Service ${name} exposes ${port} (the derived endpoints use it)`);
}

/**
 * The pinned loki copy declares minio and rollout-operator as dependencies without carrying them, and
 * Helm refuses a chart with a missing dependency even when its condition is off. Bulwark's values turn
 * both off, so a scratch copy without the two declarations renders exactly the objects the real chart
 * (with its subcharts present but disabled) renders.
 */
const scratchDirs: string[] = [];

function lokiWithoutDisabledSubcharts(version: string, values: Values): string {
    assert.strictEqual(values.minio?.enabled, false, "the values disable the minio subchart");
    assert.strictEqual(values.rollout_operator?.enabled, false, "the values disable the rollout-operator subchart");
    const { copy, scratch } = chartCopyWithoutMissingSubcharts(path.join(chartsDir, `loki-${version}`), ["minio", "rollout-operator"]);
    scratchDirs.push(scratch);
    return copy;
}

/** One row per chart Bulwark installs, keyed by the release's `chart` input. */
const chartRows: Record<string, ChartRow> = {
    kyverno: {
        effects(values, objects, namespace) {
            const controllers: [string, string][] = [
                ["admissionController", "admission-controller"],
                ["backgroundController", "background-controller"],
                ["reportsController", "reports-controller"],
                ["cleanupController", "cleanup-controller"],
            ];
            for (const [key, suffix] of controllers) {
                const deployment = one(objects, "Deployment", (name) => name.endsWith(suffix));
                assert.strictEqual(deployment.spec.replicas, values[key].replicas, `${suffix} replicas`);
                assertResources(deployment);
                assertPdb(objects, (name) => name.endsWith(suffix), values[key].podDisruptionBudget);
            }
            assert.strictEqual(find(objects, "Service", (object) => object.metadata.name === "kyverno-svc-metrics").length, values.admissionController.metricsService.create ? 1 : 0, "admission controller metrics Service");
            // The webhook exclusions reach the config Kyverno builds its webhooks from.
            const config = one(objects, "ConfigMap", (name) => name === "kyverno");
            const rendered = JSON.parse(config.data.webhooks);
            for (const expression of values.config.webhooks.namespaceSelector.matchExpressions) assert.deepStrictEqual(rendered.namespaceSelector.matchExpressions.filter((candidate: unknown) => JSON.stringify(candidate) === JSON.stringify(expression)).length, 1, `webhook exclusion ${JSON.stringify(expression)} in ${config.data.webhooks}`);
            assert.ok(values.config.webhooks.namespaceSelector.matchExpressions[0].values.includes(namespace), "the engine's own namespace is excluded");
            assert.ok(values.config.webhooks.namespaceSelector.matchExpressions[0].values.includes("kube-system"), "kube-system is excluded");
            // Fail closed: the chart's own webhooks never ignore failures unless forced.
            assert.match(config.data.webhooks ?? "", /kube-system/);
            for (const webhook of find(objects, "ValidatingWebhookConfiguration").flatMap((configuration) => configuration.webhooks ?? [])) assert.notStrictEqual(webhook.failurePolicy, "Ignore", webhook.name);
        },
        exceptions: upstreamImageExceptions,
    },
    gatekeeper: {
        effects(values, objects, namespace) {
            const webhook = one(objects, "Deployment", (name) => name === "gatekeeper-controller-manager");
            assert.strictEqual(webhook.spec.replicas, values.replicas);
            assertResources(webhook);
            const configuration = one(objects, "ValidatingWebhookConfiguration", (name) => name.includes("validating-webhook-configuration"));
            for (const hook of configuration.webhooks.filter((candidate: any) => candidate.name === "validation.gatekeeper.sh")) assert.strictEqual(hook.failurePolicy, values.validatingWebhookFailurePolicy);
            const args: string[] = containersOf(webhook)[0].args;
            for (const exempt of values.controllerManager.exemptNamespaces) assert.ok(args.includes(`--exempt-namespace=${exempt}`), `--exempt-namespace=${exempt} in ${args.join(" ")}`);
            assert.ok(values.controllerManager.exemptNamespaces.includes(namespace));
            assert.ok(args.includes("--enable-external-data=true"), args.join(" "));
            const pdb = one(objects, "PodDisruptionBudget", (name) => name.includes("controller-manager"));
            assert.strictEqual(pdb.spec.minAvailable, values.pdb.controllerManager.minAvailable);
            const audit = one(objects, "Deployment", (name) => name === "gatekeeper-audit");
            assert.ok(containersOf(audit)[0].args.includes(`--audit-interval=${values.auditInterval}`));
            for (const job of find(objects, "Job")) for (const container of job.spec.template.spec.containers) assert.ok(container.resources?.limits?.memory, `${job.metadata.name}/${container.name} resources`);
        },
        exceptions: upstreamImageExceptions,
    },
    flux2: {
        effects(values, objects) {
            for (const [key, name] of [
                ["helmController", "helm-controller"],
                ["imageAutomationController", "image-automation-controller"],
                ["imageReflectionController", "image-reflector-controller"],
                ["notificationController", "notification-controller"],
            ]) {
                const deployments = find(objects, "Deployment", (object) => object.metadata.name === name);
                assert.strictEqual(deployments.length, values[key]?.create === false ? 0 : 1, `${name}: create=${values[key]?.create}`);
            }
            for (const [key, name] of [
                ["sourceController", "source-controller"],
                ["kustomizeController", "kustomize-controller"],
                ["notificationController", "notification-controller"],
            ]) {
                const deployment = one(objects, "Deployment", (n) => n === name);
                assertResources(deployment);
                assert.deepStrictEqual(containersOf(deployment)[0].resources, values[key].resources, `${name} resources`);
            }
            for (const job of find(objects, "Job")) assert.deepStrictEqual(job.spec.template.spec.containers[0].resources, values.cli.resources, `${job.metadata.name} resources`);
        },
        exceptions: upstreamImageExceptions,
    },
    // The image verifier on gatekeeper/vap stacks (dev; prod with engine gatekeeper). The chart's own
    // suite, policy-controller-chart.engine.test.ts, checks the values from inline settings; this row
    // takes them from the stacks' renders and adds check and the server-side dry-run.
    "policy-controller": {
        effects(values, objects) {
            const deployment = one(objects, "Deployment", (name) => name.endsWith("-webhook"));
            assert.strictEqual(deployment.spec.replicas, values.webhook.replicaCount);
            assertResources(deployment);
            assert.strictEqual(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
            assert.strictEqual(containersOf(deployment)[0].securityContext.seccompProfile.type, "RuntimeDefault");
            assertPdb(objects, (name) => name.includes("webhook"), values.webhook.podDisruptionBudget);
            const webhooks = [...find(objects, "ValidatingWebhookConfiguration"), ...find(objects, "MutatingWebhookConfiguration")].flatMap((configuration) => configuration.webhooks);
            assert.ok(webhooks.length >= 4, webhooks.map((webhook: any) => webhook.name).join(", "));
            for (const webhook of webhooks) {
                assert.strictEqual(webhook.failurePolicy, values.webhook.failurePolicy, webhook.name);
                assert.strictEqual(webhook.timeoutSeconds, values.webhook.webhookTimeoutSeconds.validating, webhook.name);
            }
            for (const webhook of webhooks.filter((candidate: any) => candidate.name === "policy.sigstore.dev")) assert.deepStrictEqual(webhook.namespaceSelector, values.webhook.namespaceSelector);
            for (const job of find(objects, "Job")) for (const container of job.spec.template.spec.containers) assert.deepStrictEqual(container.resources, values.leasescleanup.resources, `${job.metadata.name}/${container.name} resources`);
        },
        exceptions: upstreamImageExceptions,
    },
    // The trace store: single-binary Tempo (components/observability/backends/).
    tempo: {
        effects(values, objects) {
            const statefulSet = one(objects, "StatefulSet", (name) => name === values.fullnameOverride);
            assert.strictEqual(statefulSet.spec.replicas, values.replicas, "replicas");
            assert.deepStrictEqual(containersOf(statefulSet)[0].resources, values.tempo.resources, "resources");
            assertVolumeClaim(statefulSet, values.persistence.size, values.persistence.storageClassName);
            assert.strictEqual(statefulSet.spec.template.spec.securityContext.seccompProfile.type, "RuntimeDefault");
            const config = yaml.load(one(objects, "ConfigMap", (name) => name === values.fullnameOverride).data["tempo.yaml"]) as Values;
            assert.strictEqual(config.compactor.compaction.block_retention, values.tempo.retention, "retention");
            assert.strictEqual(config.usage_report.reporting_enabled, false);
            assert.ok(config.distributor.receivers.otlp.protocols.grpc, "the OTLP/gRPC receiver the collector sends to");
            assertServicePorts(objects, values.fullnameOverride, [tempoPorts.otlpGrpc, tempoPorts.http]);
        },
        exceptions: upstreamImageExceptions,
    },
    // The log store: Loki in SingleBinary mode on the filesystem store.
    loki: {
        chartDir: lokiWithoutDisabledSubcharts,
        effects(values, objects) {
            const statefulSet = one(objects, "StatefulSet", (name) => name === values.fullnameOverride);
            assert.strictEqual(statefulSet.spec.replicas, values.singleBinary.replicas, "replicas");
            assert.deepStrictEqual(containersOf(statefulSet).map((container: any) => container.name), ["loki"], "no sidecar (rules sidecar off)");
            assert.deepStrictEqual(containersOf(statefulSet)[0].resources, values.singleBinary.resources, "resources");
            assertVolumeClaim(statefulSet, values.singleBinary.persistence.size, values.singleBinary.persistence.storageClass);
            const config = yaml.load(one(objects, "ConfigMap", (name) => name === values.fullnameOverride).data["config.yaml"]) as Values;
            assert.strictEqual(config.limits_config.retention_period, values.loki.limits_config.retention_period, "retention");
            assert.strictEqual(config.compactor.retention_enabled, true, "the compactor applies retention");
            assert.strictEqual(config.auth_enabled, false, "single tenant: the collector sends no tenant header");
            assert.strictEqual(config.schema_config.configs[0].object_store, "filesystem");
            // Gateway, caches, canary: off.
            assert.deepStrictEqual([...find(objects, "Deployment"), ...find(objects, "DaemonSet")].map((object) => object.metadata.name), []);
            assert.deepStrictEqual(find(objects, "StatefulSet").map((object) => object.metadata.name), [values.fullnameOverride], "no memcached StatefulSets");
            assertServicePorts(objects, values.fullnameOverride, [lokiPorts.http]);
        },
        exceptions: upstreamImageExceptions,
    },
};

/** A stack file with one more settings override (for engines no stack file selects). */
function variant(stack: string, override: (settings: Values) => Values): StackConfig {
    const config = stackConfig(stack);
    return { ...config, values: { ...config.values, [settingsKey]: override(structuredClone(config.values[settingsKey] as Values)) } };
}

const cases: { name: string; stack: string; config: StackConfig }[] = [
    ...stackNames.map((stack) => ({ name: stack, stack, config: stackConfig(stack) })),
    // No stack file selects Gatekeeper yet; prod's settings with it are what a team switching would pass.
    { name: "prod, engine gatekeeper", stack: "prod", config: variant("prod", (settings) => ({ ...settings, policy: { ...settings.policy, engine: "gatekeeper" } })) },
];

interface Release {
    readonly label: string;
    readonly chart: string;
    readonly version: string;
    readonly name: string;
    readonly namespace: string;
    readonly values: Values;
    readonly render: RenderResult;
    readonly settings: PlatformSettings;
    /** What Helm rendered, CRDs apart; undefined when `helm template` refused the values. */
    objects?: RenderedObject[];
    crds?: RenderedObject[];
    helmError?: string;
}

/**
 * Charts of the other areas, proven by their own engine suites (each renders its charts with real Helm
 * and the stack's values, asserts the settings and dry-runs the objects), or not renderable here.
 */
const chartsCoveredElsewhere: Record<string, string> = {
    base: "test/engines/mesh-charts.engine.test.ts",
    istiod: "test/engines/mesh-charts.engine.test.ts",
    cni: "test/engines/mesh-charts.engine.test.ts",
    "linkerd-crds": "test/engines/mesh-charts.engine.test.ts",
    "linkerd-control-plane": "test/engines/mesh-charts.engine.test.ts",
    "linkerd2-cni": "test/engines/mesh-charts.engine.test.ts",
    falco: "test/engines/runtime-security.engine.test.ts",
    tetragon: "test/engines/runtime-security.engine.test.ts",
    // Rendered there from a temporary copy without the subcharts the pinned copy lacks.
    "kube-prometheus-stack": "test/engines/kube-prometheus-stack.engine.test.ts",
};

describe("engine tier: every chart Bulwark installs, rendered by real Helm with each stack's values", function () {
    const releases: Release[] = [];
    const registeredCharts = new Set<string>();
    let api: ApiServer | undefined;
    const rows = new Map<string, string[]>();
    const row = (release: Release) => rows.get(release.label) ?? (rows.set(release.label, [release.label, "-", "-", "-"]), rows.get(release.label)!);

    before(async function () {
        requireSharedDir(this, chartsDir);
        for (const { name, stack, config } of cases) {
            const render = await renderStack(stack, config);
            const settings = parsePlatformSettings(config.values[settingsKey], `Pulumi.${stack}.yaml`, stack);
            for (const resource of render.resources.filter((candidate) => candidate.type === "kubernetes:helm.sh/v3:Release")) {
                const inputs = resource.inputs as { chart: string; version: string; name: string; namespace: string; values: Values };
                registeredCharts.add(inputs.chart);
                if (chartRows[inputs.chart] === undefined) continue;
                releases.push({ label: `${name}: ${inputs.chart}-${inputs.version}`, chart: inputs.chart, version: inputs.version, name: inputs.name, namespace: inputs.namespace, values: inputs.values ?? {}, render, settings });
            }
        }
        for (const release of releases) {
            try {
                const chart = chartRows[release.chart]?.chartDir?.(release.version, release.values) ?? `${release.chart}-${release.version}`;
                const all = await helmTemplate({ chart, release: release.name, namespace: release.namespace, values: release.values, includeCrds: true });
                release.crds = all.filter((object) => object.kind === "CustomResourceDefinition");
                release.objects = all.filter((object) => object.kind !== "CustomResourceDefinition");
                row(release)[1] = String(release.objects.length);
            } catch (error) {
                release.helmError = (error as Error).message;
            }
        }
    });

    after(async () => {
        await api?.stop();
        for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
        if (rows.size > 0) printTable("Charts rendered by real Helm", ["release", "objects", "check", "dry-run accepted"], [...rows.values()]);
    });

    it("every release the stacks register has a chart row here or a suite of its area (the chart tables cover everything installed)", function () {
        assert.ok(releases.length > 0, "the stacks register Helm releases");
        assert.deepStrictEqual([...registeredCharts].filter((chart) => chartRows[chart] === undefined && chartsCoveredElsewhere[chart] === undefined), []);
        assert.deepStrictEqual(new Set(releases.map((release) => release.chart)), new Set(Object.keys(chartRows)), "every row is exercised by some stack");
    });

    it("helm template accepts each stack's values (values.schema.json) and every setting shows in the rendered objects", function () {
        const failures: string[] = [];
        for (const release of releases) {
            if (release.helmError !== undefined) failures.push(`${release.label}: helm template: ${release.helmError}`);
            else {
                try {
                    chartRows[release.chart]?.effects(release.values, release.objects!, release.namespace);
                } catch (error) {
                    failures.push(`${release.label}: setting without effect: ${(error as Error).message}`);
                }
            }
        }
        assert.deepStrictEqual(failures, []);
    });

    it("every rendered object passes check at its namespace's declared Pod Security level, or fails only a listed exception", function () {
        const failures: string[] = [];
        for (const release of releases.filter((candidate) => candidate.objects !== undefined)) {
            const exceptions = chartRows[release.chart]?.exceptions ?? {};
            // The stack's facts and its rendered Namespaces, so each namespace has the level the stack declares.
            const namespaces = kubernetesObjects(release.render).filter((object) => object.kind === "Namespace");
            const manifests = [...namespaces, ...release.objects!].map((object, index) => ({ file: release.label, documentIndex: String(index), object: object as Record<string, unknown> }));
            const violations = checkObjects(manifests, { settings: release.settings }).filter((violation) => Number(violation.documentIndex) >= namespaces.length);
            const unexplained = violations.filter((violation) => exceptions[violation.guardrail] === undefined);
            for (const violation of unexplained) failures.push(`${release.label}: ${violation.kind} ${violation.name}: ${violation.guardrail}: ${violation.message}`);
            row(release)[2] = unexplained.length === 0 ? `pass (${violations.length} excepted)` : `${unexplained.length} violation(s)`;
        }
        assert.deepStrictEqual(failures, []);
    });

    it("the real API server accepts every rendered object (server-side dry-run, the chart's CRDs applied)", async function () {
        try {
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        const failures: string[] = [];
        for (const release of releases.filter((candidate) => candidate.objects !== undefined)) {
            for (const crd of release.crds!) {
                const answer = await api!.apply(crd as KubeObject, { serverSide: true });
                if (answer.status >= 300) failures.push(`${release.label}: CRD ${crd.metadata.name}: ${answer.status} ${JSON.stringify(answer.body?.message)}`);
            }
            for (const crd of release.crds!) {
                await api!.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name, {
                    predicate: (object: any) => object.status?.conditions?.some((condition: any) => condition.type === "Established" && condition.status === "True"),
                });
            }
            const declared = kubernetesObjects(release.render).find((object) => object.kind === "Namespace" && (object.metadata as { name: string }).name === release.namespace);
            await api!.apply((declared ?? { apiVersion: "v1", kind: "Namespace", metadata: { name: release.namespace } }) as KubeObject, { serverSide: true });
            let accepted = 0;
            for (const object of release.objects!) {
                const verdict = verdictOf(await api!.apply(object as KubeObject, { dryRun: true, namespace: release.namespace }));
                if (verdict.admitted) accepted++;
                else failures.push(`${release.label}: ${object.kind} ${object.metadata.name}: ${verdict.status} ${verdict.message}`);
            }
            row(release)[3] = `${accepted}/${release.objects!.length}`;
        }
        assert.deepStrictEqual(failures, []);
    });
});
