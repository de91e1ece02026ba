import * as assert from "assert";
import * as path from "path";
import { readStackSettings } from "../../cli/stackConfig";
import { mutationCatalog } from "../../components/guardrails/mutations/catalog";
import { mutationContextFor } from "../../components/guardrails/mutations/context";
import { MutationEngine } from "../../components/guardrails/mutations/types";
import { renderMutationPolicies, skippedMutations } from "../../components/policy/render/mutations";
import { parsePlatformSettings } from "../../components/settings";
import { kubernetesObjects } from "../../cli/render";
import { renderStackFile, repoRoot, stackNames } from "../support/render";
import { crdSchemasDir, SchemaValidator } from "../support/schemas";
import { requireSharedDir } from "../support/shared";

const engines: readonly MutationEngine[] = ["vap", "kyverno", "gatekeeper"];

describe("rendered mutations", () => {
    // Kyverno MutatingPolicy and Gatekeeper Assign/AssignMetadata against the CRD schemas in ../shared.
    // kubernetes-models has no MutatingAdmissionPolicy (v1) schema: the engine tier creates every
    // rendered MutatingAdmissionPolicy on the real API server, which validates it fully.
    for (const stack of stackNames) {
        for (const engine of ["kyverno", "gatekeeper"] as const) {
            it(`${engine} mutations for ${stack} validate against their CRD schemas`, function () {
                requireSharedDir(this, crdSchemasDir);
                const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
                const objects = renderMutationPolicies(engine, mutationContextFor(settings));
                assert.ok(objects.length > 0);
                const validator = new SchemaValidator();
                assert.deepStrictEqual(objects.flatMap((object) => validator.validate(object)), []);
            });
        }
    }

    it("the validator rejects a malformed mutator (it can fail)", function () {
        requireSharedDir(this, crdSchemasDir);
        const validator = new SchemaValidator();
        assert.notDeepStrictEqual(validator.validate({ apiVersion: "mutations.gatekeeper.sh/v1", kind: "Assign", metadata: { name: "x" }, spec: { location: 3 } }), []);
        assert.notDeepStrictEqual(validator.validate({ apiVersion: "policies.kyverno.io/v1", kind: "MutatingPolicy", metadata: { name: "x" }, spec: { mutations: [{ jsonPatch: { expression: "[]" } }] } }), []);
    });

    it("every engine renders every mutation, or names it with the reason (not expressible, or off in the stack)", () => {
        const reason = "Workloads here are sized by the cluster team's LimitRange objects.";
        const settings = parsePlatformSettings({ tenants: [{ name: "shop" }], mutations: { disabled: [{ id: "container-resources-default", reason }] } }, "inline", "test");
        const context = mutationContextFor(settings);
        for (const engine of engines) {
            const names = renderMutationPolicies(engine, context).map((object) => (object.metadata as { name: string }).name);
            const rendered = mutationCatalog.map((mutation) => mutation.id).filter((id) => names.some((name) => name === `bulwark-${id}` || name.startsWith(`bulwark-${id}-`)));
            const skipped = skippedMutations(engine, context);
            assert.deepStrictEqual([...rendered, ...skipped.map((entry) => entry.id)].sort(), mutationCatalog.map((mutation) => mutation.id).sort(), engine);
            assert.ok(skipped.some((entry) => entry.id === "container-resources-default" && entry.reason === reason));
        }
        assert.deepStrictEqual(skippedMutations("gatekeeper", context).map((entry) => entry.id), ["pod-seccomp-default", "container-privilege-escalation-default", "container-resources-default"]);
    });

    it("with Pulumi delivery the component creates the stack's mutations (dev: native MutatingAdmissionPolicies)", async () => {
        const objects = kubernetesObjects(await renderStackFile("dev"));
        const settings = readStackSettings(path.join(repoRoot, "stacks", "Pulumi.dev.yaml"), "dev");
        const expected = renderMutationPolicies("vap", mutationContextFor(settings)).map((object) => `${object.kind}/${(object.metadata as { name: string }).name}`);
        const created = objects.filter((object) => String(object.kind).startsWith("MutatingAdmissionPolicy")).map((object) => `${object.kind}/${(object.metadata as { name: string }).name}`);
        assert.deepStrictEqual([...created].sort(), [...expected].sort()); // resources are recorded in completion order
        assert.strictEqual(expected.length, 2 * mutationCatalog.length);
    });

    it("no rendering selects a protected namespace", () => {
        const settings = parsePlatformSettings({ tenants: [{ name: "shop" }] }, "inline", "test");
        for (const engine of engines) {
            for (const object of renderMutationPolicies(engine, mutationContextFor(settings))) {
                const text = JSON.stringify(object);
                if (object.kind === "MutatingAdmissionPolicy") continue; // its binding carries the selector
                for (const namespace of ["kube-system", "kyverno", "gatekeeper-system", "bulwark-system"]) assert.ok(text.includes(`"${namespace}"`), `${object.kind} ${JSON.stringify(object.metadata)} does not exclude ${namespace}`);
            }
        }
    });
});
