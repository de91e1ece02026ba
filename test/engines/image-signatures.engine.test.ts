// Engine test: Bulwark's deploy-time signature verifier against a real registry (Debian's
// docker-registry on loopback, TLS from a test CA) holding real OCI images, signed by Bulwark's
// test helpers in cosign's classic layout. The cosign cases (real `cosign sign` and `cosign verify`)
// are in cosign-interop.engine.test.ts.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SupplyChainSettings } from "../../components/settings";
import { ImageSignatureVerifier } from "../../components/supply-chain";
import { Certificate, KeyPair, newCa, newKeyPair, signingCertificate } from "../support/pki";
import { pushImage, signImage, simpleSigningPayload } from "../support/oci";
import { skipOrFail } from "./harness/engines";
import { ciIdentity, githubIssuer, testTrustPolicy } from "./support/trustPolicy";
import { RunningRegistry, startRegistry } from "./harness/registry";

describe("image signature verification against a real registry (engine tier)", function () {
    this.timeout(120_000);
    let registry: RunningRegistry;
    let work: string;
    let trustedKey: KeyPair;
    let otherKey: KeyPair;
    let fulcio: Certificate;
    let rightCert: Certificate;
    let logKey: KeyPair;
    let settings: SupplyChainSettings;

    before(async function () {
        try {
            registry = await startRegistry();
        } catch (error) {
            skipOrFail(this, error);
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-signatures-"));
        trustedKey = newKeyPair();
        otherKey = newKeyPair();
        logKey = newKeyPair();
        fulcio = newCa(work, "test-fulcio");
        rightCert = signingCertificate(work, fulcio, "ci", ciIdentity, githubIssuer);
        settings = testTrustPolicy(registry.host, trustedKey, fulcio, logKey.publicKeyPem);
    });

    after(async () => {
        await registry?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    /** A fresh verifier (empty cache) per case, so no verdict leaks between cases. */
    function verifier(): ImageSignatureVerifier {
        return new ImageSignatureVerifier(settings, { ca: registry.ca, cacheDir: fs.mkdtempSync(path.join(work, "cache-")) });
    }

    async function verdict(image: string) {
        const v = verifier();
        try {
            return await v.verify(image);
        } finally {
            v.close();
        }
    }

    it("passes an image signed with the trusted key", async () => {
        const digest = await pushImage(registry, "keyed/app", "1.0");
        await signImage(registry, "keyed/app", digest, { privateKey: trustedKey.privateKey });
        const result = await verdict(`${registry.host}/keyed/app:1.0`);
        assert.ok(result.ok, result.message);
        assert.match(result.message, /signed \(key\) per trust-policy entry 'keyed'/);
    });

    it("rejects an unsigned image", async () => {
        await pushImage(registry, "keyed/unsigned", "1.0");
        const result = await verdict(`${registry.host}/keyed/unsigned:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /unsigned: no cosign signature for sha256:/);
    });

    it("rejects a registry whose TLS certificate is not signed by a trusted CA", async () => {
        const digest = await pushImage(registry, "keyed/untrusted-tls", "1.0");
        await signImage(registry, "keyed/untrusted-tls", digest, { privateKey: trustedKey.privateKey });
        // The same registry and a validly signed image, but without the registry's CA: TLS must fail, closed.
        const v = new ImageSignatureVerifier(settings, { cacheDir: fs.mkdtempSync(path.join(work, "cache-")) });
        try {
            const result = await v.verify(`${registry.host}/keyed/untrusted-tls@${digest}`);
            assert.ok(!result.ok);
            assert.match(result.message, /unreachable|certificate/i);
        } finally {
            v.close();
        }
    });

    it("rejects an image signed with another key", async () => {
        const digest = await pushImage(registry, "keyed/other", "1.0");
        await signImage(registry, "keyed/other", digest, { privateKey: otherKey.privateKey });
        const result = await verdict(`${registry.host}/keyed/other@${digest}`);
        assert.ok(!result.ok);
        assert.match(result.message, /signature does not verify over the payload \(wrong key or tampered payload\)/);
    });

    it("rejects a tampered payload", async () => {
        const digest = await pushImage(registry, "keyed/tampered", "1.0");
        const tampered = Buffer.from(simpleSigningPayload(`${registry.host}/keyed/tampered`, digest).toString().replace("cosign container image signature", "cosign container image signature "));
        await signImage(registry, "keyed/tampered", digest, { privateKey: trustedKey.privateKey, storedPayload: tampered });
        const result = await verdict(`${registry.host}/keyed/tampered@${digest}`);
        assert.ok(!result.ok);
        assert.match(result.message, /signature does not verify over the payload/);
    });

    it("rejects a tag that moved to a new digest after signing", async () => {
        const signed = await pushImage(registry, "keyed/moving", "stable", "first build");
        await signImage(registry, "keyed/moving", signed, { privateKey: trustedKey.privateKey });
        assert.ok((await verdict(`${registry.host}/keyed/moving:stable`)).ok);
        const moved = await pushImage(registry, "keyed/moving", "stable", "second build");
        const result = await verdict(`${registry.host}/keyed/moving:stable`);
        assert.ok(!result.ok);
        assert.match(result.message, new RegExp(`\\(${moved}\\): unsigned`));
        // The old signature copied onto the new digest names the old digest in its payload.
        await signImage(registry, "keyed/moving", moved, { privateKey: trustedKey.privateKey, payload: simpleSigningPayload(`${registry.host}/keyed/moving`, signed) });
        const copied = await verdict(`${registry.host}/keyed/moving:stable`);
        assert.ok(!copied.ok);
        assert.match(copied.message, new RegExp(`signed payload names ${signed}, not ${moved} \\(tag moved after signing or payload copied\\)`));
    });

    it("passes a keyless signature with the right identity and transparency-log evidence", async () => {
        const digest = await pushImage(registry, "keyless/app", "1.0");
        await signImage(registry, "keyless/app", digest, { privateKey: rightCert.privateKey, certificatePem: rightCert.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
        const result = await verdict(`${registry.host}/keyless/app:1.0`);
        assert.ok(result.ok, result.message);
        assert.match(result.message, new RegExp(`signed \\(${githubIssuer} ${ciIdentity.replace(/[.]/g, "\\.")}\\)`));
    });

    it("rejects a keyless signature without transparency-log evidence where the policy requires it", async () => {
        const digest = await pushImage(registry, "keyless/nolog", "1.0");
        await signImage(registry, "keyless/nolog", digest, { privateKey: rightCert.privateKey, certificatePem: rightCert.certificatePem, chainPem: fulcio.certificatePem });
        const result = await verdict(`${registry.host}/keyless/nolog:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /no transparency-log evidence/);
    });

    it("rejects a signed entry timestamp from a log the stack does not trust", async () => {
        const digest = await pushImage(registry, "keyless/otherlog", "1.0");
        await signImage(registry, "keyless/otherlog", digest, { privateKey: rightCert.privateKey, certificatePem: rightCert.certificatePem, chainPem: fulcio.certificatePem, log: otherKey });
        const result = await verdict(`${registry.host}/keyless/otherlog:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /transparency-log evidence is invalid/);
    });

    it("rejects a keyless signature with the wrong subject", async () => {
        const wrong = signingCertificate(work, fulcio, "fork", "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main", githubIssuer);
        const digest = await pushImage(registry, "keyless/subject", "1.0");
        await signImage(registry, "keyless/subject", digest, { privateKey: wrong.privateKey, certificatePem: wrong.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
        const result = await verdict(`${registry.host}/keyless/subject:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /certificate subject 'https:\/\/github.com\/evil\/app\/.github\/workflows\/release.yml@refs\/heads\/main' does not match/);
    });

    it("rejects a keyless signature with the wrong issuer", async () => {
        const wrong = signingCertificate(work, fulcio, "gitlab", ciIdentity, "https://gitlab.com");
        const digest = await pushImage(registry, "keyless/issuer", "1.0");
        await signImage(registry, "keyless/issuer", digest, { privateKey: wrong.privateKey, certificatePem: wrong.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
        const result = await verdict(`${registry.host}/keyless/issuer:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /certificate issuer 'https:\/\/gitlab.com' is not 'https:\/\/token.actions.githubusercontent.com'/);
    });

    it("rejects a certificate from an untrusted CA", async () => {
        const rogueCa = newCa(work, "rogue-ca");
        const rogue = signingCertificate(work, rogueCa, "rogue", ciIdentity, githubIssuer);
        const digest = await pushImage(registry, "keyless/rogue", "1.0");
        await signImage(registry, "keyless/rogue", digest, { privateKey: rogue.privateKey, certificatePem: rogue.certificatePem, chainPem: rogueCa.certificatePem, log: logKey });
        const result = await verdict(`${registry.host}/keyless/rogue:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /certificate is expired or does not chain to the trust root/);
    });

    it("rejects an image no trust-policy entry covers", async () => {
        const digest = await pushImage(registry, "elsewhere/app", "1.0");
        await signImage(registry, "elsewhere/app", digest, { privateKey: trustedKey.privateKey });
        const result = await verdict(`${registry.host}/elsewhere/app:1.0`);
        assert.ok(!result.ok);
        assert.match(result.message, /no supplyChain trust-policy entry matches/);
    });

    it("serves a repeated digest from the disk cache without registry requests", async () => {
        const digest = await pushImage(registry, "keyed/cached", "1.0");
        await signImage(registry, "keyed/cached", digest, { privateKey: trustedKey.privateKey });
        const cacheDir = fs.mkdtempSync(path.join(work, "cache-"));
        const cold = new ImageSignatureVerifier(settings, { ca: registry.ca, cacheDir });
        assert.ok((await cold.verify(`${registry.host}/keyed/cached@${digest}`)).ok);
        assert.strictEqual(cold.client.requestCount, 2, "cold: signature manifest and payload blob");
        cold.close();
        const warm = new ImageSignatureVerifier(settings, { ca: registry.ca, cacheDir });
        assert.ok((await warm.verify(`${registry.host}/keyed/cached@${digest}`)).ok);
        assert.strictEqual(warm.client.requestCount, 0);
        warm.close();
    });

    it("fails closed when the registry stops mid-run", async () => {
        const digest = await pushImage(registry, "keyed/late", "1.0");
        await signImage(registry, "keyed/late", digest, { privateKey: trustedKey.privateKey });
        const v = verifier();
        assert.ok((await v.verify(`${registry.host}/keyed/app:1.0`)).ok);
        await registry.stop();
        const result = await v.verify(`${registry.host}/keyed/late@${digest}`);
        v.close();
        assert.ok(!result.ok);
        assert.match(result.message, /registry unreachable, failing closed/);
    });
});
