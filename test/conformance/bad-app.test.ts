import * as assert from "assert";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { readStackSettings } from "../../cli/stackConfig";
import { repoRoot } from "../support/render";

describe("a deliberately bad application", () => {
    it("fails with exactly the expected guardrail ids, per object", () => {
        const { objects, problems } = readManifests([path.join(repoRoot, "test/fixtures/bad-app")]);
        assert.deepStrictEqual(problems, []);
        const settings = readStackSettings(path.join(repoRoot, "stacks/Pulumi.prod.yaml"), "prod");
        const found: Record<string, string[]> = {};
        for (const violation of checkObjects(objects, { settings })) {
            const key = `${violation.kind}/${violation.name}`;
            found[key] = [...new Set([...(found[key] ?? []), violation.guardrail])].sort();
        }
        assert.deepStrictEqual(found, {
            "Deployment/web": [
                "image-digest-pinned",
                "image-registry-allowed",
                "image-tag-required",
                "mesh-injection-not-disabled",
                "pss-allow-privilege-escalation",
                "pss-capabilities-restricted",
                "pss-host-namespaces",
                "pss-privileged",
                "pss-run-as-non-root",
                "pss-seccomp-restricted",
                "resources-requests-limits",
            ],
            "Service/web": ["service-external-exposure"],
            "PeerAuthentication/legacy": ["mesh-peer-authentication-strict"],
            "Ingress/web": ["ingress-host-unique"],
            "Ingress/copycat": ["ingress-host-unique"],
        });
    });
});
