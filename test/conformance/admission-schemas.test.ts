import * as assert from "assert";
import * as path from "path";
import { readStackSettings } from "../../cli/stackConfig";
import { guardrailDataFor } from "../../components/guardrails/policyConfig";
import { renderAdmissionPolicies } from "../../components/policy/render";
import { policyEngines } from "../../components/settings";
import { kubernetesObjects } from "../../cli/render";
import { renderStackFile, repoRoot, stackNames } from "../support/render";
import { crdSchemasDir, SchemaValidator } from "../support/schemas";
import { requireSharedDir } from "../support/shared";

describe("rendered admission policies validate against their schemas", () => {
    for (const stack of stackNames) {
        for (const engine of policyEngines) {
            it(`${engine} policies for ${stack}`, function () {
                requireSharedDir(this, crdSchemasDir);
                const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
                const objects = renderAdmissionPolicies(engine, settings.enforcement, guardrailDataFor(settings), settings.supplyChain);
                assert.ok(objects.some((object) => object.kind === (engine === "kyverno" ? "ImageValidatingPolicy" : "ClusterImagePolicy")), "the trust policy renders an image verifier");
                assert.ok(objects.length > 0);
                const validator = new SchemaValidator();
                validator.learnTemplates(objects);
                assert.deepStrictEqual(objects.flatMap((object) => validator.validate(object)), []);
            });
        }
    }

    for (const stack of stackNames) {
        it(`every Kubernetes object rendered for ${stack} (core and custom)`, async function () {
            requireSharedDir(this, crdSchemasDir);
            const objects = kubernetesObjects(await renderStackFile(stack));
            const validator = new SchemaValidator();
            validator.learnTemplates(objects);
            assert.deepStrictEqual(objects.flatMap((object) => validator.validate(object)), []);
        });
    }

    it("the validator rejects a malformed policy (it can fail)", function () {
        requireSharedDir(this, crdSchemasDir);
        const validator = new SchemaValidator();
        assert.notDeepStrictEqual(validator.validate({ apiVersion: "policies.kyverno.io/v1", kind: "ValidatingPolicy", metadata: { name: "x" }, spec: { validationActions: "Deny" } }), []);
        assert.notDeepStrictEqual(validator.validate({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "x" }, spec: { failurePolicy: 1 } }), []);
    });
});
