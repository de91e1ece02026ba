// Engine test: every chart the mesh installs (cert-manager, istio-base, istiod, istio-cni;
// linkerd-crds, linkerd-control-plane, linkerd2-cni) rendered by real Helm from the pinned chart in
// ../shared/charts with the values the stack passes. The settings are asserted on the rendered
// objects (Helm ignores a misspelled value silently), every object is accepted by the real API
// server (server-side dry-run, after the charts' own CRDs and the stack's Namespaces), and `check`
// finds no Pod Security violation at the level of the namespace each object lands in.

import * as assert from "assert";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { kubernetesObjects } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { istioReleases, MeshRelease } from "../../components/mesh/istio";
import { linkerdReleases } from "../../components/mesh/linkerd";
import { certManagerValues } from "../../components/mesh/serviceMesh";
import { PlatformSettings } from "../../components/settings";
import { versions } from "../../components/versions";
import { renderStackFile, repoRoot } from "../support/render";
import { chartsDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { skipOrFail } from "./harness/engines";
import { helmTemplate, RenderedObject } from "./harness/helm";
import { printTable, verdictOf } from "./support/verdicts";

type Obj = Record<string, any>;

/** The releases a stack's mesh installs, cert-manager first, with their pinned chart folders. */
function meshCharts(settings: PlatformSettings): { folder: string; release: MeshRelease }[] {
    const certManager: MeshRelease = { name: "cert-manager", chart: "cert-manager", version: versions.certManagerChart, repository: "", namespace: "cert-manager", values: certManagerValues() };
    const mesh = settings.mesh.provider === "istio" ? istioReleases(settings.mesh) : linkerdReleases(settings.mesh);
    return [certManager, ...mesh].map((release) => ({ folder: `${release.name}-${release.version}`, release }));
}

const podSpecOf = (object: Obj): Obj | undefined => (object.kind === "Pod" ? object.spec : object.spec?.template?.spec);

/** What each stack's values must change in the rendered objects. */
const assertions: Record<string, (objects: Obj[]) => void> = {
    istiod: (objects) => {
        const injector = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "istio-sidecar-injector")!;
        const values = JSON.parse(injector.data.values);
        assert.strictEqual(values.pilot.cni.enabled, true, "injection in CNI mode");
        assert.deepStrictEqual(values.global.proxy.seccompProfile, { type: "RuntimeDefault" });
        const meshConfig = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "istio")!.data.mesh;
        assert.match(meshConfig, /enablePrometheusMerge: true/);
        assert.match(meshConfig, /SECRET_TTL: 12h/);
        const istiod = objects.find((object) => object.kind === "Deployment" && object.metadata.name === "istiod")!;
        const env = podSpecOf(istiod)!.containers[0].env as { name: string; value?: string }[];
        assert.strictEqual(env.find((variable) => variable.name === "DEFAULT_WORKLOAD_CERT_TTL")?.value, "12h");
        // istiod mounts the cert-manager intermediate (`cacerts`) as its CA.
        assert.ok(podSpecOf(istiod)!.volumes.some((volume: Obj) => volume.secret?.secretName === "cacerts"), "istiod mounts cacerts");
    },
    "istio-cni": (objects) => {
        assert.ok(objects.some((object) => object.kind === "DaemonSet" && object.metadata.namespace === "istio-cni"));
    },
    "linkerd-control-plane": (objects) => {
        const config = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "linkerd-config")!;
        assert.match(config.data.values, /cniEnabled: true/);
        assert.match(config.data.values, /defaultInboundPolicy: all-authenticated/);
        assert.match(config.data.values, /externalCA: true/);
        assert.match(config.data.values, /scheme: kubernetes.io\/tls/);
        // externalCA: the chart leaves the trust roots ConfigMap to the platform (cert-manager's CA).
        assert.ok(!objects.some((object) => object.kind === "ConfigMap" && object.metadata.name === "linkerd-identity-trust-roots"));
    },
    "linkerd2-cni": (objects) => {
        const agent = objects.find((object) => object.kind === "DaemonSet")!;
        assert.ok(podSpecOf(agent)!.containers.every((container: Obj) => container.securityContext?.privileged !== true), "no privileged container");
    },
    "cert-manager": (objects) => {
        assert.ok(objects.some((object) => object.kind === "CustomResourceDefinition" && object.metadata.name === "certificates.cert-manager.io"), "installCRDs took effect");
    },
};

