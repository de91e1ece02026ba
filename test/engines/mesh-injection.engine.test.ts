// Engine test: a tenant workload injected by the mesh passes Pod Security `restricted` in CNI mode,
// and is rejected without CNI, for both meshes, on the real kube-apiserver.
//
// Istio (prod): istiod's chart, rendered by real Helm from the pinned copy with the values prod
// passes, yields the `istio-sidecar-injector` ConfigMap (`config`, `values`) and the `istio`
// ConfigMap (`mesh`). Real `istioctl kube-inject` injects a tenant Deployment with exactly those
// files, offline: every file flag is given, KUBECONFIG is an empty file and --kubeconfig a path
// that does not exist, and the run is killed after a timeout, so it can never reach a cluster.
// The same is done with CNI disabled (pilot.cni.enabled false), which injects istio-init.
//
// Linkerd (staging): the linkerd CLI cannot be built here, so this stands in for `linkerd inject`.
// Linkerd's proxy injector builds its patch from the `partials` templates of its own chart
// (partials.proxy, partials.proxy-init, partials.network-validator and the volume partials). They
// are rendered by real Helm from the pinned linkerd-control-plane chart (its own values.yaml and
// partials subchart, its templates replaced by one that includes those partials) with the values
// staging passes, and assembled as the injector (and the chart's own destination Deployment)
// does: with `cniEnabled` the network validator, without it proxy-init (NET_ADMIN/NET_RAW) plus
// its xtables volume; the proxy as a native sidecar init container (nativeSidecar, the chart
// default) or first app container; the identity volumes.
//
// Each injected Pod is created with server-side dry-run in the tenant namespace `checkout`,
// labelled by the stack as `pod-security.kubernetes.io/enforce: restricted`: CNI must be admitted
// (201), no CNI rejected by PodSecurity (403). `check` must give the same verdict on each Pod.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { kubernetesObjects } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { istioReleases } from "../../components/mesh/istio";
import { linkerdReleases } from "../../components/mesh/linkerd";
import { PlatformSettings } from "../../components/settings";
import { versions } from "../../components/versions";
import { renderStackFile, repoRoot } from "../support/render";
import { chartsDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { chartDir, helmTemplate } from "./harness/helm";
import { printTable, verdictOf } from "./support/verdicts";

type Obj = Record<string, any>;

const tenantNamespace = "checkout";
const rows: string[][] = [];

/** A tenant Deployment whose own container already meets `restricted`: only the mesh can break it. */
function tenantDeployment(): Obj {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: tenantNamespace },
        spec: {
            selector: { matchLabels: { app: "web" } },
            template: {
                metadata: { labels: { app: "web" } },
                spec: {
                    serviceAccountName: "web",
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            name: "web",
                            image: "ghcr.io/acme/web@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                            ports: [{ containerPort: 8080, name: "http" }],
                            securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
                        },
                    ],
                },
            },
        },
    };
}

/** The Deployment's pod template as a Pod in the tenant namespace. */
function podOf(deployment: Obj, name: string): KubeObject {
    const template = deployment.spec.template;
    return { apiVersion: "v1", kind: "Pod", metadata: { ...template.metadata, name, namespace: tenantNamespace }, spec: template.spec } as KubeObject;
}

