// Engine test: the catalog's native ValidatingAdmissionPolicies on a real kube-apiserver agree with
// CrossGuard / `check` on every guardrail fixture, and on the upstream Pod Security corpus.
//
// The server runs with the PodSecurity admission plugin off, so every rejection seen here comes from
// Bulwark's policies (the message names the policy), not from built-in Pod Security.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { ManifestObject, readManifests } from "../../cli/input";
import { catalog, crossObjectCatalog } from "../../components/guardrails/catalog";
import { emptyGuardrailConfig, guardrailDataFor } from "../../components/guardrails/policyConfig";
import { GuardrailDefinition } from "../../components/guardrails/types";
import { policyName } from "../../components/policy/render";
import { renderVap } from "../../components/policy/render/vap";
import { fixtureSettings, fixturesOf } from "../support/fixtures";
import { podSecurityCorpusDir, requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { skipOrFail } from "./harness/engines";
import { crdFromSharedSchema } from "./support/crds";
import { printTable, sleep, verdictOf } from "./support/verdicts";

const podSecurityOff = ["--disable-admission-plugins=ServiceAccount,PodSecurity"];

/**
 * Fail fixtures the API server's own validation refuses before admission runs. Since Kubernetes 1.35
 * `procMount: Unmasked` without `hostUsers: false` is invalid, so the only Pod the baseline /proc
 * control forbids cannot exist (upstream marks the same fixtures `failRequiresError`). Rejected
 * either way; the message must be exactly this validation error.
 */
const rejectedByValidation: Record<string, RegExp> = {
    "pss-proc-mount/fail-unmasked-host-users.yaml": /procMount: Invalid value: "Unmasked": `hostUsers` must be false/,
};

/** Namespaces the fixtures use, labelled so that every Pod Security control's binding selects them. */
function fixtureNamespaces(objects: readonly ManifestObject[]): string[] {
    return [...new Set(objects.map(({ object }) => (object.metadata as { namespace?: string } | undefined)?.namespace).filter((name): name is string => name !== undefined))];
}

async function ensureNamespace(api: ApiServer, name: string, level = "restricted"): Promise<void> {
    const response = await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } });
    assert.ok(response.status === 201 || response.status === 409, `namespace ${name}: ${response.status} ${JSON.stringify(response.body)}`);
}

/** Deletes a policy and its binding, then waits until `probe` is no longer rejected by it. */
async function deletePolicy(api: ApiServer, name: string, probe?: KubeObject): Promise<void> {
    await api.request("DELETE", `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${name}`);
    await api.request("DELETE", `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${name}`);
    if (probe === undefined) return;
    for (let attempt = 0; attempt < 100; attempt++) {
        if (!verdictOf(await api.apply(probe, { dryRun: true })).message.includes(`'${name}'`)) return;
        await sleep(100);
    }
}

/** Creates a guardrail's policy and binding, then waits until the server enforces it. */
async function installAndAwait(api: ApiServer, guardrail: GuardrailDefinition, objects: KubeObject[], probe: KubeObject | undefined): Promise<void> {
    for (const object of objects) {
        const response = await api.apply(object);
        assert.strictEqual(response.status, 201, `${object.kind} ${guardrail.id}: ${JSON.stringify(response.body)}`);
    }
    if (probe === undefined) {
        // No admissible object to probe with: give the informer the time it usually needs, twice over.
        await sleep(2000);
        return;
    }
    // Policies reach the admission plugin through an informer; a known-bad object tells when.
    for (let attempt = 0; attempt < 100; attempt++) {
        if (!verdictOf(await api.apply(probe, { dryRun: true })).admitted) return;
        await sleep(100);
    }
}

