// Engine test: real cosign v2 (built from its pinned Go module) and Bulwark agree. Bulwark's
// verifier accepts what `cosign sign` writes (key, and a certificate from a test CA), and
// `cosign verify` accepts what Bulwark's test helpers sign (key, and keyless with a signed entry
// timestamp from a test log key), against the same loopback registry with TLS from a test CA.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ImageSignatureVerifier } from "../../components/supply-chain";
import { Certificate, KeyPair, newCa, newKeyPair, signingCertificate } from "../support/pki";
import { pushImage, signImage } from "../support/oci";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { RunningRegistry, startRegistry } from "./harness/registry";
import { ciIdentity, githubIssuer, testTrustPolicy } from "./support/trustPolicy";

describe("cosign v2 and Bulwark's verifier agree (engine tier)", function () {
    this.timeout(600_000);
    let cosign: string;
    let registry: RunningRegistry;
    let work: string;
    let fulcio: Certificate;
    let logKey: KeyPair;
    let env: NodeJS.ProcessEnv;

    before(async function () {
        try {
            ({ cosign } = await ensureEngines(["cosign"]));
            registry = await startRegistry();
        } catch (error) {
            skipOrFail(this, error);
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-cosign-"));
        fulcio = newCa(work, "test-fulcio");
        logKey = newKeyPair();
        fs.writeFileSync(path.join(work, "log.pub"), logKey.publicKeyPem);
        // cosign trusts the registry's test CA, keeps its state in the work dir, and never asks a TTY.
        env = { ...process.env, SSL_CERT_FILE: registry.caFile, HOME: work, COSIGN_PASSWORD: "", COSIGN_YES: "true", TUF_ROOT: path.join(work, "tuf") };
    });

    after(async () => {
        await registry?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
        return runProcess(cosign, args, { cwd: work, env: { ...env, ...extraEnv }, timeoutMs: 120_000 });
    }

    async function bulwarkVerdict(image: string, trustedKeyPem: string) {
        const verifier = new ImageSignatureVerifier(testTrustPolicy(registry.host, { publicKeyPem: trustedKeyPem } as KeyPair, fulcio, logKey.publicKeyPem), { ca: registry.ca, cacheDir: fs.mkdtempSync(path.join(work, "cache-")) });
        try {
            return await verifier.verify(image);
        } finally {
            verifier.close();
        }
    }

    it("Bulwark accepts an image signed by `cosign sign --key`, and rejects it under another key", async () => {
        const generated = await run(["generate-key-pair"]);
        assert.strictEqual(generated.code, 0, generated.stderr);
        const digest = await pushImage(registry, "keyed/cosigned", "1.0");
        const signed = await run(["sign", "--key", "cosign.key", "--tlog-upload=false", `${registry.host}/keyed/cosigned@${digest}`]);
        assert.strictEqual(signed.code, 0, signed.stderr);
        const publicKey = fs.readFileSync(path.join(work, "cosign.pub"), "utf8");
        const accepted = await bulwarkVerdict(`${registry.host}/keyed/cosigned:1.0`, publicKey);
        assert.ok(accepted.ok, accepted.message);
        const rejected = await bulwarkVerdict(`${registry.host}/keyed/cosigned:1.0`, newKeyPair().publicKeyPem);
        assert.match(rejected.message, /signature does not verify over the payload/);
    });

    it("Bulwark accepts `cosign sign` with a certificate from the trusted test CA (keyless identity)", async () => {
        const certificate = signingCertificate(work, fulcio, "ci-cosign", ciIdentity, githubIssuer);
        const imported = await run(["import-key-pair", "--key", certificate.keyFile, "--output-key-prefix", "ci-import"]);
        assert.strictEqual(imported.code, 0, imported.stderr);
        const digest = await pushImage(registry, "offline/cosigned", "1.0");
        const signed = await run(["sign", "--key", "ci-import.key", "--certificate", certificate.certificateFile, "--certificate-chain", fulcio.certificateFile, "--tlog-upload=false", `${registry.host}/offline/cosigned@${digest}`]);
        assert.strictEqual(signed.code, 0, signed.stderr);
        const verdict = await bulwarkVerdict(`${registry.host}/offline/cosigned:1.0`, newKeyPair().publicKeyPem);
        assert.ok(verdict.ok, verdict.message);
    });

    it("`cosign verify --key` accepts an image Bulwark's helper signed, and refuses an unsigned one", async () => {
        const key = newKeyPair();
        fs.writeFileSync(path.join(work, "helper.pub"), key.publicKeyPem);
        const digest = await pushImage(registry, "keyed/helper", "1.0");
        await signImage(registry, "keyed/helper", digest, { privateKey: key.privateKey });
        const verified = await run(["verify", "--key", "helper.pub", "--insecure-ignore-tlog=true", `${registry.host}/keyed/helper@${digest}`]);
        assert.strictEqual(verified.code, 0, verified.stderr);
        const unsigned = await pushImage(registry, "keyed/helper-unsigned", "1.0");
        const refused = await run(["verify", "--key", "helper.pub", "--insecure-ignore-tlog=true", `${registry.host}/keyed/helper-unsigned@${unsigned}`]);
        assert.notStrictEqual(refused.code, 0);
    });

    it("`cosign verify` accepts a keyless signature Bulwark's helper made, with its signed entry timestamp checked offline", async () => {
        const certificate = signingCertificate(work, fulcio, "ci-helper", ciIdentity, githubIssuer);
        const digest = await pushImage(registry, "keyless/helper", "1.0");
        await signImage(registry, "keyless/helper", digest, { privateKey: certificate.privateKey, certificatePem: certificate.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
        const args = ["verify", "--offline", "--certificate-chain", fulcio.certificateFile, "--certificate-identity", ciIdentity, "--certificate-oidc-issuer", githubIssuer, "--insecure-ignore-sct", `${registry.host}/keyless/helper@${digest}`];
        const verified = await run(args, { SIGSTORE_REKOR_PUBLIC_KEY: path.join(work, "log.pub") });
        assert.strictEqual(verified.code, 0, verified.stderr);
        const wrongIdentity = await run(args.map((arg) => (arg === ciIdentity ? "https://github.com/evil/app/.github/workflows/release.yml@refs/heads/main" : arg)), { SIGSTORE_REKOR_PUBLIC_KEY: path.join(work, "log.pub") });
        assert.notStrictEqual(wrongIdentity.code, 0);
    });
});
