import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { readStackSettings } from "../../cli/stackConfig";
import { demoApp, layerOf } from "../../cli/local/demo";
import { coldMinutes, engineBinaryPath, engineTable, missingEngines } from "../../cli/local/engines";
import { policyViolations, writeStackCopy } from "../../cli/local/pulumiWorkspace";
import { enginePath } from "../engines/harness/engines";
import { repoRoot } from "../support/render";

describe("local front door (pure parts)", () => {
    it("reads every engine, its version variable and cold estimate from build.sh's table, with the engine tier's path scheme", () => {
        const rows = engineTable();
        for (const engine of ["etcd", "kube-apiserver", "kube-controller-manager", "pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const) {
            const row = rows.find((candidate) => candidate.name === engine);
            assert.ok(row, engine);
            assert.match(row.coldEstimate, /^about \d+ min/);
            assert.strictEqual(engineBinaryPath(engine), enginePath(engine));
        }
        assert.ok(missingEngines(["etcd"]).every((row) => row.name === "etcd"));
        assert.strictEqual(coldMinutes(rows.filter((row) => ["pulumi", "pulumi-language-nodejs"].includes(row.name))), 7);
    });

    it("the workspace's stack copy is config-only and keeps the encryption salt of an earlier copy", () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-workspace-"));
        try {
            fs.mkdirSync(path.join(work, "stacks"));
            const source = fs.readFileSync(path.join(repoRoot, "stacks", "Pulumi.prod.yaml"), "utf8");
            const target = writeStackCopy(work, "prod", source);
            const first = yaml.load(fs.readFileSync(target, "utf8")) as { config: Record<string, any> };
            assert.strictEqual(first.config["bulwark:platform"].install, false);
            assert.deepStrictEqual({ ...first.config["bulwark:platform"], install: undefined }, { ...(yaml.load(source) as any).config["bulwark:platform"], install: undefined });
            // `pulumi stack init` writes a salt into the copy; the next run must keep it.
            fs.writeFileSync(target, `encryptionsalt: v1:abc:def\n${fs.readFileSync(target, "utf8")}`);
            writeStackCopy(work, "prod", source.replace("replicas: 3", "replicas: 4"));
            const second = yaml.load(fs.readFileSync(target, "utf8")) as { encryptionsalt: string; config: Record<string, any> };
            assert.strictEqual(second.encryptionsalt, "v1:abc:def");
            assert.strictEqual(second.config["bulwark:platform"].policy.replicas, 4);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    it("reads the policy violations out of pulumi's output", () => {
        const output = `Policies:
    ❌ bulwark@v0.1.0 (local: policy-pack)
        - [mandatory]  stack-runtime-security  (pulumi:pulumi:Stack: bulwark-prod)
          No runtime agent
        - [advisory]  namespace-pod-security-level  (kubernetes:core/v1:Namespace: checkout)
`;
        assert.deepStrictEqual(policyViolations(output), [
            { level: "mandatory", guardrail: "stack-runtime-security", resource: "pulumi:pulumi:Stack: bulwark-prod" },
            { level: "advisory", guardrail: "namespace-pod-security-level", resource: "kubernetes:core/v1:Namespace: checkout" },
        ]);
    });

    it("the demo app: the good workload passes the pack, each bad one fails the guardrail it is there for", () => {
        for (const stack of ["dev", "prod"]) {
            const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
            const app = demoApp(settings.tenants[0].name, settings.policy.images.allowedRegistries[0]);
            const violations = checkObjects(
                app.map(({ object }, index) => ({ file: "demo", documentIndex: String(index), object: object as unknown as Record<string, unknown> })),
                { settings },
            );
            const of = (index: number) => new Set(violations.filter((violation) => violation.documentIndex === String(index)).map((violation) => violation.guardrail));
            assert.deepStrictEqual(of(0), new Set(), `${stack}: the good Pod`);
            assert.ok(of(1).has("pss-privileged"), `${stack}: ${[...of(1)]}`);
            assert.ok(of(2).has("image-tag-required"), `${stack}: ${[...of(2)]}`);
            // Root and no seccomp profile break only the restricted level: prod's tenants enforce it;
            // dev's audit ramp enforces baseline there (the API server warns about restricted instead).
            if (stack === "prod") assert.ok(of(3).has("pss-run-as-non-root") && of(3).has("pss-seccomp-restricted"), `${stack}: ${[...of(3)]}`);
            else assert.deepStrictEqual(of(3), new Set(), `${stack}: ${[...of(3)]}`);
            assert.ok(of(4).has("service-external-exposure"), `${stack}: ${[...of(4)]}`);
        }
    });

    it("names the layer from the API server's message", () => {
        assert.strictEqual(layerOf('pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged'), "Pod Security Admission");
        assert.strictEqual(layerOf('pods "x" is forbidden: ValidatingAdmissionPolicy \'bulwark-image-tag-required\' with binding ... denied request'), "admission policy (ValidatingAdmissionPolicy)");
    });
});
