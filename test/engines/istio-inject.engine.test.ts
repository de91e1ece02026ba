// Engine test: Istio's own tool proves what the prod mesh does. istioctl (built from its Go module)
// validates and analyzes, offline, every Istio object prod renders; `istioctl kube-inject`, run
// offline with the injector config, values and mesh config that the pinned istiod chart renders from
// prod's values, injects a tenant Deployment. The real API server admits the injected pod in prod's
// `restricted` tenant namespace in CNI mode, and rejects the same pod injected without CNI
// (istio-init needs NET_ADMIN/NET_RAW). `check` gives the same verdicts.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { kubernetesObjects } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { istioReleases } from "../../components/mesh/istio";
import { renderStackFile, repoRoot } from "../support/render";
import { chartsDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { helmTemplate } from "./harness/helm";
import { printTable, verdictOf } from "./support/verdicts";

type Obj = Record<string, any>;

const tenant = "checkout";
/** A tenant workload that is itself `restricted`-compliant, so any rejection comes from injection. */
const tenantDeployment: Obj = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "shop", namespace: tenant },
    spec: {
        selector: { matchLabels: { app: "shop" } },
        template: {
            metadata: { labels: { app: "shop" } },
            spec: {
                securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "shop",
                        image: "ghcr.io/acme/shop@sha256:" + "a".repeat(64),
                        ports: [{ containerPort: 8080, name: "http" }],
                        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
                    },
                ],
            },
        },
    },
};

describe("engine tier: istioctl validates, analyzes and injects prod's Istio mesh; the API server agrees on CNI", function () {
    let api: ApiServer;
    let istioctl = "";
    let tmp = "";
    const settings = readStackSettings(path.join(repoRoot, "stacks", "Pulumi.prod.yaml"), "prod");
    const rows: string[][] = [];

    before(async function () {
        requireSharedDir(this, chartsDir);
        try {
            ({ istioctl } = await ensureEngines(["istioctl"]));
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-istioctl-"));
        for (const namespace of kubernetesObjects(await renderStackFile("prod")).filter((object) => object.kind === "Namespace")) {
            assert.strictEqual((await api.apply(namespace as KubeObject)).status, 201);
        }
    });

    after(async () => {
        await api?.stop();
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        if (rows.length > 0) printTable("istioctl kube-inject (prod values)", ["mode", "init containers", "API server", "check (Pod Security)"], rows);
    });

    it("istioctl validate and analyze (offline) accept every Istio object prod renders", async () => {
        const istioObjects = kubernetesObjects(await renderStackFile("prod")).filter((object) => /\.istio\.io\//.test(String(object.apiVersion)));
        assert.ok(istioObjects.length > 0);
        const file = path.join(tmp, "istio-objects.yaml");
        fs.writeFileSync(file, istioObjects.map((object) => yaml.dump(object)).join("---\n"));
        const validate = await runProcess(istioctl, ["validate", "-f", file]);
        assert.strictEqual(validate.code, 0, `${validate.stdout}\n${validate.stderr}`);
        const analyze = await runProcess(istioctl, ["analyze", "--use-kube=false", "--failure-threshold", "Error", file]);
        assert.strictEqual(analyze.code, 0, `${analyze.stdout}\n${analyze.stderr}`);
        assert.doesNotMatch(analyze.stdout + analyze.stderr, /Error \[/);
    });

    for (const cni of [true, false]) {
        it(`kube-inject ${cni ? "in CNI mode: admitted" : "without CNI: rejected"} in the restricted tenant namespace`, async () => {
            const istiod = istioReleases(settings.mesh).find((release) => release.name === "istiod")!;
            const values = { ...istiod.values, pilot: { ...(istiod.values.pilot as Obj), cni: { enabled: cni } } };
            const rendered = await helmTemplate({ chart: `istiod-${istiod.version}`, release: "istiod", namespace: istiod.namespace, values });
            const injector = rendered.find((object) => object.kind === "ConfigMap" && object.metadata.name === "istio-sidecar-injector") as Obj;
            const mesh = rendered.find((object) => object.kind === "ConfigMap" && object.metadata.name === "istio") as Obj;
            const dir = path.join(tmp, cni ? "cni" : "no-cni");
            fs.mkdirSync(dir);
            const files = { config: path.join(dir, "inject-config.yaml"), values: path.join(dir, "values.json"), mesh: path.join(dir, "mesh.yaml"), input: path.join(dir, "deployment.yaml") };
            fs.writeFileSync(files.config, injector.data.config);
            fs.writeFileSync(files.values, injector.data.values);
            fs.writeFileSync(files.mesh, mesh.data.mesh);
            fs.writeFileSync(files.input, yaml.dump(tenantDeployment));
            const injected = await runProcess(istioctl, ["kube-inject", "-f", files.input, "--injectConfigFile", files.config, "--valuesFile", files.values, "--meshConfigFile", files.mesh]);
            assert.strictEqual(injected.code, 0, injected.stderr);
            const deployment = yaml.loadAll(injected.stdout).find((object) => (object as Obj)?.kind === "Deployment") as Obj;
            const template = deployment.spec.template;
            const containers = (template.spec.containers as Obj[]).map((container) => container.name);
            const inits = ((template.spec.initContainers ?? []) as Obj[]).map((container) => container.name);
            assert.ok(containers.includes("istio-proxy") || inits.includes("istio-proxy"), `no sidecar injected: ${containers} / ${inits}`);
            assert.ok(inits.includes(cni ? "istio-validation" : "istio-init"), `init containers: ${inits}`);
            // Metrics merging: the injected pod advertises the sidecar's merged endpoint to Prometheus.
            assert.strictEqual(template.metadata.annotations?.["prometheus.io/port"], "15020");
            const pod = { apiVersion: "v1", kind: "Pod", metadata: { ...template.metadata, name: "shop", namespace: tenant }, spec: template.spec };
            const verdict = verdictOf(await api.apply(pod as KubeObject, { dryRun: true }));
            const podSecurity = checkObjects([{ file: "kube-inject", documentIndex: "0", object: pod }], { settings }).filter((violation) => violation.guardrail.startsWith("pss-"));
            rows.push([cni ? "istio-cni" : "no CNI", inits.join(","), verdict.admitted ? "admitted" : `rejected (${verdict.status})`, podSecurity.length === 0 ? "pass" : podSecurity.map((violation) => violation.guardrail).join(",")]);
            assert.strictEqual(verdict.admitted, cni, verdict.message);
            assert.strictEqual(podSecurity.length === 0, cni, JSON.stringify(podSecurity));
            if (!cni) assert.match(verdict.message, /restricted/);
        });
    }
});
