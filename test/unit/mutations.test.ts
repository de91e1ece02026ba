import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { catalog } from "../../components/guardrails/catalog";
import { applyMutations } from "../../components/guardrails/mutations/apply";
import { mutationCatalog } from "../../components/guardrails/mutations/catalog";
import { defaultMutationContext, mutationContextFor, protectedNamespaces } from "../../components/guardrails/mutations/context";
import { crossGuardRemediationPolicies, mutationPolicyPackConfigFor } from "../../components/guardrails/mutations/crossguard";
import { renderKyvernoMutation, renderMutatingAdmissionPolicy } from "../../components/policy/render/mutations";
import { mutationIds, parsePlatformSettings } from "../../components/settings";
import { fixturesOf } from "../support/fixtures";
import { mutationFixtureContext, mutationFixturesOf, mutationFixtureSettings } from "../support/mutationFixtures";
import { podSecurityCorpusDir, requireSharedDir } from "../support/shared";

const readObject = (file: string) => yaml.load(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
const reason = "This stack's workloads are sized by a LimitRange the cluster team owns.";

describe("mutation catalog", () => {
    it("ids are unique, well-formed, distinct from the validating guardrails, and the ones settings accept", () => {
        const ids = mutationCatalog.map((mutation) => mutation.id);
        assert.deepStrictEqual([...new Set(ids)], ids);
        for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*-default$/);
        assert.deepStrictEqual(ids.filter((id) => catalog.some((guardrail) => guardrail.id === id)), []);
        assert.deepStrictEqual([...ids].sort(), [...mutationIds].sort());
    });

    for (const mutation of mutationCatalog) {
        describe(`${mutation.id} (${path.relative(path.resolve(__dirname, "../.."), mutation.fixturesDir)})`, () => {
            const fixtures = mutationFixturesOf(mutation);
            const context = mutationFixtureContext(mutation);

            it("has in-*.yaml fixtures, each with its out-*.yaml, one that changes and one left alone", () => {
                assert.ok(fixtures.length >= 2, `${mutation.id} needs in-*.yaml / out-*.yaml fixtures`);
                for (const fixture of fixtures) assert.ok(fs.existsSync(fixture.outFile), `${fixture.inFile} has no ${path.basename(fixture.outFile)}`);
                const orphans = fs.readdirSync(mutation.fixturesDir).filter((name) => name.startsWith("out-") && !fs.existsSync(path.join(mutation.fixturesDir, name.replace(/^out-/, "in-"))));
                assert.deepStrictEqual(orphans, []);
                const changed = fixtures.filter((fixture) => applyMutations(readObject(fixture.inFile), context, [mutation]).changes.length > 0);
                assert.ok(changed.length > 0, "no fixture shows the default being applied");
                assert.ok(changed.length < fixtures.length, "no fixture shows a set value (or a protected namespace) left alone");
            });

            it("names the validating guardrails it satisfies, and they exist", () => {
                assert.ok(mutation.satisfies.length > 0);
                for (const id of mutation.satisfies) assert.ok(catalog.some((guardrail) => guardrail.id === id), `unknown guardrail ${id}`);
            });

            for (const fixture of fixtures) {
                it(`${fixture.name}: in gives exactly out, and out is left as it is`, () => {
                    const result = applyMutations(readObject(fixture.inFile), context, [mutation]);
                    assert.deepStrictEqual(result.object, readObject(fixture.outFile));
                    assert.deepStrictEqual(applyMutations(readObject(fixture.outFile), context, [mutation]).changes, []);
                });

                // Only where something was defaulted: a value the workload set is kept, even a failing one.
                if (applyMutations(readObject(fixture.inFile), context, [mutation]).changes.length === 0) continue;
                it(`${fixture.name}: the defaulted output passes ${mutation.satisfies.join(", ")}`, () => {
                    const violations = checkObjects(readManifests([fixture.outFile]).objects, { settings: mutationFixtureSettings(mutation) }).filter((violation) => mutation.satisfies.includes(violation.guardrail));
                    assert.deepStrictEqual(violations, []);
                });
            }
        });
    }
});

/** Every guardrail fixture and (when present) the upstream Pod Security corpus, as plain objects. */
function corpusObjects(context: Mocha.Context | undefined): { label: string; object: Record<string, unknown> }[] {
    const files = catalog.flatMap((guardrail) => fixturesOf(guardrail).map((fixture) => fixture.file));
    if (context !== undefined) {
        const corpus = requireSharedDir(context, podSecurityCorpusDir);
        for (const level of ["baseline", "restricted"]) for (const outcome of ["pass", "fail"]) {
            const dir = path.join(corpus, level, outcome);
            files.push(...fs.readdirSync(dir).filter((name) => name.endsWith(".yaml")).map((name) => path.join(dir, name)));
        }
    }
    return readManifests(files).objects.map((manifest) => ({ label: `${path.relative(process.cwd(), manifest.file)}#${manifest.documentIndex}`, object: manifest.object }));
}

