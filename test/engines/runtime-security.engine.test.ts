// Engine test: runtime security against real parts.
//  - Tetragon's own CRDs (../shared/charts/tetragon-1.7.0/crds-yaml) on a real kube-apiserver accept
//    every TracingPolicy the stacks render (reporting and enforcing), and refuse a malformed one.
//  - The pinned Falco and Tetragon charts rendered by real Helm with the stack's values: the settings
//    took effect (driver kind, rules file, outputs, export, metrics) and the API server accepts every
//    rendered object (server-side dry-run), with falcosidekick's typed objects and the alert rule.
//  - The critical-events alert rule passes a promtool unit test (Debian's prometheus package).
// No sensor runs here: there is no container runtime and the kernel has no kprobes (see README).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { kubernetesObjects } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { podSecurityLabels } from "../../components/pod-security/labels";
import { runtimeSecurityRuleGroups, criticalEventsAlert } from "../../components/runtime-security/alerts";
import { resolveRuntimeSecurityArgs } from "../../components/runtime-security/runtimeSecurity";
import { falcoRulesFile } from "../../components/runtime-security/sensorReleases";
import { tetragonPolicies } from "../../components/runtime-security/tetragonPolicies";
import { PlatformSettings } from "../../components/settings";
import { renderStackFile, repoRoot } from "../support/render";
import { tetragonCrdsDir } from "../support/schemas";
import { chartsDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { isCI, runProcess, skipOrFail } from "./harness/engines";
import { helmTemplate, RenderedObject } from "./harness/helm";
import { crdFromSharedSchema } from "./support/crds";

function stackSettings(stack: string): PlatformSettings {
    return readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
}

async function establish(api: ApiServer, crd: KubeObject): Promise<void> {
    const response = await api.apply(crd);
    assert.ok(response.status === 201 || response.status === 409, `CRD ${crd.metadata?.name}: ${JSON.stringify(response.body)}`);
    await api.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", String(crd.metadata?.name), {
        predicate: (object: { status?: { conditions?: { type: string; status: string }[] } }) => object.status?.conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ?? false,
    });
}

/** Server-side dry-run of every object; returns the refusals. */
async function refusals(api: ApiServer, objects: readonly Record<string, unknown>[], namespace: string): Promise<string[]> {
    const problems: string[] = [];
    for (const object of objects) {
        const response = await api.apply(object as KubeObject, { dryRun: true, namespace });
        if (response.status >= 300) problems.push(`${String(object.kind)}/${String((object.metadata as { name: string }).name)}: ${response.status} ${JSON.stringify(response.body).slice(0, 400)}`);
    }
    return problems;
}

/**
 * The pinned falco-9.1.0 copy declares its subcharts (falcosidekick, k8s-metacollector, falco-talon)
 * without carrying them, and Helm refuses a chart with missing dependencies even when they are
 * disabled. This copies the chart and drops exactly the declarations whose condition the values turn
 * off, after checking that they are off, so what renders is what the full chart renders.
 */
function falcoChartWithoutDisabledSubcharts(values: Record<string, any>, dir: string): string {
    const source = path.join(chartsDir, "falco-9.1.0");
    const target = path.join(dir, "falco");
    fs.cpSync(source, target, { recursive: true });
    fs.chmodSync(target, 0o755);
    const chart = yaml.load(fs.readFileSync(path.join(source, "Chart.yaml"), "utf8")) as { dependencies: { name: string; condition: string }[] };
    for (const dependency of chart.dependencies) {
        const enabled = dependency.condition.split(".").reduce<any>((value, key) => value?.[key], values);
        const chartDefault = dependency.condition.split(".").reduce<any>((value, key) => value?.[key], yaml.load(fs.readFileSync(path.join(source, "values.yaml"), "utf8")));
        assert.strictEqual(enabled ?? chartDefault, false, `subchart ${dependency.name} (${dependency.condition}) must be disabled to render without it`);
    }
    const chartFile = path.join(target, "Chart.yaml");
    fs.chmodSync(chartFile, 0o644);
    fs.writeFileSync(chartFile, yaml.dump({ ...chart, dependencies: [] }));
    return target;
}

