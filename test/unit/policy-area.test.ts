import { findMutation } from "../../components/guardrails/mutations/catalog";
import * as assert from "assert";
import { crossGuardCapabilityPolicies } from "../../components/guardrails/crossguard";
import { guardrailDataFor } from "../../components/guardrails/policyConfig";
import { stackGuardrails } from "../../components/guardrails/stack/catalog";
import { StackResource } from "../../components/guardrails/stack/definitions";
import { Platform } from "../../components/platform";
import { podSecurityLabels } from "../../components/pod-security/labels";
import { engineRelease } from "../../components/policy/engineInstall";
import { renderAdmissionPolicies } from "../../components/policy/render";
import { parsePlatformSettings, policyEngines } from "../../components/settings";
import { policyPackConfigFor } from "../../components/guardrails/policyConfig";
import { RenderResult } from "../../cli/render";
import { byType, renderWith } from "../support/render";

const flux = { url: "https://git.example.com/acme/platform.git" };

async function renderPlatform(raw: Record<string, unknown>): Promise<RenderResult> {
    const settings = parsePlatformSettings(raw, "inline", "unit");
    return renderWith(raw, async () => {
        new Platform("bulwark", { settings });
        return {};
    });
}

function capabilityViolations(result: RenderResult, config: Record<string, unknown>): Record<string, string[]> {
    const resources: StackResource[] = result.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.name, props: resource.inputs }));
    return Object.fromEntries(stackGuardrails.map((guardrail) => [guardrail.id, guardrail.check(resources, config)]));
}

describe("policy area: engines, delivery and install (mocks)", () => {
    for (const engine of policyEngines) {
        for (const delivery of ["pulumi", "flux"] as const) {
            for (const install of [true, false]) {
                it(`${engine} delivered by ${delivery}, install=${install}`, async () => {
                    // No runtime sensor, no metrics stack and external trace/log stores: these cases count the policy area's releases only.
                    const observability = { metrics: { enabled: false }, tempo: { external: { otlpGrpc: "tempo.example.com:4317", queryUrl: "https://tempo.example.com" } }, loki: { external: { otlpUrl: "https://loki.example.com/otlp", queryUrl: "https://loki.example.com" } } };
                    const result = await renderPlatform({ tenants: [{ name: "shop" }], install, runtimeSecurity: "none", policy: { engine, delivery, replicas: 2, ...(delivery === "flux" ? { flux } : {}) }, observability });
                    const releases = byType(result, "kubernetes:helm.sh/v3:Release").map((release) => release.inputs.chart);
                    const expectedCharts = [...(install && engine !== "vap" ? [engine] : []), ...(install && delivery === "flux" ? ["flux2"] : [])];
                    assert.deepStrictEqual(releases.sort(), expectedCharts.sort());
                    const kinds = new Set(result.resources.map((resource) => resource.inputs.kind));
                    if (delivery === "flux") {
                        assert.ok(kinds.has("GitRepository") && kinds.has("Kustomization"));
                        const kustomization = result.resources.find((resource) => resource.inputs.kind === "Kustomization")!;
                        assert.strictEqual((kustomization.inputs.spec as { path: string }).path, `./policies/${engine}/unit`);
                        assert.ok(!kinds.has("ValidatingAdmissionPolicy") && !kinds.has("ValidatingPolicy") && !kinds.has("ConstraintTemplate"));
                    } else {
                        const policyKind = { vap: "ValidatingAdmissionPolicy", kyverno: "ValidatingPolicy", gatekeeper: "ConstraintTemplate" }[engine];
                        assert.ok(kinds.has(policyKind), `${policyKind} missing`);
                    }
                    const admission = capabilityViolations(result, { requireHighAvailability: true })["stack-admission-engine"];
                    assert.deepStrictEqual(admission, [], "the stack-admission-engine guardrail accepts every supported combination");
                });
            }
        }
    }

    it("rejects contradictory hand-built settings with a ResourceError naming the setting", async () => {
        const settings = parsePlatformSettings({}, "inline", "unit");
        const contradictory = { ...settings, policy: { ...settings.policy, delivery: "flux" as const, flux: undefined } };
        await assert.rejects(
            renderWith({}, async () => {
                new Platform("bulwark", { settings: contradictory });
                return {};
            }),
            /policy\.delivery is 'flux' but policy\.flux .* is not set/,
        );
    });

    it("Gatekeeper constraints are parented under the component and cover the Rego ingress guardrail", async () => {
        const result = await renderPlatform({ policy: { engine: "gatekeeper" } });
        const templates = result.resources.filter((resource) => resource.inputs.kind === "ConstraintTemplate");
        assert.ok(templates.some((template) => JSON.stringify(template.inputs).includes("data.inventory")), "the Rego template reads the synced inventory");
        assert.ok(result.resources.some((resource) => resource.inputs.kind === "Config"), "Gatekeeper syncs Ingresses for the Rego guardrail");
        for (const resource of result.resources.filter((candidate) => candidate.type.startsWith("kubernetes:"))) {
            assert.ok(resource.parent.startsWith("bulwark:"), `${resource.name} has no Bulwark parent`);
        }
    });

    it("engines other than Gatekeeper list the cross-object guardrail as unsupported, with the reason", () => {
        const objects = renderAdmissionPolicies("kyverno", "enforce", {});
        assert.ok(!JSON.stringify(objects).includes("ingress-host-unique"));
    });

    it("HA turns on replicas and PodDisruptionBudgets, and webhooks never see kube-system or the engine", () => {
        const kyverno = engineRelease(parsePlatformSettings({ policy: { engine: "kyverno", replicas: 3 } }, "inline", "prod").policy)!;
        const values = kyverno.values as { admissionController: { replicas: number; podDisruptionBudget: { enabled: boolean } }; config: { webhooks: unknown } };
        assert.strictEqual(values.admissionController.replicas, 3);
        assert.strictEqual(values.admissionController.podDisruptionBudget.enabled, true);
        assert.match(JSON.stringify(values.config.webhooks), /"NotIn","values":\["kube-system","kube-public","kube-node-lease","kyverno"\]/);
        const single = engineRelease(parsePlatformSettings({ policy: { engine: "kyverno" } }, "inline", "dev").policy)!;
        assert.strictEqual((single.values as typeof values).admissionController.podDisruptionBudget.enabled, false);
        const gatekeeper = engineRelease(parsePlatformSettings({ policy: { engine: "gatekeeper", replicas: 2 } }, "inline", "prod").policy)!;
        assert.strictEqual((gatekeeper.values as { validatingWebhookFailurePolicy: string }).validatingWebhookFailurePolicy, "Fail");
        assert.deepStrictEqual((gatekeeper.values as { controllerManager: { exemptNamespaces: string[] } }).controllerManager.exemptNamespaces, ["kube-system", "kube-public", "kube-node-lease", "gatekeeper-system"]);
    });
});