const capabilitiesAdded = (pod: Obj): string[] =>
    [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((container: Obj) => (container.securityContext?.capabilities?.add ?? []).map((cap: string) => `${container.name}:${cap}`));

interface Verdict {
    readonly admitted: boolean;
    readonly status: number;
    readonly message: string;
    readonly checkRejects: boolean;
    readonly checkMessages: string[];
}

/** Server-side dry-run create, and `check` on the same Pod beside the stack's rendered Namespace. */
async function judge(api: ApiServer, namespace: KubeObject, pod: KubeObject, settings: PlatformSettings): Promise<Verdict> {
    const server = verdictOf(await api.apply(pod, { dryRun: true }));
    const violations = checkObjects(
        [
            { file: "<rendered>", documentIndex: "0", object: namespace as Obj },
            { file: "<injected>", documentIndex: "1", object: pod as Obj },
        ],
        { settings },
    ).filter((violation) => violation.kind === "Pod" && violation.guardrail.startsWith("pss-"));
    return { ...server, checkRejects: violations.length > 0, checkMessages: violations.map((violation) => `${violation.guardrail}: ${violation.message}`) };
}

function assertAdmitted(verdict: Verdict): void {
    assert.strictEqual(verdict.status, 201, `the API server must admit the CNI-mode pod under restricted: HTTP ${verdict.status} ${verdict.message}`);
    assert.strictEqual(verdict.checkRejects, false, `check must agree with the API server (admitted): ${verdict.checkMessages.join("; ")}`);
}

function assertRejected(verdict: Verdict, initContainer: string): void {
    assert.strictEqual(verdict.status, 403, `the API server must reject the no-CNI pod under restricted: HTTP ${verdict.status} ${verdict.message}`);
    assert.match(verdict.message, /violates PodSecurity "restricted:/);
    assert.match(verdict.message, new RegExp(`container "${initContainer}" must not include "NET_ADMIN", "NET_RAW"`));
    assert.strictEqual(verdict.checkRejects, true, "check must agree with the API server (rejected)");
    assert.ok(
        verdict.checkMessages.some((message) => message.startsWith("pss-capabilities-") && message.includes(initContainer)),
        `check must name ${initContainer}'s added capabilities: ${verdict.checkMessages.join("; ")}`,
    );
}

function row(mesh: string, stack: string, mode: string, pod: Obj, verdict: Verdict): void {
    const init = (pod.spec.initContainers ?? []).map((container: Obj) => container.name).join(",");
    const added = capabilitiesAdded(pod);
    rows.push([
        mesh,
        stack,
        mode,
        init,
        added.length > 0 ? [...new Set(added.map((entry) => entry.split(":")[1]))].join(",") : "-",
        `${verdict.admitted ? "admitted" : "rejected"} (${verdict.status})`,
        verdict.checkRejects ? "rejected" : "admitted",
    ]);
}

/** The stack's settings, an API server, and the stack's own Namespaces applied; returns the tenant Namespace. */
async function setUp(ctx: Mocha.Context, stack: string): Promise<{ api: ApiServer; settings: PlatformSettings; namespace: KubeObject }> {
    const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
    let api: ApiServer;
    try {
        api = await startApiServer();
    } catch (error) {
        skipOrFail(ctx, error);
    }
    const namespaces = kubernetesObjects(await renderStackFile(stack)).filter((object) => object.kind === "Namespace") as KubeObject[];
    for (const namespace of namespaces) {
        const response = await api.apply(namespace);
        assert.strictEqual(response.status, 201, JSON.stringify(response.body));
    }
    const namespace = namespaces.find((object) => object.metadata?.name === tenantNamespace)!;
    assert.ok(namespace, `${stack} renders the tenant namespace ${tenantNamespace}`);
    // The workload's own ServiceAccount (the mesh identity and the projected token are bound to it).
    const serviceAccount = await api.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web", namespace: tenantNamespace } } as KubeObject);
    assert.strictEqual(serviceAccount.status, 201, JSON.stringify(serviceAccount.body));
    assert.strictEqual((namespace.metadata?.labels as Record<string, string>)["pod-security.kubernetes.io/enforce"], "restricted");
    return { api, settings, namespace };
}

/**
 * The one template the wrapper chart has: the injector's building blocks from Linkerd's partials,
 * rendered with the chart's own values.yaml merged with the stack's values.
 */
const linkerdInjectionTemplate = `{{- /* Bulwark engine tier: the partials Linkerd's proxy injector builds its patch from. */ -}}
kind: LinkerdInjectionParts
proxyAnnotations:
  {{- include "partials.proxy.annotations" . | nindent 2 }}
proxy:
  {{- include "partials.proxy" . | nindent 2 }}
{{- if .Values.cniEnabled }}
networkValidator:
  {{- include "partials.network-validator" . | nindent 2 }}
{{- else }}
proxyInit:
  {{- include "partials.proxy-init" . | nindent 2 }}
xtablesVolume:
  {{- include "partials.proxyInit.volumes.xtables" . | nindent 2 }}
{{- end }}
identityVolume:
  {{- include "partials.proxy.volumes.identity" . | nindent 2 }}
{{- if .Values.identity.serviceAccountTokenProjection }}
tokenVolume:
  {{- include "partials.proxy.volumes.service-account-token" . | nindent 2 }}
{{- end }}
`;

/**
 * The injected pod, assembled from the rendered parts as the injector does: the network validator
 * (CNI) or proxy-init (no CNI) first, then the proxy as a native sidecar (or the first container).
 */
function linkerdInjected(parts: Obj, deployment: Obj, name: string): KubeObject {
    const template = deployment.spec.template;
    const proxy = parts.proxy as Obj;
    const initContainers = [parts.networkValidator ?? parts.proxyInit];
    const containers = [...template.spec.containers];
    if (proxy.restartPolicy === "Always") initContainers.push(proxy);
    else containers.unshift(proxy);
    const volumes = [...(template.spec.volumes ?? []), ...(parts.xtablesVolume ? [parts.xtablesVolume] : []), ...(parts.tokenVolume ? [parts.tokenVolume] : []), parts.identityVolume];
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name,
            namespace: tenantNamespace,
            labels: { ...template.metadata.labels, "linkerd.io/control-plane-ns": "linkerd", "linkerd.io/workload-ns": tenantNamespace, "linkerd.io/proxy-deployment": deployment.metadata.name },
            annotations: { ...parts.proxyAnnotations, "linkerd.io/inject": "enabled" },
        },
        spec: { ...template.spec, initContainers, containers, volumes },
    } as KubeObject;
}

