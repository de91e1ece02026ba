import * as assert from "assert";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { kubernetesObjects, RenderResult, renderStack } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { stackGuardrails } from "../../components/guardrails/stack/catalog";
import { StackResource } from "../../components/guardrails/stack/definitions";
import { meshComponentNamespaces } from "../../components/mesh/enrolment";
import { istioReleases } from "../../components/mesh/istio";
import { linkerdReleases } from "../../components/mesh/linkerd";
import { intermediateIssuer, rootCaObjects } from "../../components/mesh/pki";
import { allowedEnforceLevels } from "../../components/pod-security/labels";
import { meshProviders, parsePlatformSettings, policyEngines } from "../../components/settings";
import { byType, repoRoot, stackConfig, stackNames } from "../support/render";

type Obj = Record<string, any>;

/** A stack file with `mesh.provider` and `policy.engine` replaced (the rest of the stack as written). */
async function renderVariant(stack: string, provider: string, engine: string): Promise<RenderResult> {
    const config = stackConfig(stack);
    const platform = config.values["bulwark:platform"] as Obj;
    const mesh = typeof platform.mesh === "object" ? { ...platform.mesh, provider } : { provider };
    return renderStack(stack, { ...config, values: { ...config.values, "bulwark:platform": { ...platform, mesh, policy: { ...platform.policy, engine } } } });
}

const objectsOf = (result: RenderResult, kind: string): Obj[] => kubernetesObjects(result).filter((object) => object.kind === kind) as Obj[];

function stackResources(result: RenderResult): StackResource[] {
    return result.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.name, props: resource.inputs }));
}

const meshed = stackGuardrails.find((guardrail) => guardrail.id === "stack-workloads-meshed")!;

