import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { kubernetesObjects, ProgramError, renderStack, writeRender } from "../../cli/render";
import { readStackSettings } from "../../cli/stackConfig";
import { componentNamespaces } from "../../components/pod-security/labels";
import { byType, renderStackFile, repoRoot, stackConfig, stackNames } from "../support/render";

describe("stack files (mocks)", () => {
    for (const stack of stackNames) {
        describe(stack, () => {
            it("renders the platform, one Namespace per declared namespace", async () => {
                const result = await renderStackFile(stack);
                const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
                const expected = [
                    ...componentNamespaces(settings).map((namespace) => namespace.name),
                    ...settings.tenants.map((tenant) => tenant.name),
                    ...settings.podSecurity.exceptions.map((exception) => exception.namespace),
                ].sort();
                assert.deepStrictEqual(byType(result, "kubernetes:core/v1:Namespace").map((resource) => resource.name).sort(), expected);
                assert.strictEqual(byType(result, "bulwark:platform:Platform").length, 1);
            });

            it("obeys its own guardrails: render output passes check --stack with no violation at all", async () => {
                const result = await renderStackFile(stack);
                const settings = readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);
                const objects = kubernetesObjects(result).map((object, index) => ({ file: `render:${stack}`, documentIndex: String(index), object }));
                const violations = checkObjects(objects, { settings });
                // Not just no mandatory ones: the platform obeys its own guardrails at every ramp level.
                assert.deepStrictEqual(violations, []);
                // And with no exceptions declared, the same namespaces are flagged: the check can fail.
                assert.ok(checkObjects(objects).length > 0);
            });
        });
    }

    it("environments differ the way real ones do: dev audits, staging and prod enforce", () => {
        const enforcement = Object.fromEntries(stackNames.map((stack) => [stack, readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack).enforcement]));
        assert.deepStrictEqual(enforcement, { dev: "audit", staging: "enforce", prod: "enforce" });
    });

    it("renders deterministically: two renders give byte-identical files", async () => {
        const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-a-")), fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-b-"))];
        try {
            for (const dir of dirs) writeRender(await renderStackFile("prod"), dir);
            const list = (dir: string): string[] =>
                fs.readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).filter((entry) => fs.statSync(path.join(dir, entry)).isFile()).sort();
            const files = list(dirs[0]);
            assert.deepStrictEqual(list(dirs[1]), files);
            assert.ok(files.includes("resources.json") && files.some((file) => file.startsWith("k8s/")));
            for (const file of files) assert.ok(fs.readFileSync(path.join(dirs[0], file)).equals(fs.readFileSync(path.join(dirs[1], file))), `${file} differs`);
            // The written YAML reads back as the same objects check sees.
            assert.deepStrictEqual(readManifests([path.join(dirs[0], "k8s")]).problems, []);
        } finally {
            for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops on malformed config before registering any resource, with the key path in the message", async () => {
        const config = stackConfig("dev");
        const broken = { ...config, values: { "bulwark:platform": { ...(config.values["bulwark:platform"] as object), tenants: [{ name: "Bad_Name" }] } } };
        await assert.rejects(renderStack("dev", broken), (error: unknown) => {
            assert.ok(error instanceof ProgramError);
            assert.match(error.message, /bulwark:platform\.tenants\[0\]\.name: must be an RFC 1123 DNS label/);
            assert.strictEqual(error.registeredResources, 0, "no resource may be registered before validation");
            return true;
        });
    });

    it("redacts secret config values and Secret data in resources.json", async () => {
        const { renderWith } = await import("../support/render");
        const pulumi = await import("@pulumi/pulumi");
        const k8s = await import("@pulumi/kubernetes");
        const result = await renderWith({}, async () => {
            new k8s.core.v1.Secret("token", { metadata: { name: "token", namespace: "bulwark-system" }, stringData: { token: "hunter2-plaintext" } });
            new k8s.core.v1.ConfigMap("wrapped", { metadata: { name: "wrapped" }, data: { password: pulumi.secret("s3cr3t-plaintext") } });
            return {};
        });
        const text = JSON.stringify(result.resources);
        assert.doesNotMatch(text, /hunter2-plaintext|s3cr3t-plaintext/);
        assert.match(text, /\[secret\]/);
    });
});
