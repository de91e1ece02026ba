import * as assert from "assert";
import { configOnlyConfig } from "../../cli/local/configOnly";
import { RenderResult, renderStack } from "../../cli/render";
import { stackGuardrails } from "../../components/guardrails/stack/catalog";
import { StackResource } from "../../components/guardrails/stack/definitions";
import { Platform } from "../../components/platform";
import { componentNamespaces } from "../../components/pod-security/labels";
import { parsePlatformSettings, settingsKey } from "../../components/settings";
import { offlineOnlyLogUrl, renderClusterImagePolicies, renderSigstoreTrustRoots, transparencyLogsTrustRootName } from "../../components/supply-chain/admission";
import { SchemaValidator } from "../support/schemas";
import { policyControllerNamespace, policyControllerRelease, policyControllerValues } from "../../components/supply-chain/policyController";
import { policyControllerOptInLabel } from "../../components/supply-chain/policyControllerScope";
import { chartRepositories, versions } from "../../components/versions";
import { byType, renderStackFile, renderWith, stackConfig } from "../support/render";

const releaseType = "kubernetes:helm.sh/v3:Release";
const componentType = "bulwark:supply-chain:ImageSignatureAdmission";
const trustPolicy = {
    trustRoots: [{ name: "sigstore-public-good", publicGood: true }],
    policies: [{ name: "acme-images", images: ["ghcr.io/acme/**"], authorities: [{ keyless: { trustRoot: "sigstore-public-good", issuer: "https://token.actions.githubusercontent.com", subject: "https://github.com/acme/platform/.github/workflows/sign-image.yml@refs/heads/main" } }] }],
};

function namespaceLabels(result: RenderResult): Map<string, Record<string, string>> {
    return new Map(byType(result, "kubernetes:core/v1:Namespace").map((resource) => [resource.name, (resource.inputs.metadata as { labels: Record<string, string> }).labels]));
}

const clusterImagePolicies = (result: RenderResult) => result.resources.filter((resource) => resource.inputs.kind === "ClusterImagePolicy");
const policyControllerReleases = (result: RenderResult) => byType(result, releaseType).filter((resource) => resource.inputs.chart === "policy-controller");

function imageSignatureViolations(result: RenderResult, trustPolicyEntries: number): string[] {
    const resources: StackResource[] = result.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.name, props: resource.inputs }));
    return stackGuardrails.find((guardrail) => guardrail.id === "stack-image-signature-policy")!.check(resources, { trustPolicyEntries });
}

async function renderPlatform(raw: Record<string, unknown>): Promise<RenderResult> {
    const settings = parsePlatformSettings(raw, "inline", "unit");
    return renderWith(raw, async () => {
        new Platform("bulwark", { settings });
        return {};
    });
}

