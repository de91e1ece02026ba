// Engine test: every object every stack renders, and every committed policies/<engine>/<stack> file,
// is accepted by a real kube-apiserver (server-side dry-run). Custom resource kinds get CRDs built
// from ../shared/schemas; Gatekeeper constraints get the CRD Gatekeeper would generate from their
// template. Kinds with no schema are listed as unverified, never skipped silently.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { kubernetesObjects } from "../../cli/render";
import { readManifests } from "../../cli/input";
import { policyEngines } from "../../components/settings";
import { renderStackFile, repoRoot, stackNames } from "../support/render";
import { crdSchemasDir } from "../support/schemas";
import { requireSharedDir } from "../support/shared";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { skipOrFail } from "./harness/engines";
import { crdForConstraintTemplate, crdFromChartCrds, crdFromSharedSchema, establish } from "./support/crds";
import { printTable, verdictOf } from "./support/verdicts";

const coreGroups = new Set(["v1", "apps/v1", "autoscaling/v2", "batch/v1", "admissionregistration.k8s.io/v1", "policy/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1"]);

function groupVersionKind(object: Record<string, unknown>): string {
    return `${String(object.apiVersion)}/${String(object.kind)}`;
}

describe("engine tier: the real API server accepts every rendered object", function () {
    let api: ApiServer;
    const sources: { source: string; objects: Record<string, unknown>[] }[] = [];
    const unverified = new Map<string, string>();

    before(async function () {
        requireSharedDir(this, crdSchemasDir);
        try {
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        for (const stack of stackNames) sources.push({ source: `render ${stack}`, objects: kubernetesObjects(await renderStackFile(stack)) });
        for (const engine of policyEngines) {
            for (const stack of stackNames) {
                for (const name of ["mutations.yaml", "policies.yaml"]) {
                    const file = path.join(repoRoot, "policies", engine, stack, name);
                    sources.push({ source: path.relative(repoRoot, file), objects: readManifests([file]).objects.map((manifest) => manifest.object) });
                }
            }
        }
        // CRDs for every custom kind, once.
        const established = new Set<string>();
        for (const object of sources.flatMap((source) => source.objects)) {
            const gvk = groupVersionKind(object);
            if (coreGroups.has(String(object.apiVersion)) || established.has(gvk) || String(object.apiVersion).startsWith("constraints.gatekeeper.sh/")) continue;
            const crd = crdFromSharedSchema(String(object.apiVersion), String(object.kind)) ?? crdFromChartCrds(String(object.apiVersion), String(object.kind));
            if (crd === undefined) {
                unverified.set(gvk, "no schema in ../shared/schemas");
                continue;
            }
            await establish(api, crd);
            established.add(gvk);
        }
        for (const template of sources.flatMap((source) => source.objects).filter((object) => object.kind === "ConstraintTemplate")) {
            const crd = crdForConstraintTemplate(template);
            if (established.has(String((crd.metadata as { name: string }).name))) continue;
            await establish(api, crd);
            established.add(String((crd.metadata as { name: string }).name));
        }
    });

    after(async () => {
        await api?.stop();
    });

    it("every stack's objects and every policies/ file, dry-run on the server", async function () {
        const rows: string[][] = [];
        const rejected: string[] = [];
        for (const { source, objects } of sources) {
            // Namespaces are created for real first: namespaced objects need theirs to exist.
            const namespaces = new Set(objects.map((object) => (object.metadata as { namespace?: string }).namespace).filter((name): name is string => name !== undefined));
            for (const object of objects.filter((candidate) => candidate.kind === "Namespace")) namespaces.delete(String((object.metadata as { name: string }).name));
            for (const namespace of namespaces) await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
            let accepted = 0;
            let skipped = 0;
            // Namespaces first: a namespaced object may come before its Namespace in render order.
            for (const object of [...objects.filter((candidate) => candidate.kind === "Namespace"), ...objects.filter((candidate) => candidate.kind !== "Namespace")]) {
                if (unverified.has(groupVersionKind(object))) {
                    skipped++;
                    continue;
                }
                const dryRun = object.kind !== "Namespace";
                const verdict = verdictOf(await api.apply(object as KubeObject, { dryRun }));
                const exists = verdict.status === 409 && object.kind === "Namespace";
                if (verdict.admitted || exists) accepted++;
                else rejected.push(`${source}: ${String(object.kind)} ${String((object.metadata as { name?: string }).name)}: ${verdict.status} ${verdict.message}`);
            }
            rows.push([source, String(objects.length), String(accepted), String(skipped)]);
        }
        printTable("Rendered objects on a real kube-apiserver (server-side dry-run)", ["source", "objects", "accepted", "unverified"], rows);
        console.log(`  unverified kinds: ${unverified.size === 0 ? "none" : [...unverified].map(([gvk, reason]) => `${gvk} (${reason})`).join(", ")}\n`);
        const total = rows.reduce((sum, row) => sum + Number(row[1]), 0);
        console.log(`  kube-apiserver: ${total - rejected.length - [...rows].reduce((sum, row) => sum + Number(row[3]), 0)}/${total} rendered objects accepted\n`);
        assert.deepStrictEqual(rejected, []);
        assert.ok(fs.existsSync(path.join(repoRoot, "policies")));
    });
});
