import * as assert from "assert";
import { Platform } from "../../components/platform";
import { parsePlatformSettings } from "../../components/settings";
import { byType, renderWith } from "../support/render";

const reason = "Node agents read host files and need privileged eBPF probes.";

async function renderPlatform(raw: unknown) {
    const settings = parsePlatformSettings(raw, "inline", "unit");
    return renderWith(raw, async () => {
        const platform = new Platform("bulwark", { settings });
        return { platformNamespace: platform.platformNamespace };
    });
}

function labelsOf(resource: { inputs: Record<string, unknown> }): Record<string, string> {
    return (resource.inputs.metadata as { labels: Record<string, string> }).labels;
}

describe("Platform component (mocks)", () => {
    it("uses bulwark:<area>:<Type> tokens and parents every child", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop" }] });
        const types = result.resources.map((resource) => resource.type);
        assert.ok(types.includes("bulwark:platform:Platform"));
        assert.ok(types.includes("bulwark:pod-security:PodSecurity"));
        const podSecurity = byType(result, "bulwark:pod-security:PodSecurity")[0];
        assert.strictEqual(podSecurity.parent, "bulwark:platform:Platform::bulwark");
        for (const namespace of byType(result, "kubernetes:core/v1:Namespace")) {
            assert.strictEqual(namespace.parent, `bulwark:pod-security:PodSecurity::${podSecurity.name}`);
        }
    });

    it("labels tenants restricted and the platform namespace baseline, with pinned versions", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop", labels: { team: "web" } }] });
        const namespaces = new Map(byType(result, "kubernetes:core/v1:Namespace").map((resource) => [resource.name, resource]));
        const shop = labelsOf(namespaces.get("shop")!);
        for (const mode of ["enforce", "audit", "warn"]) {
            assert.strictEqual(shop[`pod-security.kubernetes.io/${mode}`], "restricted");
            assert.strictEqual(shop[`pod-security.kubernetes.io/${mode}-version`], "v1.37");
            assert.strictEqual(labelsOf(namespaces.get("bulwark-system")!)[`pod-security.kubernetes.io/${mode}`], "baseline");
        }
        assert.strictEqual(shop.team, "web");
        assert.strictEqual(shop["bulwark.dev/namespace-role"], "tenant");
    });

    it("creates a declared exception at its level and records the reason as an annotation", async () => {
        const result = await renderPlatform({ podSecurity: { exceptions: [{ namespace: "node-agents", level: "privileged", reason }] } });
        const agents = byType(result, "kubernetes:core/v1:Namespace").find((resource) => resource.name === "node-agents")!;
        assert.strictEqual(labelsOf(agents)["pod-security.kubernetes.io/enforce"], "privileged");
        assert.deepStrictEqual((agents.inputs.metadata as { annotations: unknown }).annotations, { "bulwark.dev/pod-security-reason": reason });
    });

    it("in audit mode warns and audits at restricted but enforces only the baseline floor", async () => {
        const result = await renderPlatform({ enforcement: "audit", tenants: [{ name: "shop" }] });
        const shop = labelsOf(byType(result, "kubernetes:core/v1:Namespace").find((resource) => resource.name === "shop")!);
        assert.strictEqual(shop["pod-security.kubernetes.io/enforce"], "baseline");
        assert.strictEqual(shop["pod-security.kubernetes.io/warn"], "restricted");
        assert.strictEqual(shop["pod-security.kubernetes.io/audit"], "restricted");
    });

    it("an install argument overrides the settings for every area", async () => {
        const settings = parsePlatformSettings({ policy: { engine: "kyverno" } }, "inline", "unit");
        const result = await renderWith({}, async () => {
            new Platform("bulwark", { settings, install: false });
            return {};
        });
        assert.deepStrictEqual(byType(result, "kubernetes:helm.sh/v3:Release"), []);
        assert.ok(!byType(result, "kubernetes:core/v1:Namespace").some((resource) => resource.name === "kyverno"), "no engine namespace when the engine is not installed");
        assert.ok(result.resources.some((resource) => resource.inputs.kind === "ValidatingPolicy"), "the configuration layer is still created");
    });

    it("still creates the namespace layer when install is false (nothing to install for Pod Security)", async () => {
        const result = await renderPlatform({ install: false, tenants: [{ name: "shop" }] });
        assert.deepStrictEqual(byType(result, "kubernetes:core/v1:Namespace").map((resource) => resource.name).sort(), ["bulwark-system", "shop"]);
    });
});