describe("runtime security on real engines (API server, Helm, promtool)", function () {
    let api: ApiServer;
    let tmp = "";
    const summary: string[] = [];

    before(async function () {
        requireSharedDir(this, tetragonCrdsDir);
        try {
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-runtime-"));
        for (const file of fs.readdirSync(tetragonCrdsDir).filter((name) => name.endsWith(".yaml")).sort()) {
            await establish(api, yaml.load(fs.readFileSync(path.join(tetragonCrdsDir, file), "utf8")) as KubeObject);
        }
        for (const kind of ["ServiceMonitor", "PrometheusRule"]) await establish(api, crdFromSharedSchema("monitoring.coreos.com/v1", kind) as KubeObject);
        // The sensor namespaces, labelled as the platform plans them (privileged, with the reason).
        for (const name of ["falco", "tetragon"]) {
            const response = await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: podSecurityLabels("privileged", "enforce", "v1.37") } });
            assert.ok(response.status === 201 || response.status === 409, JSON.stringify(response.body));
        }
        const prod = stackSettings("prod");
        for (const tenant of prod.tenants) await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: tenant.name } });
    });

    after(async function () {
        await api?.stop();
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        if (summary.length > 0) console.log(`runtime security: ${summary.join("; ")}`);
    });

    it("Tetragon's real CRDs accept every TracingPolicy prod renders, and the enforcing variants", async function () {
        const rendered = kubernetesObjects(await renderStackFile("prod")).filter((object) => String(object.kind).startsWith("TracingPolicy"));
        const prod = stackSettings("prod");
        const enforcing = tetragonPolicies({ ...prod.runtimeSecurity, enforce: true }, prod.tenants.map((tenant) => tenant.name)) as unknown as Record<string, unknown>[];
        assert.ok(rendered.length >= 2 + prod.tenants.length, `prod renders ${rendered.length} TracingPolicies`);
        assert.deepStrictEqual(await refusals(api, [...rendered, ...enforcing], "default"), []);
        // The CRD validates: an operator it does not know is refused.
        const bad = { apiVersion: "cilium.io/v1alpha1", kind: "TracingPolicy", metadata: { name: "bad-operator" }, spec: { kprobes: [{ call: "tcp_connect", syscall: false, selectors: [{ matchArgs: [{ index: 0, operator: "NotAPort", values: ["1"] }] }] }] } };
        assert.strictEqual((await refusals(api, [bad], "default")).length, 1);
        summary.push(`${rendered.length + enforcing.length} TracingPolicies accepted by Tetragon's CRDs`);
    });

    it("the Falco chart with staging's values: modern_ebpf, the generated rules, JSON to stdout and falcosidekick, metrics; all objects accepted", async function () {
        const plan = resolveRuntimeSecurityArgs({ settings: stackSettings("staging") });
        assert.strictEqual(plan.release?.sensor, "falco");
        const values = plan.release!.values as Record<string, any>;
        const objects = await helmTemplate({ chart: falcoChartWithoutDisabledSubcharts(values, tmp), release: "falco", namespace: "falco", values, apiVersions: ["monitoring.coreos.com/v1"] });
        const find = (kind: string, name: string): RenderedObject => {
            const object = objects.find((candidate) => candidate.kind === kind && candidate.metadata.name === name);
            assert.ok(object, `${kind}/${name} not rendered; got ${objects.map((candidate) => `${candidate.kind}/${candidate.metadata.name}`).join(", ")}`);
            return object;
        };
        const falcoYaml = yaml.load((find("ConfigMap", "falco").data as Record<string, string>)["falco.yaml"]) as Record<string, any>;
        assert.strictEqual(falcoYaml.engine.kind, "modern_ebpf");
        assert.strictEqual(falcoYaml.json_output, true);
        assert.strictEqual(falcoYaml.stdout_output.enabled, true);
        assert.deepStrictEqual(falcoYaml.http_output.enabled, true);
        assert.strictEqual(falcoYaml.http_output.url, "http://falcosidekick.falco.svc:2801/");
        assert.ok(falcoYaml.rules_files.includes("/etc/falco/rules.d"), JSON.stringify(falcoYaml.rules_files));
        assert.strictEqual(falcoYaml.metrics.enabled, true);
        assert.strictEqual(falcoYaml.webserver.prometheus_metrics_enabled, true);
        // The generated rules file is mounted where rules_files reads it (the chart's `|-` block drops the final newline).
        assert.strictEqual((find("ConfigMap", "falco-rules").data as Record<string, string>)[falcoRulesFile], plan.rulesYaml.replace(/\n+$/, ""));
        const daemonSet = find("DaemonSet", "falco") as any;
        const podSpec = daemonSet.spec.template.spec;
        assert.ok(!(podSpec.initContainers ?? []).some((container: { name: string }) => container.name === "falco-driver-loader"), "modern_ebpf needs no driver loader");
        assert.ok(podSpec.volumes.some((volume: { name: string; configMap?: { name: string } }) => volume.configMap?.name === "falco-rules"));
        assert.strictEqual(daemonSet.spec.template.metadata.labels["bulwark.dev/runtime-security-exempt"], "true");
        const falcoctl = yaml.load((find("ConfigMap", "falco-falcoctl").data as Record<string, string>)["falcoctl.yaml"]) as Record<string, any>;
        // Our pinned rules, plus the container plugin the chart adds (pinned by the chart); nothing floating.
        assert.ok(falcoctl.artifact.install.refs.includes("falco-rules:5.1.0"), JSON.stringify(falcoctl.artifact.install.refs));
        for (const ref of falcoctl.artifact.install.refs as string[]) assert.match(ref, /:\d+\.\d+\.\d+$/, `${ref} is not pinned to a full version`);
        assert.ok(!podSpec.containers.some((container: { name: string }) => container.name === "falcoctl-artifact-follow"), "rules are pinned, never followed");
        find("ServiceMonitor", "falco");
        // The chart's objects, falcosidekick's typed objects and the alert rule: all accepted.
        assert.deepStrictEqual(await refusals(api, [...objects, ...plan.objects], "falco"), []);
        summary.push(`falco chart: ${objects.length} objects + ${plan.objects.length} typed, accepted`);
    });

    it("the Tetragon chart with prod's values: JSON export printed to stdout, process credentials and namespaces, metrics; all objects accepted", async function () {
        const plan = resolveRuntimeSecurityArgs({ settings: stackSettings("prod") });
        assert.strictEqual(plan.release?.sensor, "tetragon");
        const objects = await helmTemplate({ chart: "tetragon-1.7.0", release: "tetragon", namespace: "tetragon", values: plan.release!.values, apiVersions: ["monitoring.coreos.com/v1"] });
        const config = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "tetragon-config")!.data as Record<string, string>;
        assert.strictEqual(config["export-filename"], "/var/run/cilium/tetragon/tetragon.log");
        assert.strictEqual(config["enable-process-cred"], "true");
        assert.strictEqual(config["enable-process-ns"], "true");
        const daemonSet = objects.find((object) => object.kind === "DaemonSet") as any;
        assert.ok(daemonSet.spec.template.spec.containers.some((container: { name: string }) => container.name === "export-stdout"), "the export is printed for the log path");
        assert.strictEqual(daemonSet.spec.template.metadata.labels["bulwark.dev/runtime-security-exempt"], "true");
        assert.strictEqual(objects.filter((object) => object.kind === "ServiceMonitor").length, 2);
        assert.deepStrictEqual(await refusals(api, objects, "tetragon"), []);
        summary.push(`tetragon chart: ${objects.length} objects accepted`);
    });

    it("the critical-events alert fires on a critical Falco match and stays silent on warnings (promtool)", async function () {
        const promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((candidate) => fs.existsSync(candidate));
        if (promtool === undefined) {
            if (isCI()) assert.fail("promtool is missing: .ci/run installs Debian's prometheus package");
            // Outside CI only: a developer machine without Debian's prometheus package has no promtool to run.
            console.warn("      skipping: promtool is not installed (apt-get install prometheus)");
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(tmp, "promtool-"));
        fs.writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(runtimeSecurityRuleGroups()));
        const series = (priority: number, rule: string, values: string) => ({ series: `falcosecurity_falco_rules_matches_total{priority="${priority}",rule_name="${rule}",source="syscall"}`, values });
        const tests = {
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: [series(2, "Bulwark crypto miner", "0 0 1 1 1 1 1 1 1 1"), series(4, "Bulwark shell spawned in container", "0 1 2 3 4 5 6 7 8 9")],
                    alert_rule_test: [
                        { eval_time: "1m", alertname: criticalEventsAlert, exp_alerts: [] },
                        {
                            eval_time: "3m",
                            alertname: criticalEventsAlert,
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "critical", capability: "runtime-security", rule_name: "Bulwark crypto miner", priority: "2" },
                                    exp_annotations: {
                                        summary: 'Falco rule "Bulwark crypto miner" matched a critical runtime event',
                                        description: "Falco matched 1 event(s) at priority 2 (0-2: emergency, alert, critical) in the last 5 minutes. The alert itself, with pod and namespace, is in the logs pipeline.",
                                    },
                                },
                            ],
                        },
                        // Five minutes after the last new match, the increase is gone and so is the alert.
                        { eval_time: "9m", alertname: criticalEventsAlert, exp_alerts: [] },
                    ],
                },
            ],
        };
        fs.writeFileSync(path.join(dir, "tests.yaml"), yaml.dump(tests));
        const result = await runProcess(promtool!, ["test", "rules", "tests.yaml"], { cwd: dir, timeoutMs: 60_000 });
        assert.strictEqual(result.code, 0, `${result.stdout}\n${result.stderr}`);
        const check = await runProcess(promtool!, ["check", "rules", "rules.yaml"], { cwd: dir, timeoutMs: 60_000 });
        assert.strictEqual(check.code, 0, `${check.stdout}\n${check.stderr}`);
        summary.push("promtool: alert rule test passed");
    });
});
