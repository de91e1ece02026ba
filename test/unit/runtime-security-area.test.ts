import * as assert from "assert";
import * as path from "path";
import { kubernetesObjects, RenderResult, renderStack } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { StackResource } from "../../components/guardrails/stack/definitions";
import { stackGuardrails } from "../../components/guardrails/stack/catalog";
import { policyPackConfigFor } from "../../components/guardrails/policyConfig";
import { allowedEnforceLevels, planNamespaces } from "../../components/pod-security/labels";
import { criticalEventsAlert, runtimeSecurityRuleGroups } from "../../components/runtime-security/alerts";
import { rules } from "../../components/runtime-security/rules/rules";
import { resolveRuntimeSecurityArgs } from "../../components/runtime-security/runtimeSecurity";
import { falcoRelease, tetragonRelease } from "../../components/runtime-security/sensorReleases";
import { tetragonPolicies } from "../../components/runtime-security/tetragonPolicies";
import { parsePlatformSettings, runtimeSensors } from "../../components/settings";
import { SchemaValidator, tetragonCrdsDir } from "../support/schemas";
import { requireSharedDir } from "../support/shared";
import { byType, repoRoot, stackConfig, stackNames } from "../support/render";

const runtimeGuardrail = stackGuardrails.find((guardrail) => guardrail.id === "stack-runtime-security")!;

function stackResources(result: RenderResult): StackResource[] {
    return result.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.name, props: resource.inputs }));
}

/** A stack file with its runtimeSecurity replaced. */
function renderStackWith(stack: string, runtimeSecurity: unknown): Promise<RenderResult> {
    const config = stackConfig(stack);
    return renderStack(stack, { ...config, values: { ...config.values, "bulwark:platform": { ...(config.values["bulwark:platform"] as object), runtimeSecurity } } });
}