describe("image signatures at admission on gatekeeper/vap stacks: the sigstore policy-controller (mocks)", () => {
    const devSettings = parsePlatformSettings(stackConfig("dev").values[settingsKey], "Pulumi.dev.yaml", "dev");

    it("dev (vap) installs the pinned policy-controller chart into cosign-system with the stack's values", async () => {
        const result = await renderStackFile("dev");
        const releases = policyControllerReleases(result);
        assert.strictEqual(releases.length, 1);
        const inputs = releases[0].inputs as { name: string; namespace: string; chart: string; version: string; repositoryOpts: { repo: string }; values: Record<string, unknown> };
        assert.deepStrictEqual(
            { name: inputs.name, namespace: inputs.namespace, chart: inputs.chart, version: inputs.version, repo: inputs.repositoryOpts.repo },
            { name: "policy-controller", namespace: policyControllerNamespace, chart: "policy-controller", version: versions.policyControllerChart, repo: chartRepositories.sigstore },
        );
        assert.deepStrictEqual(inputs.values, policyControllerValues(devSettings));
        assert.strictEqual(releases[0].parent, `${componentType}::bulwark-image-signatures`);
        const webhook = inputs.values.webhook as { failurePolicy: string; namespaceSelector: unknown };
        assert.strictEqual(webhook.failurePolicy, "Fail");
        assert.deepStrictEqual(webhook.namespaceSelector, { matchExpressions: [{ key: policyControllerOptInLabel, operator: "In", values: ["true"] }] });
    });

    it("dev plans cosign-system as a platform namespace at Pod Security restricted, with its reason", async () => {
        const planned = componentNamespaces(devSettings).find((namespace) => namespace.name === policyControllerNamespace);
        assert.ok(planned !== undefined, "cosign-system is planned");
        assert.strictEqual(planned.level, "restricted");
        assert.match(planned.reason ?? "", /non-root .* RuntimeDefault/);
        const labels = namespaceLabels(await renderStackFile("dev")).get(policyControllerNamespace)!;
        assert.strictEqual(labels["bulwark.dev/namespace-role"], "platform");
        assert.strictEqual(labels["pod-security.kubernetes.io/warn"], "restricted");
    });

    it("only tenant namespaces opt in to the policy-controller's image checks", async () => {
        const labels = namespaceLabels(await renderStackFile("dev"));
        const tenants = devSettings.tenants.map((tenant) => tenant.name);
        assert.deepStrictEqual(tenants.map((tenant) => labels.get(tenant)?.[policyControllerOptInLabel]), tenants.map(() => "true"));
        const optedIn = [...labels].filter(([, namespaceLabels]) => namespaceLabels[policyControllerOptInLabel] !== undefined).map(([name]) => name);
        assert.deepStrictEqual(optedIn.sort(), [...tenants].sort(), "platform namespaces (cosign-system among them) stay out");
    });

    it("creates one ClusterImagePolicy per trust-policy entry as a typed CustomResource of the component", async () => {
        const result = await renderStackFile("dev");
        const policies = clusterImagePolicies(result);
        const expected = renderClusterImagePolicies(devSettings.supplyChain, devSettings.enforcement);
        assert.strictEqual(policies.length, devSettings.supplyChain.policies.length);
        const byName = (left: { metadata: unknown }, right: { metadata: unknown }) => (left.metadata as { name: string }).name.localeCompare((right.metadata as { name: string }).name);
        assert.deepStrictEqual(
            policies.map((policy) => ({ apiVersion: policy.inputs.apiVersion, metadata: policy.inputs.metadata, spec: policy.inputs.spec })).sort(byName),
            expected.map((policy) => ({ apiVersion: policy.apiVersion, metadata: policy.metadata, spec: policy.spec })).sort(byName),
        );
        for (const policy of policies) {
            assert.strictEqual(policy.type, "kubernetes:policy.sigstore.dev/v1beta1:ClusterImagePolicy");
            assert.strictEqual(policy.parent, `${componentType}::bulwark-image-signatures`);
            assert.strictEqual((policy.inputs.spec as { mode: string }).mode, "warn", "dev's audit ramp warns");
        }
    });

    it("satisfies stack-image-signature-policy once installed", async () => {
        assert.deepStrictEqual(imageSignatureViolations(await renderStackFile("dev"), devSettings.supplyChain.policies.length), []);
    });

    it("config-only (install: false) creates no release and no cosign-system, but the ClusterImagePolicies and tenant labels", async () => {
        const result = await renderStack("dev", configOnlyConfig(stackConfig("dev")));
        assert.deepStrictEqual(byType(result, releaseType), []);
        const labels = namespaceLabels(result);
        assert.ok(!labels.has(policyControllerNamespace));
        for (const tenant of devSettings.tenants) assert.strictEqual(labels.get(tenant.name)?.[policyControllerOptInLabel], "true", tenant.name);
        assert.strictEqual(clusterImagePolicies(result).length, devSettings.supplyChain.policies.length);
        // The controller is installed elsewhere; the stack guardrail cannot see it and says so.
        assert.deepStrictEqual(imageSignatureViolations(result, devSettings.supplyChain.policies.length), ["ClusterImagePolicy objects exist but no sigstore policy-controller enforces them"]);
    });

    it("gatekeeper stacks get the same controller, labels and policies", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop" }], runtimeSecurity: "none", policy: { engine: "gatekeeper", replicas: 2 }, supplyChain: trustPolicy });
        assert.strictEqual(policyControllerReleases(result).length, 1);
        assert.strictEqual((policyControllerReleases(result)[0].inputs.values as { webhook: { replicaCount: number } }).webhook.replicaCount, 2);
        assert.strictEqual(namespaceLabels(result).get("shop")?.[policyControllerOptInLabel], "true");
        assert.deepStrictEqual(clusterImagePolicies(result).map((policy) => (policy.inputs.metadata as { name: string }).name), ["bulwark-image-signature-acme-images"]);
        assert.deepStrictEqual(imageSignatureViolations(result, 1), []);
    });

    it("with Flux delivery the ClusterImagePolicies come from policies/ in Git, and the controller is still installed", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop" }], runtimeSecurity: "none", policy: { engine: "vap", delivery: "flux", flux: { url: "https://git.example.com/acme/platform.git" } }, supplyChain: trustPolicy });
        assert.strictEqual(policyControllerReleases(result).length, 1);
        assert.deepStrictEqual(clusterImagePolicies(result), [], "one owner per object: Flux applies them");
        assert.ok(result.resources.some((resource) => resource.inputs.kind === "Kustomization"));
        assert.deepStrictEqual(imageSignatureViolations(result, 1), []);
    });

    it("without a trust policy there is nothing to verify: no controller, no label, and the stack guardrail reports it", async () => {
        const result = await renderPlatform({ tenants: [{ name: "shop" }], runtimeSecurity: "none", policy: { engine: "vap" } });
        assert.deepStrictEqual(policyControllerReleases(result), []);
        assert.deepStrictEqual(clusterImagePolicies(result), []);
        assert.strictEqual(namespaceLabels(result).get("shop")?.[policyControllerOptInLabel], undefined);
        assert.deepStrictEqual(byType(result, componentType).length, 1, "the component is composed, empty");
        const violations = imageSignatureViolations(result, 0);
        assert.match(violations[0], /no supplyChain trust policy/);
        assert.match(violations[1], /no admission image verifier in the stack/);
    });

    it("flags a policy-controller release that fails open", () => {
        const release: StackResource = { type: releaseType, name: "policy-controller", urn: "policy-controller", props: { chart: "policy-controller", values: { webhook: { failurePolicy: "Ignore" } } } };
        const policy: StackResource = { type: "kubernetes:policy.sigstore.dev/v1beta1:ClusterImagePolicy", name: "signed", urn: "signed", props: { kind: "ClusterImagePolicy" } };
        assert.deepStrictEqual(stackGuardrails.find((guardrail) => guardrail.id === "stack-image-signature-policy")!.check([release, policy], { trustPolicyEntries: 1 }), [
            "sigstore policy-controller release policy-controller sets webhook.failurePolicy Ignore; it must be Fail",
        ]);
    });

    for (const stack of ["staging", "prod"] as const) {
        it(`${stack} (kyverno) is unchanged: Kyverno verifies, no policy-controller, no opt-in label, no ClusterImagePolicy`, async () => {
            const result = await renderStackFile(stack);
            assert.deepStrictEqual(policyControllerReleases(result), []);
            assert.deepStrictEqual(clusterImagePolicies(result), []);
            const labels = namespaceLabels(result);
            assert.ok(!labels.has(policyControllerNamespace));
            assert.deepStrictEqual([...labels.values()].filter((namespaceLabels) => namespaceLabels[policyControllerOptInLabel] !== undefined), []);
            assert.deepStrictEqual(byType(result, componentType).length, 1);
            assert.deepStrictEqual(result.resources.filter((resource) => resource.parent.startsWith(componentType)), []);
        });
    }

    it("the release description is the pinned chart from the sigstore repository", () => {
        const release = policyControllerRelease(devSettings);
        assert.deepStrictEqual({ ...release, values: undefined }, { name: "policy-controller", namespace: "cosign-system", chart: "policy-controller", version: "0.10.6", repository: "https://sigstore.github.io/helm-charts", values: undefined });
    });
});