describe("engine tier: mesh-injected tenant pods under Pod Security restricted", function () {
    after(() => {
        if (rows.length > 0) printTable("injected tenant pod in `checkout` (enforce: restricted)", ["mesh", "stack", "mode", "init containers", "caps added", "kube-apiserver", "check"], rows);
    });

    describe("Istio: istioctl kube-inject (offline, prod's istiod values) and Pod Security restricted", function () {
        let api: ApiServer | undefined;
        let settings: PlatformSettings;
        let namespace: KubeObject;
        let istioctl = "";
        let tmp = "";

        before(async function () {
            requireSharedDir(this, chartsDir);
            try {
                ({ istioctl } = await ensureEngines(["istioctl"]));
            } catch (error) {
                skipOrFail(this, error);
            }
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-kube-inject-"));
            ({ api, settings, namespace } = await setUp(this, "prod"));
            assert.strictEqual(settings.mesh.provider, "istio");
        });

        after(async () => {
            await api?.stop();
            if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        });

        /** istiod rendered with `values`, then kube-inject of the tenant Deployment with its injector files. */
        async function inject(label: string, values: Obj): Promise<{ pod: KubeObject; injectorValues: Obj }> {
            const objects = await helmTemplate({ chart: `istiod-${versions.istioChart}`, release: "istiod", namespace: "istio-system", values });
            const configMap = (name: string) => objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === name) as Obj;
            const injector = configMap("istio-sidecar-injector");
            const dir = path.join(tmp, label);
            fs.mkdirSync(dir);
            const files = {
                config: path.join(dir, "inject-config.yaml"),
                values: path.join(dir, "inject-values.json"),
                mesh: path.join(dir, "mesh.yaml"),
                deployment: path.join(dir, "deployment.yaml"),
                kubeconfig: path.join(dir, "empty-kubeconfig"),
            };
            fs.writeFileSync(files.config, injector.data.config);
            fs.writeFileSync(files.values, injector.data.values);
            fs.writeFileSync(files.mesh, configMap("istio").data.mesh);
            fs.writeFileSync(files.deployment, yaml.dump(tenantDeployment()));
            fs.writeFileSync(files.kubeconfig, "");
            const args = [
                "kube-inject",
                "--injectConfigFile", files.config,
                "--meshConfigFile", files.mesh,
                "--valuesFile", files.values,
                "--kubeconfig", path.join(dir, "no-such-kubeconfig"),
                "-f", files.deployment,
            ];
            const result = await runProcess(istioctl, args, { timeoutMs: 60_000, env: { ...process.env, KUBECONFIG: files.kubeconfig } });
            assert.strictEqual(result.code, 0, `istioctl ${args.join(" ")}: exit ${result.code}\n${result.stderr}`);
            const deployment = (yaml.loadAll(result.stdout) as Obj[]).find((doc) => doc?.kind === "Deployment")!;
            assert.ok(deployment, `kube-inject printed no Deployment:\n${result.stdout}`);
            return { pod: podOf(deployment, `web-istio-${label}`), injectorValues: JSON.parse(injector.data.values) };
        }

        it("CNI mode (prod's values): istio-validation, no NET_ADMIN/NET_RAW; the API server admits the pod under restricted, and check agrees", async () => {
            const values = istioReleases(settings.mesh).find((release) => release.name === "istiod")!.values as Obj;
            const { pod, injectorValues } = await inject("cni", values);
            assert.strictEqual(injectorValues.pilot.cni.enabled, true, "prod renders the injector in CNI mode");
            const spec = (pod as Obj).spec;
            assert.deepStrictEqual(spec.initContainers.map((container: Obj) => container.name), ["istio-validation"]);
            assert.ok(spec.containers.some((container: Obj) => container.name === "istio-proxy"), "the sidecar was injected");
            assert.deepStrictEqual(capabilitiesAdded(pod as Obj), []);
            const verdict = await judge(api!, namespace, pod, settings);
            row("istio", "prod", "CNI (as rendered)", pod as Obj, verdict);
            assertAdmitted(verdict);
        });

        it("CNI disabled (pilot.cni.enabled false): istio-init with NET_ADMIN/NET_RAW; PodSecurity rejects the pod (403), and check agrees", async () => {
            const rendered = istioReleases(settings.mesh).find((release) => release.name === "istiod")!.values as Obj;
            const values = { ...rendered, pilot: { ...rendered.pilot, cni: { ...rendered.pilot.cni, enabled: false } } };
            const { pod, injectorValues } = await inject("no-cni", values);
            assert.strictEqual(injectorValues.pilot.cni.enabled, false);
            const spec = (pod as Obj).spec;
            assert.deepStrictEqual(spec.initContainers.map((container: Obj) => container.name), ["istio-init"]);
            assert.deepStrictEqual(capabilitiesAdded(pod as Obj).sort(), ["istio-init:NET_ADMIN", "istio-init:NET_RAW"]);
            const verdict = await judge(api!, namespace, pod, settings);
            row("istio", "prod", "CNI disabled", pod as Obj, verdict);
            assertRejected(verdict, "istio-init");
        });
    });

    describe("Linkerd injection (stand-in for `linkerd inject`: the chart's injector partials, staging's values) and Pod Security restricted", function () {
        let api: ApiServer | undefined;
        let settings: PlatformSettings;
        let namespace: KubeObject;
        let wrapper = "";

        before(async function () {
            requireSharedDir(this, chartsDir);
            ({ api, settings, namespace } = await setUp(this, "staging"));
            assert.strictEqual(settings.mesh.provider, "linkerd");
            // The pinned chart (values.yaml, the partials subchart) with its templates replaced by the one above.
            const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-linkerd-inject-"));
            wrapper = path.join(tmp, "linkerd-control-plane");
            fs.cpSync(chartDir(`linkerd-control-plane-${versions.linkerdChart}`), wrapper, { recursive: true });
            fs.rmSync(path.join(wrapper, "templates"), { recursive: true, force: true });
            fs.mkdirSync(path.join(wrapper, "templates"));
            fs.writeFileSync(path.join(wrapper, "templates", "injection.yaml"), linkerdInjectionTemplate);
        });

        after(async () => {
            await api?.stop();
            if (wrapper !== "") fs.rmSync(path.dirname(wrapper), { recursive: true, force: true });
        });

        async function inject(label: string, values: Obj): Promise<KubeObject> {
            // The injector reads the trust anchors from the trust-roots ConfigMap (externalCA); the
            // placeholder only fills the proxy's env and plays no part in its security context.
            const withAnchors = { ...values, identityTrustAnchorsPEM: "-----BEGIN CERTIFICATE-----\nplaceholder trust anchor\n-----END CERTIFICATE-----\n" };
            const [parts] = await helmTemplate({ chart: wrapper, release: "linkerd-control-plane", namespace: "linkerd", values: withAnchors });
            assert.strictEqual(parts?.kind, "LinkerdInjectionParts");
            return linkerdInjected(parts as Obj, tenantDeployment(), `web-linkerd-${label}`);
        }

        const stackValues = () => linkerdReleases(settings.mesh).find((release) => release.name === "linkerd-control-plane")!.values as Obj;

        it("the real injector reads these values: the rendered linkerd-config carries cniEnabled and the proxy's drop ALL", async () => {
            const objects = await helmTemplate({ chart: `linkerd-control-plane-${versions.linkerdChart}`, release: "linkerd-control-plane", namespace: "linkerd", values: stackValues() });
            const config = objects.find((object) => object.kind === "ConfigMap" && object.metadata.name === "linkerd-config") as Obj;
            const injectorValues = yaml.load(config.data.values) as Obj;
            assert.strictEqual(injectorValues.cniEnabled, true);
            assert.deepStrictEqual(injectorValues.proxy.capabilities, { drop: ["ALL"] });
        });

        it("CNI mode (staging's values): network validator, no proxy-init; the API server admits the pod under restricted, and check agrees", async () => {
            const values = stackValues();
            assert.strictEqual(values.cniEnabled, true, "staging renders Linkerd in CNI mode");
            const pod = (await inject("cni", values)) as Obj;
            assert.deepStrictEqual(pod.spec.initContainers.map((container: Obj) => container.name), ["linkerd-network-validator", "linkerd-proxy"]);
            assert.deepStrictEqual(capabilitiesAdded(pod), []);
            const verdict = await judge(api!, namespace, pod as KubeObject, settings);
            row("linkerd", "staging", "CNI (as rendered)", pod, verdict);
            assertAdmitted(verdict);
        });

        it("CNI disabled (cniEnabled false): linkerd-init with NET_ADMIN/NET_RAW; PodSecurity rejects the pod (403), and check agrees", async () => {
            const pod = (await inject("no-cni", { ...stackValues(), cniEnabled: false })) as Obj;
            assert.deepStrictEqual(pod.spec.initContainers.map((container: Obj) => container.name), ["linkerd-init", "linkerd-proxy"]);
            assert.deepStrictEqual(capabilitiesAdded(pod).sort(), ["linkerd-init:NET_ADMIN", "linkerd-init:NET_RAW"]);
            const verdict = await judge(api!, namespace, pod as KubeObject, settings);
            row("linkerd", "staging", "CNI disabled", pod, verdict);
            assertRejected(verdict, "linkerd-init");
        });
    });
});
