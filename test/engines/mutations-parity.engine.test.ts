// Engine test: the catalog's mutations as native MutatingAdmissionPolicies on a real kube-apiserver.
// Every in-*.yaml fixture, submitted with server-side dry-run while only its mutation's policy is
// installed, comes back equal to its out-*.yaml fixture as the same server returns it with no
// mutation installed (so the server's own defaulting is on both sides and nothing else differs).
// Then, with every mutation installed, each defaulted Pod meets Pod Security restricted on the
// server exactly when check (after the same defaults) finds no Pod Security violation.

import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { applyMutations } from "../../components/guardrails/mutations/apply";
import { mutationCatalog } from "../../components/guardrails/mutations/catalog";
import { MutationContext, MutationDefinition } from "../../components/guardrails/mutations/types";
import * as path from "path";
import { readStackSettings } from "../../cli/stackConfig";
import { mutationContextFor } from "../../components/guardrails/mutations/context";
import { renderMutatingAdmissionPolicy, renderMutationPolicies } from "../../components/policy/render/mutations";
import { mutationFixtureContext, mutationFixturesOf } from "../support/mutationFixtures";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { REPO_ROOT, skipOrFail } from "./harness/engines";
import { printTable, sleep, verdictOf } from "./support/verdicts";

const readObject = (file: string) => yaml.load(fs.readFileSync(file, "utf8")) as KubeObject;

/** What a dry-run create returns, without the fields the server assigns per request. */
function normalised(body: Record<string, unknown>): Record<string, unknown> {
    const { uid, creationTimestamp, resourceVersion, managedFields, generation, ...metadata } = body.metadata as Record<string, unknown>;
    void uid, creationTimestamp, resourceVersion, managedFields, generation;
    const { status, ...rest } = body;
    void status;
    // A Job gets a fresh controller uid (labels, selector) on every request, dry-run included.
    return JSON.parse(JSON.stringify({ ...rest, metadata }).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uid>")) as Record<string, unknown>;
}

async function ensureNamespace(api: ApiServer, name: string, labels: Record<string, string> = {}): Promise<void> {
    const response = await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
    assert.ok(response.status === 201 || response.status === 409, `namespace ${name}: ${response.status} ${JSON.stringify(response.body)}`);
}

async function dryRun(api: ApiServer, object: KubeObject): Promise<Record<string, unknown>> {
    const response = await api.apply(object, { dryRun: true });
    assert.ok(response.status === 201, `${object.kind} ${object.metadata?.name}: ${response.status} ${JSON.stringify(response.body)}`);
    return normalised(response.body as Record<string, unknown>);
}

/** Installs objects, then waits until `probe` comes back different from `unmutated` (the informer has the policy). */
async function installAndAwait(api: ApiServer, objects: KubeObject[], probe: KubeObject, unmutated: Record<string, unknown>): Promise<void> {
    for (const object of objects) {
        const response = await api.apply(object);
        assert.strictEqual(response.status, 201, `${object.kind}: ${JSON.stringify(response.body)}`);
    }
    for (let attempt = 0; attempt < 150; attempt++) {
        if (JSON.stringify(await dryRun(api, probe)) !== JSON.stringify(unmutated)) return;
        await sleep(100);
    }
    assert.fail(`policy ${objects[0].metadata?.name} never took effect on ${probe.kind} ${probe.metadata?.name}`);
}

async function removeAndAwait(api: ApiServer, name: string, probe: KubeObject, unmutated: Record<string, unknown>): Promise<void> {
    await api.request("DELETE", `/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicybindings/${name}`);
    await api.request("DELETE", `/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies/${name}`);
    let last: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 150; attempt++) {
        last = await dryRun(api, probe);
        if (JSON.stringify(last) === JSON.stringify(unmutated)) return;
        await sleep(100);
    }
    assert.fail(`policy ${name} still mutates after deletion:\n now    ${JSON.stringify(last)}\n before ${JSON.stringify(unmutated)}`);
}