describe("mutations are safe", () => {
    it("never weaken: no validating guardrail fires on a defaulted object that did not fire before (fixtures + PSA corpus)", function () {
        const context = defaultMutationContext();
        const weakened: string[] = [];
        let changed = 0;
        for (const { label, object } of corpusObjects(this)) {
            const result = applyMutations(object, context, mutationCatalog);
            if (result.changes.length === 0) continue;
            changed++;
            const fired = (target: Record<string, unknown>) => new Set(checkObjects([{ file: label, documentIndex: "0", object: target }], {}).map((violation) => violation.guardrail));
            const before = fired(object);
            for (const id of fired(result.object)) if (!before.has(id)) weakened.push(`${label}: ${id}`);
        }
        assert.ok(changed > 50, `only ${changed} objects were defaulted: the corpus did not exercise the mutations`);
        assert.deepStrictEqual(weakened, []);
    });

    it("never touch kube-system or an admission engine's namespace, whatever the object", () => {
        const context = defaultMutationContext();
        const touched: string[] = [];
        for (const { label, object } of corpusObjects(undefined)) {
            for (const namespace of protectedNamespaces) {
                const metadata = { ...((object.metadata as Record<string, unknown> | undefined) ?? {}), namespace };
                const candidate = object.kind === "Namespace" ? { ...object, metadata: { ...metadata, name: namespace } } : { ...object, metadata };
                if (applyMutations(candidate, { ...context, tenants: [...protectedNamespaces] }, mutationCatalog).changes.length > 0) touched.push(`${label} in ${namespace}`);
            }
        }
        assert.deepStrictEqual(touched, []);
    });

    it("a stack's platform and exception namespaces are excluded too", () => {
        const settings = parsePlatformSettings(
            { tenants: [{ name: "shop" }], policy: { engine: "kyverno" }, podSecurity: { exceptions: [{ namespace: "csi", level: "privileged", reason: "CSI node plugins mount volumes on the host kubelet directory." }] } },
            "inline",
            "test",
        );
        const excluded = mutationContextFor(settings).excludedNamespaces;
        for (const namespace of ["kube-system", "kyverno", "gatekeeper-system", "bulwark-system", "csi"]) assert.ok(excluded.includes(namespace), `${namespace} not excluded`);
        assert.ok(!excluded.includes("shop"));
    });
});

describe("per-stack off switch", () => {
    const settings = parsePlatformSettings({ tenants: [{ name: "shop" }], mutations: { disabled: [{ id: "container-resources-default", reason }] } }, "inline", "test");
    const unsized = readObject(path.join(mutationCatalog.find((mutation) => mutation.id === "container-resources-default")!.fixturesDir, "in-unsized.yaml"));

    it("a disabled mutation changes nothing; the others still apply", () => {
        const result = applyMutations(unsized, mutationContextFor(settings), mutationCatalog);
        assert.deepStrictEqual(result.changes.filter((change) => change.mutation === "container-resources-default"), []);
        assert.ok(result.changes.some((change) => change.mutation === "pod-seccomp-default"));
    });

    it("the pack config turns it off with the reason, and the rest remediate", () => {
        const config = mutationPolicyPackConfigFor(settings);
        assert.deepStrictEqual(config["container-resources-default"], { enforcementLevel: "disabled", disabledReason: reason });
        assert.strictEqual(config["pod-seccomp-default"].enforcementLevel, "remediate");
    });
});

describe("CrossGuard remediation (remediateResource)", () => {
    const policies = crossGuardRemediationPolicies();
    const byId = (id: string) => policies.find((policy) => policy.name === id)!;
    const args = (type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}) =>
        ({ type, props, urn: `urn:pulumi:dev::bulwark::${type}::x`, name: "x", opts: {}, getConfig: () => config }) as never;

    it("one remediate-level policy per mutation", () => {
        assert.deepStrictEqual(policies.map((policy) => [policy.name, policy.enforcementLevel]), mutationCatalog.map((mutation) => [mutation.id, "remediate"]));
    });

    for (const mutation of mutationCatalog) {
        it(`${mutation.id}: returns exactly each fixture's out-*.yaml, or nothing when nothing changes`, async () => {
            const context = mutationFixtureContext(mutation);
            for (const fixture of mutationFixturesOf(mutation)) {
                const input = readObject(fixture.inFile);
                const type = `kubernetes:${String(input.apiVersion).includes("/") ? input.apiVersion : `core/${input.apiVersion}`}:${input.kind}`;
                const remediated = await byId(mutation.id).remediateResource!(args(type, input, { ...context }));
                const expected = readObject(fixture.outFile);
                assert.deepStrictEqual(remediated ?? input, expected, fixture.name);
                if (remediated === undefined) assert.deepStrictEqual(input, expected);
            }
        });
    }

    it("leaves Helm releases and non-Kubernetes resources alone", async () => {
        const pod = readObject(path.join(mutationCatalog[1].fixturesDir, "in-pod-unset.yaml"));
        assert.strictEqual(await byId("pod-seccomp-default").remediateResource!(args("kubernetes:helm.sh/v3:Release", pod)), undefined);
        assert.strictEqual(await byId("pod-seccomp-default").remediateResource!(args("aws:s3/bucket:Bucket", pod)), undefined);
    });
});

describe("CEL mutations (MutatingAdmissionPolicy and Kyverno MutatingPolicy)", () => {
    it("read the object being mutated only through `object`, never through a variable (Kyverno evaluates variables once, on the admitted object)", () => {
        let checked = 0;
        for (const mutation of mutationCatalog) {
            const context = mutationFixtureContext(mutation);
            for (const policy of [renderMutatingAdmissionPolicy(mutation, context)[0], renderKyvernoMutation(mutation, context)[0]]) {
                // Namespace-label mutations declare no variables at all (an empty list would not survive the API server).
                const variables = (policy.spec as { variables?: { name: string; expression: string }[] }).variables ?? [];
                for (const variable of variables) assert.doesNotMatch(variable.expression.replace(/object\.kind\b/g, ""), /\bobject\b|\bvariables\./, `${mutation.id} ${policy.kind}: variable ${variable.name} depends on what a mutation may change`);
                checked += variables.length;
            }
        }
        assert.ok(checked > 0, "no mutation policy declared a variable: the check above checked nothing");
    });
});