describe("engine tier: ValidatingAdmissionPolicy parity with CrossGuard / check", function () {
    let api: ApiServer;
    const rows: string[][] = [];

    before(async function () {
        try {
            api = await startApiServer({ extraApiServerArgs: podSecurityOff });
        } catch (error) {
            skipOrFail(this, error);
        }
        for (const [apiVersion, kind] of [["security.istio.io/v1", "PeerAuthentication"], ["networking.istio.io/v1", "DestinationRule"]]) {
            const crd = crdFromSharedSchema(apiVersion, kind);
            assert.ok(crd, `no schema for ${kind} in ../shared/schemas`);
            assert.strictEqual((await api.apply(crd as KubeObject)).status, 201);
            await api.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", String((crd.metadata as { name: string }).name), {
                predicate: (object: { status?: { conditions?: { type: string; status: string }[] } }) => object.status?.conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ?? false,
            });
        }
    });

    after(async () => {
        await api?.stop();
        if (rows.length === 0) return;
        printTable("ValidatingAdmissionPolicy parity (real API server vs CrossGuard/check)", ["guardrail", "fixture", "api server", "check", "agree"], rows);
        const agreed = rows.filter((row) => row[4] === "yes").length;
        console.log(`  vap: ${agreed}/${rows.length} fixture verdicts agree; not expressible as a native policy: ${crossObjectCatalog.map((guardrail) => `${guardrail.id} (${guardrail.notExpressibleElsewhere})`).join("; ")}\n`);
    });

    for (const guardrail of catalog) {
        it(`${guardrail.id}: the server's verdict on every fixture matches check's`, async function () {
            const settings = fixtureSettings(guardrail);
            const data = settings === undefined ? emptyGuardrailConfig.data : guardrailDataFor(settings);
            const fixtures = fixturesOf(guardrail).map((fixture) => ({ ...fixture, objects: readManifests([fixture.file]).objects }));
            for (const namespace of new Set(fixtures.flatMap((fixture) => fixtureNamespaces(fixture.objects)))) await ensureNamespace(api, namespace);
            const probe = fixtures.find((fixture) => fixture.outcome === "fail" && rejectedByValidation[`${guardrail.id}/${path.basename(fixture.file)}`] === undefined)?.objects[0]?.object as KubeObject | undefined;
            await installAndAwait(api, guardrail, renderVap(guardrail, "enforce", data) as KubeObject[], probe);
            const disagreements: string[] = [];
            try {
                for (const fixture of fixtures) {
                    const checkRejects = checkObjects(fixture.objects, { settings }).some((violation) => violation.guardrail === guardrail.id);
                    const verdicts = await Promise.all(fixture.objects.map(async ({ object }) => verdictOf(await api.apply(object as KubeObject, { dryRun: true }))));
                    const validation = rejectedByValidation[`${guardrail.id}/${path.basename(fixture.file)}`];
                    const unexpected = verdicts.filter((verdict) => !verdict.admitted && !verdict.message.includes(policyName(guardrail)) && !(validation?.test(verdict.message) ?? false));
                    assert.deepStrictEqual(unexpected, [], `${fixture.file}: rejected by something other than ${policyName(guardrail)}`);
                    const serverRejects = verdicts.some((verdict) => !verdict.admitted);
                    const agree = serverRejects === checkRejects;
                    rows.push([guardrail.id, path.basename(fixture.file), serverRejects ? "reject" : "admit", checkRejects ? "reject" : "admit", agree ? "yes" : "NO"]);
                    if (!agree) disagreements.push(`${path.basename(fixture.file)}: server ${serverRejects ? "rejects" : "admits"} (${verdicts.map((verdict) => verdict.message).join("; ")}), check ${checkRejects ? "rejects" : "admits"}`);
                }
            } finally {
                await deletePolicy(api, policyName(guardrail), probe);
            }
            assert.deepStrictEqual(disagreements, []);
        });
    }

    it("the Pod Security controls as native policies agree with the upstream corpus at both levels", async function () {
        const corpus = requireSharedDir(this, podSecurityCorpusDir);
        const controls = catalog.filter((guardrail) => guardrail.podSecurityLevel !== undefined);
        for (const guardrail of controls) for (const object of renderVap(guardrail, "enforce", {})) assert.strictEqual((await api.apply(object as KubeObject)).status, 201);
        for (const level of ["baseline", "restricted"]) await ensureNamespace(api, `corpus-${level}`, level);
        await sleep(2000);
        const disagreements: string[] = [];
        const counts: string[][] = [];
        try {
            for (const level of ["baseline", "restricted"]) {
                for (const expected of ["pass", "fail"]) {
                    const files = fs.readdirSync(path.join(corpus, level, expected)).filter((name) => name.endsWith(".yaml")).sort();
                    let agreed = 0;
                    for (const name of files) {
                        const [{ object }] = readManifests([path.join(corpus, level, expected, name)]).objects;
                        // Upstream names (base_linux) are not valid object names; the name plays no part in Pod Security.
                        const metadata = object.metadata as { name: string };
                        const pod = { ...object, metadata: { ...metadata, name: metadata.name.replace(/_/g, "-"), namespace: `corpus-${level}` } } as KubeObject;
                        const verdict = verdictOf(await api.apply(pod, { dryRun: true }));
                        // A 422 is the API server's own validation refusing the Pod: rejected either way.
                        const rejected = !verdict.admitted;
                        if (rejected === (expected === "fail")) agreed++;
                        else disagreements.push(`${level}/${expected}/${name}: ${verdict.admitted ? "admitted" : verdict.message}`);
                    }
                    counts.push([level, expected, `${agreed}/${files.length}`]);
                }
            }
        } finally {
            for (const guardrail of controls) await deletePolicy(api, policyName(guardrail));
        }
        printTable("Pod Security corpus through Bulwark's native policies (PodSecurity plugin off)", ["level", "expected", "agreed"], counts);
        assert.deepStrictEqual(disagreements, []);
    });
});
