import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readManifests } from "../../cli/input";
import { signatureViolations } from "../../cli/verifySignatures";
import { imageSignaturePolicy, imageSignatureVerified, imagesOf } from "../../components/guardrails/images/signature-verified/guardrail";
import { parsePlatformSettings } from "../../components/settings";
import { entryFor, globToRegExp, parseImageReference, policyFingerprint, VerdictCache } from "../../components/supply-chain";
import { expectedMessageAnnotation, fixtureSettings, fixturesOf } from "../support/fixtures";

// The registry-backed cases (signatures, keys, certificates, cache, fail-closed) are in
// test/engines/image-signatures.engine.test.ts; these need no registry.
describe("image-signature-verified guardrail", () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-sig-unit-"));
    after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

    for (const fixture of fixturesOf(imageSignatureVerified as never)) {
        it(`${path.basename(fixture.file)} ${fixture.outcome === "pass" ? "passes" : "fails with the expected message"}`, async () => {
            const { objects } = readManifests([fixture.file]);
            const messages = (await signatureViolations(objects, fixtureSettings(imageSignatureVerified as never), { cacheDir })).map((violation) => violation.message);
            if (fixture.outcome === "pass") return assert.deepStrictEqual(messages, []);
            const expected = objects.map(({ object }) => (object.metadata as { annotations?: Record<string, string> }).annotations?.[expectedMessageAnnotation]);
            assert.deepStrictEqual(messages, expected);
        });
    }

    it("finds every container image of every workload kind", () => {
        const podSpec = { containers: [{ image: "a" }, { image: "b" }], initContainers: [{ image: "c" }], ephemeralContainers: [{ image: "a" }] };
        assert.deepStrictEqual(imagesOf({ kind: "Pod", spec: podSpec }), ["a", "b", "c"]);
        assert.deepStrictEqual(imagesOf({ kind: "Deployment", spec: { template: { spec: podSpec } } }), ["a", "b", "c"]);
        assert.deepStrictEqual(imagesOf({ kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: "d" }] } } } } } }), ["d"]);
    });

    it("CrossGuard: reports a missing trust policy instead of passing", async () => {
        const reported: string[] = [];
        await (imageSignaturePolicy().validateResource as (args: never, report: (message: string) => void) => Promise<void>)({ type: "kubernetes:core/v1:Pod", props: { kind: "Pod", spec: { containers: [{ image: "x" }] } }, getConfig: () => ({}) } as never, (message: string) => reported.push(message));
        assert.match(reported[0], /no supplyChain trust policy is configured/);
    });

    it("parses references the Docker way and matches globs per path segment", () => {
        assert.deepStrictEqual(parseImageReference("nginx"), { registry: "docker.io", repository: "library/nginx", tag: "latest", digest: undefined });
        assert.deepStrictEqual(parseImageReference("127.0.0.1:5000/a/b:1"), { registry: "127.0.0.1:5000", repository: "a/b", tag: "1", digest: undefined });
        assert.ok(globToRegExp("ghcr.io/acme/*").test("ghcr.io/acme/app"));
        assert.ok(!globToRegExp("ghcr.io/acme/*").test("ghcr.io/acme/team/app"));
        assert.ok(globToRegExp("ghcr.io/acme/**").test("ghcr.io/acme/team/app"));
        assert.ok(!globToRegExp("ghcr.io/acme/**").test("ghcr.io/acme-evil/app"));
    });

    it("picks the first matching entry, and the cache key changes with the entry", () => {
        const key = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";
        const settings = parsePlatformSettings(
            { supplyChain: { policies: [{ name: "one", images: ["ghcr.io/acme/app"], authorities: [{ key: { publicKey: key } }] }, { name: "two", images: ["ghcr.io/acme/**"], authorities: [{ key: { publicKey: key } }] }] } },
            "inline",
            "test",
        ).supplyChain;
        assert.strictEqual(entryFor(settings, "ghcr.io/acme/app")?.name, "one");
        assert.strictEqual(entryFor(settings, "ghcr.io/acme/lib")?.name, "two");
        assert.notStrictEqual(policyFingerprint(settings.policies[0], settings), policyFingerprint(settings.policies[1], settings));
    });

    it("expires cached verdicts after the TTL", () => {
        const cache = new VerdictCache(cacheDir, 60);
        cache.put("sha256:1", "fp", { ok: true, message: "signed" }, 1000);
        assert.deepStrictEqual(cache.get("sha256:1", "fp", 2000), { ok: true, message: "signed" });
        assert.strictEqual(cache.get("sha256:1", "fp", 1000 + 61_000), undefined);
        assert.strictEqual(cache.get("sha256:1", "other", 2000), undefined);
    });
});