describe("the enforcement ramp: one setting moves every enforcement point together", () => {
    for (const mode of ["audit", "enforce"] as const) {
        it(`${mode}`, () => {
            const settings = parsePlatformSettings({ enforcement: mode, tenants: [{ name: "shop" }] }, "inline", mode);
            // Mutations remediate in every stack (they never block), so the ramp concerns the validating policies.
            const crossGuard = new Set(Object.entries(policyPackConfigFor(settings)).filter(([id]) => findMutation(id) === undefined).map(([, policy]) => policy.enforcementLevel));
            const data = guardrailDataFor(settings);
            const vapActions = new Set(renderAdmissionPolicies("vap", mode, data).filter((object) => object.kind === "ValidatingAdmissionPolicyBinding").map((object) => JSON.stringify((object.spec as { validationActions: string[] }).validationActions)));
            const kyvernoActions = new Set(renderAdmissionPolicies("kyverno", mode, data).map((object) => JSON.stringify((object.spec as { validationActions: string[] }).validationActions)));
            const gatekeeperActions = new Set(renderAdmissionPolicies("gatekeeper", mode, data).filter((object) => String(object.apiVersion).startsWith("constraints.")).map((object) => (object.spec as { enforcementAction: string }).enforcementAction));
            const psa = podSecurityLabels("restricted", mode, "v1.35");
            const expected =
                mode === "enforce"
                    ? { crossGuard: ["mandatory"], vap: ['["Deny"]'], kyverno: ['["Deny"]'], gatekeeper: ["deny"], psaEnforce: "restricted" }
                    : { crossGuard: ["advisory"], vap: ['["Warn","Audit"]'], kyverno: ['["Warn","Audit"]'], gatekeeper: ["warn"], psaEnforce: "baseline" };
            assert.deepStrictEqual(
                { crossGuard: [...crossGuard], vap: [...vapActions], kyverno: [...kyvernoActions], gatekeeper: [...gatekeeperActions], psaEnforce: psa["pod-security.kubernetes.io/enforce"] },
                expected,
            );
            assert.strictEqual(psa["pod-security.kubernetes.io/warn"], "restricted");
        });
    }
});

describe("stack-level guardrails (CrossGuard validateStack)", () => {
    it("report the capabilities this platform does not yet provide, and accept them once present", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop" }], runtimeSecurity: "none", policy: { engine: "kyverno", replicas: 1 } });
        const missing = capabilityViolations(result, { requireHighAvailability: true, workloadNamespaces: ["shop"] });
        assert.deepStrictEqual(missing["stack-admission-engine"], ["Kyverno release bulwark-guardrails-kyverno runs fewer than 2 admission controller replicas", "Kyverno release bulwark-guardrails-kyverno has no PodDisruptionBudget"]);
        assert.match(missing["stack-runtime-security"][0], /no runtime-security agent/);
        assert.match(missing["stack-image-signature-policy"][0], /no supplyChain trust policy/);
        assert.match(missing["stack-image-signature-policy"][1], /no admission image verifier in the stack/);
        assert.deepStrictEqual(missing["stack-workloads-meshed"], [
            "no service mesh in the stack (mesh: none): expected an istiod or linkerd-control-plane release, or a mesh-wide STRICT PeerAuthentication in istio-system",
            "workload namespace(s) not enrolled in a mesh: shop",
        ]);

        const present: StackResource[] = [
            { type: "kubernetes:helm.sh/v3:Release", name: "falco", urn: "falco", props: { chart: "falco" } },
            { type: "kubernetes:helm.sh/v3:Release", name: "istiod", urn: "istiod", props: { chart: "istiod" } },
            { type: "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy", name: "signed", urn: "signed", props: { kind: "ImageValidatingPolicy" } },
            { type: "kubernetes:core/v1:Namespace", name: "shop", urn: "shop", props: { kind: "Namespace", metadata: { name: "shop", labels: { "istio.io/dataplane-mode": "ambient" } } } },
        ];
        for (const id of ["stack-runtime-security", "stack-image-signature-policy", "stack-workloads-meshed"]) {
            assert.deepStrictEqual(stackGuardrails.find((guardrail) => guardrail.id === id)!.check(present, { workloadNamespaces: ["shop"], trustPolicyEntries: 1 }), [], id);
        }
    });

    it("are CrossGuard stack policies reading their config", () => {
        const reported: string[] = [];
        const [admission] = crossGuardCapabilityPolicies();
        void admission.validateStack({ resources: [], getConfig: () => ({}) } as never, (message: string) => reported.push(message));
        assert.strictEqual(reported.length, 1);
        assert.match(reported[0], /no admission engine policies/);
    });
});
