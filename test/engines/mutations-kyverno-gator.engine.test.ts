// Engine test: the same mutation fixtures through Kyverno's CLI and Gatekeeper's gator.
//
// Kyverno: `kyverno apply` of each rendered MutatingPolicy (policies.kyverno.io/v1) on each
// in-*.yaml, with `-o` writing the mutated resource; it must equal the out-*.yaml fixture.
//
// Gatekeeper: gator v3.23.1 has no command that prints a mutated object. `gator expand` mutates the
// base resource, expands it through an ExpansionTemplate and prints only the expanded resources,
// which it mutates again. So each fixture is run so that exactly one layer of Assigns acts:
// - controllers (Deployment, StatefulSet, DaemonSet, Job, CronJob): only the Assigns for that kind
//   are loaded; the base is mutated, and the printed Pod (Job for a CronJob) carries its template;
// - Pods: the Pod is wrapped in a `PodFixture` (fixtures.bulwark.dev/v1, no mutator matches it)
//   whose expansion is the Pod, which the Pod Assigns then mutate;
// - Namespaces: likewise through a `NamespaceFixture`, mutated by the AssignMetadata objects.
// The printed pod spec (or Namespace metadata) must equal the out-*.yaml fixture's.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as yaml from "js-yaml";
import { podSpecPaths } from "../../components/guardrails/mutations/apply";
import { mutationCatalog } from "../../components/guardrails/mutations/catalog";
import { renderKyvernoMutation, renderMutationPolicies, rendersFor } from "../../components/policy/render/mutations";
import { mutationFixtureContext, mutationFixturesOf } from "../support/mutationFixtures";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { printTable } from "./support/verdicts";

type Json = Record<string, unknown>;
const readObject = (file: string) => yaml.load(fs.readFileSync(file, "utf8")) as Json;
const writeYaml = (file: string, value: unknown) => fs.writeFileSync(file, yaml.dump(value, { lineWidth: -1, noRefs: true }));
const get = (object: unknown, pathParts: readonly string[]) => pathParts.reduce<unknown>((current, key) => (current as Json | undefined)?.[key], object);
const namespaceOf = (object: Json) => (object.metadata as { namespace?: string }).namespace;

/** Both CLIs print Go-marshalled objects, whose map keys come out sorted, while the fixtures keep
 * the order a person wrote them in. Objects are compared as objects (key order carries no meaning,
 * list order does); the disagreements are printed with sorted keys so that the two lines line up. */
const sameObject = (actual: unknown, expected: unknown) => actual !== undefined && isDeepStrictEqual(actual, expected);
const canonical = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(canonical)
        : value !== null && typeof value === "object" ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Json)[key])]))
            : value;
const show = (value: unknown) => JSON.stringify(canonical(value));

/** What a fixture's outcome is compared on: a Namespace's metadata, or a workload's pod spec. */
function comparable(object: Json): unknown {
    if (object.kind === "Namespace") return { labels: get(object, ["metadata", "labels"]) ?? {}, annotations: get(object, ["metadata", "annotations"]) ?? {} };
    return get(object, podSpecPaths[String(object.kind)]);
}

const rows: string[][] = [];