describe("engine tier: MutatingAdmissionPolicy (real API server) gives every out-*.yaml", function () {
    let api: ApiServer;
    const rows: string[][] = [];

    before(async function () {
        try {
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        // GA in Kubernetes 1.36: served by admissionregistration.k8s.io/v1 with no --runtime-config or feature gate.
        const discovery = await api.request("GET", "/apis/admissionregistration.k8s.io/v1");
        const resources = ((discovery.body as { resources?: { name: string }[] }).resources ?? []).map((resource) => resource.name);
        assert.ok(resources.includes("mutatingadmissionpolicies") && resources.includes("mutatingadmissionpolicybindings"), `not served by default: ${resources.join(", ")}`);
        // The fixtures' namespaces, at the cluster default (privileged) so Pod Security plays no part here.
        for (const name of ["shop", "kyverno"]) await ensureNamespace(api, name);
        await ensureNamespace(api, "psa-restricted", { "pod-security.kubernetes.io/enforce": "restricted" });
    });

    after(async () => {
        await api?.stop();
        if (rows.length > 0) printTable("Mutation parity: real API server (MutatingAdmissionPolicy) vs out-*.yaml (= fix, CrossGuard)", ["mutation", "fixture", "changed", "api server", "agree"], rows);
    });

    for (const mutation of mutationCatalog) {
        it(`${mutation.id}: every in-*.yaml comes back as its out-*.yaml`, async function () {
            const context = mutationFixtureContext(mutation);
            const fixtures = mutationFixturesOf(mutation).map((fixture) => ({ ...fixture, input: readObject(fixture.inFile), output: readObject(fixture.outFile) }));
            const expected = new Map<string, Record<string, unknown>>();
            for (const fixture of fixtures) expected.set(fixture.name, await dryRun(api, fixture.output));
            const probe = fixtures.find((fixture) => applyMutations(fixture.input, context, [mutation]).changes.length > 0)!;
            const unmutatedProbe = await dryRun(api, probe.input);
            await installAndAwait(api, renderMutatingAdmissionPolicy(mutation, context) as KubeObject[], probe.input, unmutatedProbe);
            const disagreements: string[] = [];
            try {
                for (const fixture of fixtures) {
                    const actual = await dryRun(api, fixture.input);
                    const agree = JSON.stringify(actual) === JSON.stringify(expected.get(fixture.name));
                    const changed = applyMutations(fixture.input, context, [mutation]).changes.length > 0;
                    rows.push([mutation.id, fixture.name, changed ? "yes" : "no", agree ? "= out" : "differs", agree ? "yes" : "NO"]);
                    if (!agree) disagreements.push(`${fixture.name}:\n server ${JSON.stringify(actual)}\n out    ${JSON.stringify(expected.get(fixture.name))}`);
                }
            } finally {
                await removeAndAwait(api, `bulwark-${mutation.id}`, probe.input, unmutatedProbe);
            }
            assert.deepStrictEqual(disagreements, []);
        });
    }

    it("every stack's rendered MutatingAdmissionPolicies and bindings are accepted by the server (full API validation)", async function () {
        for (const stack of ["dev", "staging", "prod"]) {
            const settings = readStackSettings(path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), stack);
            for (const object of renderMutationPolicies("vap", mutationContextFor(settings))) {
                const response = await api.apply(object as KubeObject, { dryRun: true });
                assert.strictEqual(response.status, 201, `${stack} ${object.kind} ${(object.metadata as { name: string }).name}: ${JSON.stringify(response.body)}`);
            }
        }
    });

    it("with every mutation installed, a defaulted Pod meets Pod Security restricted on the server exactly when check says so", async function () {
        const podMutations = mutationCatalog.filter((mutation) => mutation.kinds.includes("Pod"));
        const context: MutationContext = { ...mutationFixtureContext(podMutations[0]) };
        for (const mutation of podMutations) for (const object of renderMutatingAdmissionPolicy(mutation, context)) assert.strictEqual((await api.apply(object as KubeObject)).status, 201);
        await sleep(3000);
        const table: string[][] = [];
        const disagreements: string[] = [];
        const pods = podMutations.flatMap((mutation: MutationDefinition) => mutationFixturesOf(mutation).map((fixture) => ({ fixture, object: readObject(fixture.inFile) }))).filter(({ object }) => object.kind === "Pod" && object.metadata?.namespace === "shop");
        for (const { fixture, object } of pods) {
            const pod = { ...object, metadata: { ...object.metadata, namespace: "psa-restricted" } } as KubeObject;
            const verdict = verdictOf(await api.apply(pod, { dryRun: true }));
            const defaulted = applyMutations(pod, context, mutationCatalog).object;
            const checkRestricted = checkObjects([{ file: fixture.inFile, documentIndex: "0", object: defaulted }], {}).filter((violation) => violation.guardrail.startsWith("pss-")).length === 0;
            const agree = verdict.admitted === checkRestricted;
            table.push([fixture.inFile.split("/").slice(-2).join("/"), verdict.admitted ? "admitted" : "rejected", checkRestricted ? "restricted" : "not restricted", agree ? "yes" : "NO"]);
            if (!agree) disagreements.push(`${fixture.inFile}: server ${verdict.admitted ? "admits" : verdict.message}, check ${checkRestricted ? "passes" : "fails"} restricted`);
        }
        printTable("Defaulted Pods under Pod Security restricted (every mutation installed)", ["fixture", "api server", "check after fix", "agree"], table);
        assert.ok(table.some((row) => row[1] === "admitted"), "no defaulted Pod was admitted at restricted");
        assert.deepStrictEqual(disagreements, []);
    });
});