for (const stack of ["prod", "staging"] as const) {
    describe(`engine tier: the mesh charts ${stack} installs, rendered by real Helm and admitted by the real API server`, function () {
        let api: ApiServer;
        let settings: PlatformSettings;
        const rendered = new Map<string, RenderedObject[]>();
        const rows: string[][] = [];

        before(async function () {
            requireSharedDir(this, chartsDir);
            settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
            try {
                for (const { folder, release } of meshCharts(settings)) {
                    rendered.set(release.name, await helmTemplate({ chart: folder, release: release.name, namespace: release.namespace, values: release.values, includeCrds: true, apiVersions: ["monitoring.coreos.com/v1"] }));
                }
                api = await startApiServer();
            } catch (error) {
                skipOrFail(this, error);
            }
            // The stack's own Namespaces (with their Pod Security labels), then every chart's CRDs.
            for (const namespace of kubernetesObjects(await renderStackFile(stack)).filter((object) => object.kind === "Namespace")) {
                const response = await api.apply(namespace as KubeObject);
                assert.strictEqual(response.status, 201, JSON.stringify(response.body));
            }
            for (const crd of [...rendered.values()].flat().filter((object) => object.kind === "CustomResourceDefinition")) {
                const response = await api.apply(crd as KubeObject);
                assert.ok(response.status === 201 || response.status === 409, `${crd.metadata.name}: ${JSON.stringify(response.body)}`);
                await api.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name, {
                    predicate: (object: Obj) => object.status?.conditions?.some((condition: Obj) => condition.type === "Established" && condition.status === "True") ?? false,
                });
            }
        });

        after(async () => {
            await api?.stop();
            if (rows.length > 0) printTable(`mesh charts (${stack})`, ["release", "objects", "dry-run accepted", "check (Pod Security) violations"], rows);
        });

        it("renders every chart with the stack's values, and the values took effect", () => {
            for (const { release } of meshCharts(settings)) {
                const objects = rendered.get(release.name)!;
                assert.ok(objects.length > 0, release.name);
                assertions[release.name]?.(objects);
            }
        });

        it("the API server accepts every rendered object, and check finds no Pod Security violation at its namespace's level", async () => {
            for (const { release } of meshCharts(settings)) {
                const objects = rendered.get(release.name)!.filter((object) => object.kind !== "CustomResourceDefinition");
                const rejected: string[] = [];
                for (const object of objects) {
                    const verdict = verdictOf(await api.apply(object as KubeObject, { dryRun: true, namespace: release.namespace }));
                    if (!verdict.admitted) rejected.push(`${object.kind}/${object.metadata.name}: ${verdict.message}`);
                }
                const manifests = objects.map((object, index) => ({
                    file: `helm:${release.name}`,
                    documentIndex: String(index),
                    object: { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? release.namespace } },
                }));
                const podSecurity = checkObjects(manifests, { settings }).filter((violation) => violation.guardrail.startsWith("pss-") || violation.guardrail.startsWith("namespace-"));
                rows.push([release.name, String(objects.length), `${objects.length - rejected.length}/${objects.length}`, String(podSecurity.length)]);
                assert.deepStrictEqual(rejected, [], release.name);
                assert.deepStrictEqual(podSecurity.map((violation) => `${violation.guardrail}: ${violation.message}`), [], release.name);
            }
        });
    });
}