describe("policy-controller TrustRoots and transparency-log evidence in ClusterImagePolicies", () => {
    const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
    const logKey = pem("PUBLIC KEY", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Wn56FqTQBYd3PN3+cHr9zrdWkw0MTFqgjZAuBO5eOE3z5MiOpXvXTomx917tZQWJnhxkwkMHrCJPhJ8/JLhGw==");
    const chain = pem("CERTIFICATE", "MIIBqzCCAVGgAwIBAgIUYhctYbwXoGgb1Xur3SUpDfGBj/wwCgYIKoZIzj0EAwIw");
    const supplyChain = (logUrl?: string) =>
        parsePlatformSettings(
            {
                supplyChain: {
                    trustRoots: [{ name: "corp-fulcio", certificateChain: chain, transparencyLogKeys: [logKey], ...(logUrl === undefined ? {} : { transparencyLogUrl: logUrl }) }],
                    policies: [
                        { name: "logged", images: ["registry.corp/app/**"], authorities: [{ key: { publicKey: logKey } }] },
                        { name: "offline", images: ["registry.corp/tools/**"], authorities: [{ key: { publicKey: logKey } }], transparencyLog: { required: false, reason: "signed in an air-gapped build without a log" } },
                        { name: "keyless", images: ["registry.corp/ci/**"], authorities: [{ keyless: { trustRoot: "corp-fulcio", issuer: "https://ci.corp", subject: "ci@corp" } }] },
                    ],
                },
            },
            "inline",
            "unit",
        ).supplyChain;
    const authority = (policies: Record<string, unknown>[], entry: string) =>
        ((policies.find((policy) => (policy.metadata as { annotations: Record<string, string> }).annotations["bulwark.dev/trust-policy-entry"] === entry)!.spec as { authorities: Record<string, unknown>[] }).authorities[0]);

    it("names the log for entries that require evidence (policy-controller skips the log check without ctlog), and none otherwise", () => {
        const policies = renderClusterImagePolicies(supplyChain(), "enforce");
        assert.deepStrictEqual(authority(policies, "logged").ctlog, { url: offlineOnlyLogUrl, trustRootRef: transparencyLogsTrustRootName });
        assert.strictEqual(authority(policies, "offline").ctlog, undefined);
        assert.deepStrictEqual(authority(policies, "keyless"), {
            name: "a0",
            keyless: { identities: [{ issuer: "https://ci.corp", subject: "ci@corp" }], trustRootRef: "bulwark-corp-fulcio", insecureIgnoreSCT: true },
            ctlog: { url: offlineOnlyLogUrl, trustRootRef: "bulwark-corp-fulcio" },
        });
        assert.deepStrictEqual(authority(renderClusterImagePolicies(supplyChain("https://rekor.corp"), "enforce"), "logged").ctlog, { url: "https://rekor.corp", trustRootRef: transparencyLogsTrustRootName });
    });

    it("renders a TrustRoot per private root and one for the log keys, base64 PEM as policy-controller reads []byte, valid against the CRD schema", () => {
        const roots = renderSigstoreTrustRoots(supplyChain());
        assert.deepStrictEqual(roots.map((root) => (root.metadata as { name: string }).name), ["bulwark-corp-fulcio", transparencyLogsTrustRootName]);
        const keys = (roots[0].spec as { sigstoreKeys: { certificateAuthorities: { certChain: string }[]; tLogs: { publicKey: string; baseURL: string }[] } }).sigstoreKeys;
        assert.strictEqual(Buffer.from(keys.certificateAuthorities[0].certChain, "base64").toString().trim(), chain);
        assert.strictEqual(Buffer.from(keys.tLogs[0].publicKey, "base64").toString().trim(), logKey);
        assert.strictEqual(keys.tLogs[0].baseURL, offlineOnlyLogUrl);
        const validator = new SchemaValidator();
        for (const object of [...roots, ...renderClusterImagePolicies(supplyChain(), "enforce")]) assert.deepStrictEqual(validator.validate(object), []);
    });

    it("renders no TrustRoot for public-good roots", () => {
        assert.deepStrictEqual(renderSigstoreTrustRoots(parsePlatformSettings({ supplyChain: trustPolicy }, "inline", "unit").supplyChain), []);
    });

    it("rejects a log URL that is not a URL, naming the key", () => {
        assert.throws(() => supplyChain("rekor.corp"), /supplyChain\.trustRoots\[0\]\.transparencyLogUrl: must be the log's URL/);
    });
});