describe("service mesh (mocks): every stack x mesh x policy engine", () => {
    for (const stack of stackNames) {
        const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
        const tenants = settings.tenants.map((tenant) => tenant.name);
        for (const provider of meshProviders) {
            for (const engine of policyEngines) {
                it(`${stack} with mesh ${provider} and engine ${engine}`, async () => {
                    const result = await renderVariant(stack, provider, engine);
                    const namespaces = new Map(objectsOf(result, "Namespace").map((namespace) => [namespace.metadata.name, namespace]));
                    for (const tenant of tenants) {
                        const metadata = namespaces.get(tenant)!.metadata;
                        assert.strictEqual(metadata.labels["istio-injection"], provider === "istio" ? "enabled" : undefined, tenant);
                        assert.strictEqual(metadata.annotations?.["linkerd.io/inject"], provider === "linkerd" ? "enabled" : undefined, tenant);
                        assert.strictEqual(metadata.labels["pod-security.kubernetes.io/warn"], "restricted", `${tenant} stays restricted`);
                    }
                    const releases = byType(result, "kubernetes:helm.sh/v3:Release").map((release) => String(release.inputs.chart));
                    const certManager = byType(result, "kubernetes-cert-manager:index:CertManager");
                    const violations = meshed.check(stackResources(result), { workloadNamespaces: tenants });
                    if (provider === "none") {
                        assert.deepStrictEqual(releases.filter((chart) => /istio|linkerd|base|cni/.test(chart)), []);
                        assert.strictEqual(certManager.length, 0);
                        assert.match(violations[0], /no service mesh in the stack \(mesh: none\)/);
                        return;
                    }
                    assert.deepStrictEqual(violations, [], "the stack guardrail is satisfied once a mesh is installed");
                    assert.strictEqual(certManager.length, 1);
                    assert.strictEqual((certManager[0].inputs.helmOptions as Obj).version, "v1.21.1");
                    const expectedCharts = provider === "istio" ? ["base", "cni", "istiod"] : ["linkerd-control-plane", "linkerd-crds", "linkerd2-cni"];
                    assert.deepStrictEqual(releases.filter((chart) => expectedCharts.includes(chart)).sort(), expectedCharts);
                    // The CNI agent's namespace is the only privileged one the mesh adds, and it says why.
                    const cni = namespaces.get(provider === "istio" ? "istio-cni" : "linkerd-cni")!;
                    assert.strictEqual(cni.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
                    assert.match(cni.metadata.annotations["bulwark.dev/pod-security-reason"], /hostPath/);
                    // The platform obeys its own guardrails with the mesh in place.
                    const objects = kubernetesObjects(result).map((object, index) => ({ file: `render:${stack}`, documentIndex: String(index), object }));
                    const variantSettings = parsePlatformSettings({ ...(stackConfig(stack).values["bulwark:platform"] as Obj), mesh: provider, policy: { ...(stackConfig(stack).values["bulwark:platform"] as Obj).policy, engine } }, "inline", stack);
                    assert.deepStrictEqual(checkObjects(objects, { settings: variantSettings }), []);
                });
            }
        }
    }
});

describe("service mesh: Linkerd's trust anchor, installed and config-only", () => {
    async function render(install: boolean): Promise<RenderResult> {
        const config = stackConfig("staging");
        const platform = config.values["bulwark:platform"] as Obj;
        return renderStack("staging", { ...config, values: { ...config.values, "bulwark:platform": { ...platform, mesh: "linkerd", install } } });
    }
    const issuerOf = (result: RenderResult) => objectsOf(result, "Certificate").find((certificate) => certificate.metadata.name === "linkerd-identity-issuer");

    it("installed: up waits for the issuer to be Ready, then publishes its CA as the trust roots", async () => {
        const result = await render(true);
        assert.strictEqual(issuerOf(result)?.metadata.annotations?.["pulumi.com/waitFor"], "condition=Ready");
        assert.ok(objectsOf(result, "ConfigMap").some((map) => map.metadata.name === "linkerd-identity-trust-roots"));
        assert.strictEqual(result.resources.filter((resource) => resource.name.endsWith("-linkerd-issuer-secret")).length, 1, "the issuer Secret is read");
    });

    it("config-only: the issuer is created, and nothing reads a Secret that only cert-manager would write", async () => {
        const result = await render(false);
        assert.ok(issuerOf(result), "the issuer Certificate is configuration and is created");
        assert.strictEqual(issuerOf(result)?.metadata.annotations?.["pulumi.com/waitFor"], undefined);
        assert.ok(!objectsOf(result, "ConfigMap").some((map) => map.metadata.name === "linkerd-identity-trust-roots"));
        assert.deepStrictEqual(result.resources.filter((resource) => resource.name.endsWith("-linkerd-issuer-secret")), []);
    });
});

describe("service mesh: prod render", () => {
    let prod: RenderResult;
    before(async () => {
        prod = await renderStack("prod", stackConfig("prod"));
    });

    it("shows the mesh-wide STRICT PeerAuthentication in the root namespace", () => {
        const peerAuthentications = objectsOf(prod, "PeerAuthentication");
        assert.deepStrictEqual(
            peerAuthentications.map((object) => ({ name: object.metadata.name, namespace: object.metadata.namespace, spec: object.spec })),
            [{ name: "default", namespace: "istio-system", spec: { mtls: { mode: "STRICT" } } }],
        );
    });

    it("shows the PKI chain: self-signed root -> root CA issuer -> istiod's intermediate in cacerts", () => {
        const issuers = new Map(objectsOf(prod, "ClusterIssuer").map((issuer) => [issuer.metadata.name, issuer.spec]));
        assert.deepStrictEqual(issuers.get("bulwark-selfsigned"), { selfSigned: {} });
        assert.deepStrictEqual(issuers.get("bulwark-mesh-root-ca"), { ca: { secretName: "bulwark-mesh-root-ca" } });
        const certificates = new Map(objectsOf(prod, "Certificate").map((certificate) => [certificate.metadata.name, certificate]));
        const root = certificates.get("bulwark-mesh-root-ca")!;
        assert.deepStrictEqual(root.spec.issuerRef, { name: "bulwark-selfsigned", kind: "ClusterIssuer", group: "cert-manager.io" });
        assert.strictEqual(root.spec.isCA, true);
        assert.strictEqual(root.metadata.namespace, "cert-manager");
        const intermediate = certificates.get("istio-ca")!;
        assert.deepStrictEqual(intermediate.spec.issuerRef, { name: "bulwark-mesh-root-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
        assert.deepStrictEqual([intermediate.metadata.namespace, intermediate.spec.secretName, intermediate.spec.isCA], ["istio-system", "cacerts", true]);
        // prod's durations and rotation from its stack file.
        assert.deepStrictEqual([intermediate.spec.duration, intermediate.spec.renewBefore, root.spec.duration, root.spec.renewBefore], ["8760h", "720h", "87600h", "2160h"]);
        assert.deepStrictEqual(intermediate.spec.privateKey, { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" });
    });

    it("labels every tenant namespace for injection, and no platform namespace", () => {
        const settings = readStackSettings(path.join(repoRoot, "stacks", "Pulumi.prod.yaml"), "prod");
        const injected = objectsOf(prod, "Namespace").filter((namespace) => namespace.metadata.labels["istio-injection"] === "enabled").map((namespace) => namespace.metadata.name);
        assert.deepStrictEqual(injected.sort(), settings.tenants.map((tenant) => tenant.name).sort());
    });

    it("passes istiod the CNI mode, the workload cert TTL and metrics merging", () => {
        const istiod = byType(prod, "kubernetes:helm.sh/v3:Release").find((release) => release.inputs.chart === "istiod")!;
        const values = istiod.inputs.values as Obj;
        assert.strictEqual(values.pilot.cni.enabled, true);
        assert.strictEqual(values.pilot.env.DEFAULT_WORKLOAD_CERT_TTL, "12h");
        assert.strictEqual(values.meshConfig.enablePrometheusMerge, true);
        assert.deepStrictEqual(values.global.proxy.seccompProfile, { type: "RuntimeDefault" });
    });
});

describe("service mesh: pure builders", () => {
    const settingsWith = (mesh: unknown, extra: Obj = {}) => parsePlatformSettings({ tenants: [{ name: "shop" }], mesh, ...extra }, "inline", "unit");

    it("an external issuer signs the intermediate and no self-signed root is made", () => {
        const settings = settingsWith({ provider: "istio", pki: { externalIssuer: { name: "corp-vault", group: "cert-manager.io" } } });
        assert.deepStrictEqual(rootCaObjects(settings.mesh.pki), []);
        assert.deepStrictEqual(intermediateIssuer(settings.mesh.pki), { name: "corp-vault", kind: "ClusterIssuer", group: "cert-manager.io" });
    });

    it("Linkerd: all-authenticated by default, CNI on, proxies drop ALL capabilities, trust anchors from cert-manager", () => {
        const controlPlane = linkerdReleases(settingsWith("linkerd").mesh).find((release) => release.chart === "linkerd-control-plane")!;
        assert.deepStrictEqual(controlPlane.values, {
            cniEnabled: true,
            proxy: { defaultInboundPolicy: "all-authenticated", capabilities: { drop: ["ALL"] } },
            identity: { externalCA: true, issuer: { scheme: "kubernetes.io/tls", issuanceLifetime: "24h" } },
        });
    });

    it("Istio: CNI mode with metrics merging", () => {
        const istiod = istioReleases(settingsWith("istio").mesh).find((release) => release.chart === "istiod")!;
        assert.strictEqual((istiod.values.pilot as Obj).cni.enabled, true);
    });

    it("the namespace guardrail accepts exactly the CNI agent's namespace at privileged, nothing more", () => {
        for (const provider of ["istio", "linkerd"] as const) {
            const settings = settingsWith(provider);
            const allowed = allowedEnforceLevels(settings);
            const cni = provider === "istio" ? "istio-cni" : "linkerd-cni";
            assert.strictEqual(allowed[cni], "privileged");
            assert.deepStrictEqual(
                meshComponentNamespaces(settings).filter((namespace) => namespace.level === "privileged").map((namespace) => namespace.name),
                [cni],
            );
            // The other mesh's CNI namespace is not accepted.
            const other = provider === "istio" ? "linkerd-cni" : "istio-cni";
            const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: other, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } };
            const violations = checkObjects([{ file: "x", documentIndex: "0", object: namespace }], { settings });
            assert.ok(violations.some((violation) => violation.guardrail === "namespace-pod-security-level"), JSON.stringify(violations));
        }
    });
});