describe("engine tier: Kyverno (kyverno apply) and gator (gator expand) apply the mutations like fix", function () {
    let workDir: string;

    before(() => {
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-mutations-"));
    });

    after(() => {
        if (workDir !== undefined) fs.rmSync(workDir, { recursive: true, force: true });
        if (rows.length > 0) printTable("Mutation parity: Kyverno CLI and gator vs out-*.yaml (= fix, CrossGuard)", ["mutation", "fixture", "engine", "result", "agree"], rows);
    });

    it("kyverno apply: every MutatingPolicy gives every out-*.yaml", async function () {
        let bin: string;
        try {
            bin = (await ensureEngines(["kyverno"] as const)).kyverno;
        } catch (error) {
            skipOrFail(this, error);
        }
        const disagreements: string[] = [];
        for (const mutation of mutationCatalog) {
            const context = mutationFixtureContext(mutation);
            const dir = path.join(workDir, "kyverno", mutation.id);
            fs.mkdirSync(dir, { recursive: true });
            writeYaml(path.join(dir, "policy.yaml"), renderKyvernoMutation(mutation, context)[0]);
            for (const fixture of mutationFixturesOf(mutation)) {
                const input = readObject(fixture.inFile);
                const expected = readObject(fixture.outFile);
                fs.copyFileSync(fixture.inFile, path.join(dir, `${fixture.name}.yaml`));
                const args = ["apply", "policy.yaml", "--resource", `${fixture.name}.yaml`, "-o", `${fixture.name}.mutated.yaml`, "--remove-color"];
                // No cluster: the values file gives the CLI the labels a namespaceSelector is matched on,
                // the name label the API server sets on every Namespace (and, for a Namespace itself,
                // which the API server matches on its own labels, the labels it is created with).
                const namespace = input.kind === "Namespace" ? String((input.metadata as { name: string }).name) : namespaceOf(input);
                if (namespace !== undefined) {
                    const ownLabels = input.kind === "Namespace" ? ((input.metadata as { labels?: Record<string, string> }).labels ?? {}) : {};
                    writeYaml(path.join(dir, `${fixture.name}-values.yaml`), { apiVersion: "cli.kyverno.io/v1alpha1", kind: "Value", metadata: { name: "values" }, namespaceSelector: [{ name: namespace, labels: { ...ownLabels, "kubernetes.io/metadata.name": namespace } }] });
                    args.push("--values-file", `${fixture.name}-values.yaml`);
                }
                const result = await runProcess(bin, args, { cwd: dir, timeoutMs: 120_000 });
                const mutatedFile = path.join(dir, `${fixture.name}.mutated.yaml`);
                // `-o` gets every resource the CLI processed, mutated or not (one document here); a missing
                // file is an engine failure, not an unchanged object.
                const actual = fs.existsSync(mutatedFile) ? (yaml.loadAll(fs.readFileSync(mutatedFile, "utf8")).find((document) => document !== null) as Json | undefined) : undefined;
                const agree = result.code === 0 && sameObject(actual, expected);
                rows.push([mutation.id, fixture.name, "kyverno", result.code === 0 ? (agree ? "= out" : "differs") : `exit ${result.code}`, agree ? "yes" : "NO"]);
                if (!agree) disagreements.push(`${mutation.id}/${fixture.name}: exit ${result.code} ${result.stderr.trim()}\n kyverno ${show(actual)}\n out     ${show(expected)}`);
            }
        }
        assert.deepStrictEqual(disagreements, []);
    });

    it("gator expand: every Assign / AssignMetadata gives every out-*.yaml (Gatekeeper's own mutation system)", async function () {
        let bin: string;
        try {
            bin = (await ensureEngines(["gator"] as const)).gator;
        } catch (error) {
            skipOrFail(this, error);
        }
        const disagreements: string[] = [];
        const fixtureNamespaces = ["shop", "kube-system", "kyverno"].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } } }));
        for (const mutation of mutationCatalog) {
            const context = mutationFixtureContext(mutation);
            if (!rendersFor(mutation, "gatekeeper", context)) {
                rows.push([mutation.id, "(all)", "gator", `not rendered: ${mutation.notExpressibleIn?.gatekeeper ?? "off"}`.slice(0, 60), "n/a"]);
                continue;
            }
            const mutators = renderMutationPolicies("gatekeeper", context, [mutation]);
            for (const fixture of mutationFixturesOf(mutation)) {
                const input = readObject(fixture.inFile);
                const expected = readObject(fixture.outFile);
                const kind = String(input.kind);
                const dir = path.join(workDir, "gator", mutation.id, fixture.name);
                fs.mkdirSync(dir, { recursive: true });
                let parent: Json;
                let template: Json;
                let layer: Json[];
                if (kind === "Namespace" || kind === "Pod") {
                    const wrapper = `${kind}Fixture`;
                    const name = kind === "Namespace" ? String((input.metadata as { name: string }).name) : "fixture";
                    parent = { apiVersion: "fixtures.bulwark.dev/v1", kind: wrapper, metadata: { name, ...(kind === "Pod" ? { namespace: namespaceOf(input) } : {}) }, spec: { template: { metadata: input.metadata, ...(kind === "Pod" ? { spec: input.spec } : {}) } } };
                    template = { applyTo: [{ groups: ["fixtures.bulwark.dev"], kinds: [wrapper], versions: ["v1"] }], templateSource: "spec.template", generatedGVK: { group: "", version: "v1", kind } };
                    layer = mutators.filter((object) => JSON.stringify(object.spec).includes(`"${kind}"`));
                    // gator names an expanded object `<parent>-<kind>` (books -> books-namespace), and
                    // AssignMetadata matches a Namespace by its name: the tenant list follows that renaming.
                    if (kind === "Namespace") layer = layer.map((object) => ({ ...object, spec: { ...(object.spec as Json), match: { ...((object.spec as Json).match as Json), namespaces: context.tenants.map((tenant) => `${tenant}-namespace`) } } }));
                } else {
                    parent = input;
                    const group = String(input.apiVersion).split("/")[0];
                    template = kind === "CronJob"
                        ? { applyTo: [{ groups: ["batch"], kinds: ["CronJob"], versions: ["v1"] }], templateSource: "spec.jobTemplate", generatedGVK: { group: "batch", version: "v1", kind: "Job" } }
                        : { applyTo: [{ groups: [group], kinds: [kind], versions: ["v1"] }], templateSource: "spec.template", generatedGVK: { group: "", version: "v1", kind: "Pod" } };
                    layer = mutators.filter((object) => ((object.spec as { applyTo?: { kinds: string[] }[] }).applyTo ?? []).some((entry) => entry.kinds.includes(kind)));
                }
                const documents = [...fixtureNamespaces, parent, { apiVersion: "expansion.gatekeeper.sh/v1beta1", kind: "ExpansionTemplate", metadata: { name: "fixture" }, spec: template }, ...layer];
                fs.writeFileSync(path.join(dir, "input.yaml"), documents.map((document) => yaml.dump(document, { lineWidth: -1, noRefs: true })).join("---\n"));
                const result = await runProcess(bin, ["expand", "--filename", "input.yaml", "--format", "yaml"], { cwd: dir, timeoutMs: 120_000 });
                const printed = result.code === 0 ? (yaml.loadAll(result.stdout).filter((document) => document !== null && typeof document === "object") as Json[]) : [];
                const resultant = printed.find((document) => document.kind === (kind === "CronJob" ? "Job" : kind === "Namespace" ? "Namespace" : "Pod"));
                const actual = resultant === undefined ? undefined : resultant.kind === "Job" ? get(resultant, ["spec", "template", "spec"]) : comparable(resultant);
                const agree = sameObject(actual, comparable(expected));
                rows.push([mutation.id, fixture.name, "gator", result.code === 0 ? (agree ? "= out" : "differs") : `exit ${result.code}`, agree ? "yes" : "NO"]);
                if (!agree) disagreements.push(`${mutation.id}/${fixture.name}: exit ${result.code} ${result.stderr.trim()}\n gator ${show(actual)}\n out   ${show(comparable(expected))}`);
            }
        }
        assert.deepStrictEqual(disagreements, []);
    });
});