describe("runtime security: settings into objects (pure)", () => {
    it("Falco's release: modern_ebpf driver, the generated rules, JSON output to stdout and falcosidekick, metrics scraped, default rules pinned", () => {
        const values = falcoRelease("RULES").values as any;
        assert.deepStrictEqual(values.driver, { enabled: true, kind: "modern_ebpf" });
        assert.deepStrictEqual(values.customRules, { "bulwark-rules.yaml": "RULES" });
        assert.strictEqual(values.falco.json_output, true);
        assert.match(values.falco.http_output.url, /^http:\/\/falcosidekick\.falco\.svc:2801\/$/);
        assert.strictEqual(values.metrics.enabled, true);
        assert.strictEqual(values.serviceMonitor.create, true);
        assert.strictEqual(values.falcoctl.artifact.follow.enabled, false);
        assert.deepStrictEqual(values.falcoctl.config.artifact.install.refs, ["falco-rules:5.1.0"]);
    });

    it("Tetragon's release: JSON export printed to stdout for the log path, metrics scraped", () => {
        const values = tetragonRelease().values as any;
        assert.strictEqual(values.export.mode, "stdout");
        assert.strictEqual(values.tetragon.prometheus.serviceMonitor.enabled, true);
    });

    it("Tetragon policies cover exec, sensitive file open and tcp_connect from the same lists, and only report by default", () => {
        const settings = parsePlatformSettings({ tenants: [{ name: "shop" }, { name: "cart" }], runtimeSecurity: "tetragon" }, "inline", "unit");
        const policies = tetragonPolicies(settings.runtimeSecurity, settings.tenants.map((tenant) => tenant.name));
        assert.deepStrictEqual(policies.map((policy) => `${policy.kind}/${policy.metadata.namespace ?? ""}/${policy.metadata.name}`), [
            "TracingPolicy//bulwark-process-exec",
            "TracingPolicy//bulwark-sensitive-file-open",
            "TracingPolicyNamespaced/cart/bulwark-unexpected-egress",
            "TracingPolicyNamespaced/shop/bulwark-unexpected-egress",
        ]);
        const text = JSON.stringify(policies);
        assert.deepStrictEqual([...text.matchAll(/"call":"([a-z_]+)"/g)].map((match) => match[1]), ["security_bprm_check", "security_file_open", "tcp_connect", "tcp_connect"]);
        for (const binary of ["/bash", "/apt-get", "/sudo", "/xmrig"]) assert.ok(text.includes(`"${binary}"`), binary);
        assert.ok(text.includes('"/etc/shadow"') && text.includes('"/var/run/secrets/kubernetes.io/serviceaccount"'));
        assert.ok(text.includes('"NotDPort","values":["53","443","4317","4318"]'), text);
        assert.doesNotMatch(text, /matchActions/);
        // Every intent Tetragon covers names its Falco rule, so the two sensors stay one catalogue.
        const covered = policies.flatMap((policy) => policy.metadata.annotations["bulwark.dev/intents"].split(","));
        for (const intent of covered) assert.ok(rules.some((rule) => rule.intent === intent), intent);
    });

    it("enforcement on a stack adds Sigkill and Override, nowhere else", () => {
        const settings = parsePlatformSettings({ tenants: [{ name: "shop" }], runtimeSecurity: { sensor: "tetragon", enforce: true } }, "inline", "unit");
        const actions = tetragonPolicies(settings.runtimeSecurity, ["shop"]).flatMap((policy) => JSON.stringify(policy).match(/"action":"[A-Za-z]+"/g) ?? []);
        assert.deepStrictEqual([...new Set(actions)].sort(), ['"action":"Override"', '"action":"Sigkill"']);
    });

    it("every TracingPolicy validates against Tetragon's CRD schema (chart crds-yaml)", function () {
        requireSharedDir(this, tetragonCrdsDir);
        const validator = new SchemaValidator();
        for (const enforce of [false, true]) {
            const settings = parsePlatformSettings({ tenants: [{ name: "shop" }], runtimeSecurity: { sensor: "tetragon", enforce } }, "inline", "unit");
            const policies = tetragonPolicies(settings.runtimeSecurity, ["shop"]) as unknown as Record<string, unknown>[];
            assert.deepStrictEqual(policies.flatMap((policy) => validator.validate(policy)), []);
        }
        // It can fail: an operator the CRD does not know.
        assert.notDeepStrictEqual(validator.validate({ apiVersion: "cilium.io/v1alpha1", kind: "TracingPolicy", metadata: { name: "x" }, spec: { kprobes: [{ call: "tcp_connect", selectors: [{ matchArgs: [{ index: 0, operator: "NotAPort", values: ["1"] }] }] }] } }), []);
    });

    it("the sensor's namespace is privileged with a written reason, and the namespace guardrail accepts exactly it", () => {
        for (const sensor of ["falco", "tetragon"] as const) {
            const settings = parsePlatformSettings({ runtimeSecurity: sensor }, "inline", "unit");
            const plan = planNamespaces(settings).find((namespace) => namespace.name === sensor)!;
            assert.strictEqual(plan.level, "privileged");
            assert.match(plan.reason ?? "", /eBPF sensor .* privileged containers/);
            const other = sensor === "falco" ? "tetragon" : "falco";
            assert.strictEqual(allowedEnforceLevels(settings)[sensor], "privileged");
            assert.strictEqual(allowedEnforceLevels(settings)[other], undefined);
        }
        // Other node agents (log collector, node-exporter) have privileged namespaces of their own; no sensor one remains.
        assert.strictEqual(planNamespaces(parsePlatformSettings({ runtimeSecurity: "none" }, "inline", "unit")).some((plan) => plan.name === "falco" || plan.name === "tetragon"), false);
    });

    it("the critical-events alert reads Falco's priority numbers 0-2", () => {
        const rule = (runtimeSecurityRuleGroups().groups[0].rules as { alert: string; expr: string }[])[0];
        assert.strictEqual(rule.alert, criticalEventsAlert);
        assert.match(rule.expr, /falcosecurity_falco_rules_matches_total\{priority=~"0\|1\|2"\}/);
    });

    it("without install, Falco's rules still reach the cluster as a ConfigMap and Tetragon's policies as objects", () => {
        const falco = resolveRuntimeSecurityArgs({ settings: parsePlatformSettings({ install: false }, "inline", "unit") });
        assert.strictEqual(falco.release, undefined);
        assert.deepStrictEqual(falco.objects.map((object) => object.kind), ["ConfigMap"]);
        const tetragon = resolveRuntimeSecurityArgs({ settings: parsePlatformSettings({ install: false, runtimeSecurity: "tetragon" }, "inline", "unit") });
        assert.strictEqual(tetragon.release, undefined);
        assert.ok(tetragon.tracingPolicies.length >= 2);
    });
});

