import { imageSignatureVerified } from "../../components/guardrails/images/signature-verified/guardrail";
import { mutationCatalog } from "../../components/guardrails/mutations/catalog";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { generatedFiles } from "../../cli/generate";
import { crossGuardPolicies } from "../../components/guardrails/crossguard";
import { catalog, crossObjectCatalog } from "../../components/guardrails/catalog";
import { stackGuardrails } from "../../components/guardrails/stack/catalog";
import { repoRoot } from "../support/render";

describe("generated artefacts", () => {
    it("policy-pack/config/<stack>.json are current (regenerate with npm run generate)", () => {
        const files = generatedFiles(repoRoot);
        assert.ok(files.size >= 3);
        for (const [relative, content] of files) {
            const target = path.join(repoRoot, relative);
            assert.ok(fs.existsSync(target), `${relative} is missing: run npm run generate`);
            assert.strictEqual(fs.readFileSync(target, "utf8"), content, `${relative} is stale or hand-edited: run npm run generate`);
        }
    });

    it("the ramp moves every policy's level: dev advisory, prod mandatory", () => {
        const dev = JSON.parse(fs.readFileSync(path.join(repoRoot, "policy-pack/config/dev.json"), "utf8")) as Record<string, { enforcementLevel: string }>;
        const prod = JSON.parse(fs.readFileSync(path.join(repoRoot, "policy-pack/config/prod.json"), "utf8")) as Record<string, { enforcementLevel: string }>;
        assert.deepStrictEqual(Object.keys(dev).sort(), [...catalog, ...crossObjectCatalog, imageSignatureVerified, ...stackGuardrails, ...mutationCatalog].map((guardrail) => guardrail.id).sort());
        // Mutations remediate in every stack (they default, never block); the ramp moves the validating policies.
        const validating = (config: typeof dev) => Object.entries(config).filter(([id]) => !mutationCatalog.some((mutation) => mutation.id === id));
        assert.ok(validating(dev).every(([, policy]) => policy.enforcementLevel === "advisory"));
        assert.ok(validating(prod).every(([, policy]) => policy.enforcementLevel === "mandatory"));
        assert.ok(mutationCatalog.every((mutation) => dev[mutation.id].enforcementLevel === "remediate" && prod[mutation.id].enforcementLevel === "remediate"));
    });

    it("the policy pack has one policy per catalog guardrail, mandatory by default", () => {
        const policies = crossGuardPolicies();
        assert.deepStrictEqual(policies.map((policy) => policy.name), catalog.map((guardrail) => guardrail.id));
        for (const policy of policies) {
            assert.strictEqual(policy.enforcementLevel, "mandatory");
            assert.match(policy.name, /^[a-zA-Z0-9-_.]{1,100}$/, "CrossGuard policy names allow only these characters");
        }
    });

    it("the policy pack's entry point builds its policies from the catalog (not a copy)", () => {
        const source = fs.readFileSync(path.join(repoRoot, "policy-pack/index.ts"), "utf8");
        assert.match(source, /policies: \[\.\.\.crossGuardRemediationPolicies\(\), \.\.\.crossGuardPolicies\(\), imageSignaturePolicy\(\), \.\.\.crossGuardStackPolicies\(\), \.\.\.crossGuardCapabilityPolicies\(\)\]/);
        assert.match(source, /from "\.\.\/components\/guardrails\/mutations\/crossguard"/);
        assert.match(source, /from "\.\.\/components\/guardrails\/crossguard"/);
    });
});