describe("runtime security: every stack x runtimeSecurity (mocks)", () => {
    // The mesh setting does not exist yet on this branch; the table covers runtimeSecurity only.
    for (const stack of stackNames) {
        for (const sensor of runtimeSensors) {
            it(`${stack} with runtimeSecurity: ${sensor}`, async () => {
                const result = await renderStackWith(stack, sensor);
                const releases = byType(result, "kubernetes:helm.sh/v3:Release").map((release) => String(release.inputs.chart)).filter((chart) => chart === "falco" || chart === "tetragon");
                assert.deepStrictEqual(releases, sensor === "none" ? [] : [sensor]);
                assert.strictEqual(byType(result, "bulwark:runtime-security:RuntimeSecurity").length, 1);
                const objects = kubernetesObjects(result);
                const namespaces = objects.filter((object) => object.kind === "Namespace").map((object) => (object.metadata as { name: string }).name);
                assert.strictEqual(namespaces.includes("falco"), sensor === "falco");
                assert.strictEqual(namespaces.includes("tetragon"), sensor === "tetragon");
                assert.strictEqual(objects.some((object) => object.kind === "TracingPolicy"), sensor === "tetragon");
                assert.strictEqual(objects.some((object) => (object.metadata as { name: string }).name === "falcosidekick"), sensor === "falco");
                const violations = runtimeGuardrail.check(stackResources(result), {});
                if (sensor === "none") assert.match(violations[0], /no runtime-security agent.*set runtimeSecurity to falco or tetragon/);
                else assert.deepStrictEqual(violations, []);
            });
        }
    }

    it("the stacks choose: dev none (flagged), staging Falco, prod Tetragon reporting; the guardrail is mandatory in prod", () => {
        const chosen = Object.fromEntries(stackNames.map((stack) => [stack, readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack)]));
        assert.deepStrictEqual(Object.fromEntries(stackNames.map((stack) => [stack, [chosen[stack].runtimeSecurity.sensor, chosen[stack].runtimeSecurity.enforce]])), { dev: ["none", false], staging: ["falco", false], prod: ["tetragon", false] });
        assert.strictEqual(policyPackConfigFor(chosen.prod)["stack-runtime-security"].enforcementLevel, "mandatory");
        assert.strictEqual(policyPackConfigFor(chosen.dev)["stack-runtime-security"].enforcementLevel, "advisory");
    });

    it("render of prod shows the rules: a TracingPolicy per covered intent, with the stack's exception", async () => {
        const result = await renderStack("prod", stackConfig("prod"));
        const policies = kubernetesObjects(result).filter((object) => String(object.kind).startsWith("TracingPolicy"));
        const intents = new Set(policies.flatMap((policy) => String((policy.metadata as { annotations: Record<string, string> }).annotations["bulwark.dev/intents"]).split(",")));
        assert.deepStrictEqual([...intents].sort(), ["crypto-miner", "package-manager-in-container", "privilege-escalation", "sensitive-file-read", "shell-in-container", "unexpected-egress"]);
        const tenants = readStackSettings(path.join(repoRoot, "stacks", "Pulumi.prod.yaml"), "prod").tenants.map((tenant) => tenant.name);
        assert.strictEqual(policies.filter((policy) => policy.kind === "TracingPolicyNamespaced").length, tenants.length);
        assert.match(JSON.stringify(policies), /"NotDPort","values":\["53","443","4317","4318","5432"\]/);
    });

    it("render of staging shows the Falco rules file in the release values, with the stack's exception and its reason", async () => {
        const result = await renderStack("staging", stackConfig("staging"));
        const falco = byType(result, "kubernetes:helm.sh/v3:Release").find((release) => release.inputs.chart === "falco")!;
        const rulesYaml = (falco.inputs.values as { customRules: Record<string, string> }).customRules["bulwark-rules.yaml"];
        for (const rule of rules) assert.ok(rulesYaml.includes(`- rule: ${rule.name}`), rule.name);
        assert.match(rulesYaml, /5432: Tenants reach the managed PostgreSQL database on port 5432\./);
    });
});
