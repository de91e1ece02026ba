// Engine test: sigstore policy-controller's own tester (`policy-tester`, cmd/tester of
// github.com/sigstore/policy-controller at the app version of the pinned chart, built from its Go
// module) evaluates the ClusterImagePolicies and TrustRoots Bulwark renders from a test trust policy
// against a real registry (Debian's docker-registry on loopback, TLS from a test CA) holding real OCI
// images. This is the verification the policy-controller webhook runs on gatekeeper and vap stacks,
// without a cluster: the tester builds the webhook's policy from the ClusterImagePolicy (and the
// TrustRoot given with --trustroot) and calls the same validation (pkg/webhook ValidatePolicy). It
// exits 0 when the image passes the policy, non-zero with the reason when it does not. Go's system pool
// reads the registry's CA from SSL_CERT_FILE; nothing is fetched from the public Sigstore instance.
//
// Signatures: real cosign signs the key cases (a key imported from a test key pair); cases that need
// transparency-log evidence are signed by the test helper (test/support/oci.ts), whose signed entry
// timestamps come from a test log key, because cosign cannot make them offline (the cosign interop
// suite shows real `cosign verify` accepts what the helper signs).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { SupplyChainSettings } from "../../components/settings";
import { offlineOnlyLogUrl, renderClusterImagePolicies, renderSigstoreTrustRoots, transparencyLogsTrustRootName } from "../../components/supply-chain/admission";
import { Certificate, KeyPair, newCa, newKeyPair, signingCertificate } from "../support/pki";
import { pushImage, signImage } from "../support/oci";
import { ensureEngines, ProcessResult, runProcess, skipOrFail } from "./harness/engines";
import { RunningRegistry, startRegistry } from "./harness/registry";
import { printTable, verdictOf } from "./support/verdicts";
import { ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { crdFromSharedSchema, establish } from "./support/crds";
import { ciIdentity, githubIssuer, testTrustPolicy } from "./support/trustPolicy";

describe("policy-controller's policy-tester verifies the rendered ClusterImagePolicies and TrustRoots against a real registry (engine tier)", function () {
    this.timeout(900_000);
    let tester: string;
    let cosign: string;
    let registry: RunningRegistry;
    let work: string;
    let settings: SupplyChainSettings;
    let cosignEnv: NodeJS.ProcessEnv;
    let trustedKey: KeyPair;
    let logKey: KeyPair;
    let fulcio: Certificate;
    let rightCert: Certificate;
    const rows: string[][] = [];

    function writeYaml(file: string, object: unknown): void {
        fs.writeFileSync(path.join(work, file), yaml.dump(object, { lineWidth: -1, noRefs: true }));
    }

    before(async function () {
        try {
            ({ "policy-tester": tester, cosign } = await ensureEngines(["policy-tester", "cosign"] as const));
            registry = await startRegistry();
        } catch (error) {
            skipOrFail(this, error);
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-policy-tester-"));
        cosignEnv = { ...process.env, SSL_CERT_FILE: registry.caFile, HOME: work, COSIGN_PASSWORD: "", COSIGN_YES: "true", TUF_ROOT: path.join(work, "tuf") };
        trustedKey = newKeyPair();
        logKey = newKeyPair();
        fulcio = newCa(work, "test-fulcio");
        rightCert = signingCertificate(work, fulcio, "ci", ciIdentity, githubIssuer);
        // cosign signs with the trusted key (imported), and with a key no entry trusts.
        fs.writeFileSync(path.join(work, "trusted.pem"), trustedKey.privateKeyPem);
        const imported = await runProcess(cosign, ["import-key-pair", "--key", "trusted.pem", "--output-key-prefix", "trusted"], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(imported.code, 0, imported.stderr);
        const generated = await runProcess(cosign, ["generate-key-pair", "--output-key-prefix", "other"], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(generated.code, 0, generated.stderr);

        // Bulwark's own renderers, as a gatekeeper/vap stack in enforce mode: a ClusterImagePolicy per
        // entry, and the TrustRoots for the private test CA and its log.
        settings = testTrustPolicy(registry.host, trustedKey, fulcio, logKey.publicKeyPem);
        for (const policy of renderClusterImagePolicies(settings, "enforce")) {
            writeYaml(`${(policy.metadata as { annotations: Record<string, string> }).annotations["bulwark.dev/trust-policy-entry"]}.policy.yaml`, policy);
        }
        for (const root of renderSigstoreTrustRoots(settings)) writeYaml(`${(root.metadata as { name: string }).name}.trustroot.yaml`, root);
    });

    after(async () => {
        if (rows.length > 0) printTable("policy-tester (policy-controller v0.13.1) with Bulwark's ClusterImagePolicies and TrustRoots, real registry", ["case", "entry", "expected", "exit", "output"], rows);
        await registry?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    async function cosignSign(key: string, image: string): Promise<void> {
        const signed = await runProcess(cosign, ["sign", "--key", `${key}.key`, "--tlog-upload=false", image], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(signed.code, 0, signed.stderr);
    }

    /** `policy-tester` of one entry's rendered policy (and TrustRoot) on one image; returns its output. */
    async function test(label: string, entry: string, image: string, expected: "pass" | "reject", options: { trustRoot?: string; trustRegistryCa?: boolean } = {}): Promise<string> {
        const args = ["--policy", `${entry}.policy.yaml`, "--image", image, ...(options.trustRoot === undefined ? [] : ["--trustroot", `${options.trustRoot}.trustroot.yaml`])];
        const result: ProcessResult = await runProcess(tester, args, {
            cwd: work,
            env: { ...process.env, SSL_CERT_FILE: options.trustRegistryCa === false ? "/nonexistent/ca.pem" : registry.caFile, HOME: work },
            timeoutMs: 300_000,
        });
        const output = `${result.stdout}\n${result.stderr}`;
        const errors = (/\{"errors":\[[^\n]*/.exec(output)?.[0] ?? output.replace(/\s+/g, " ").trim()).replace(/ for [^ ]+@sha256:[0-9a-f]{64}/g, "");
        rows.push([label, entry, expected, String(result.code), errors.slice(0, 220)]);
        if (expected === "pass") assert.strictEqual(result.code, 0, output);
        else assert.notStrictEqual(result.code, 0, output);
        return output;
    }

    it("the real API server accepts every rendered ClusterImagePolicy and TrustRoot (server-side dry-run; CRDs from ../shared/schemas/crds)", async function () {
        let api: ApiServer | undefined;
        try {
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        try {
            const objects = [...renderSigstoreTrustRoots(settings), ...renderClusterImagePolicies(settings, "enforce")];
            assert.deepStrictEqual([...new Set(objects.map((object) => object.kind))].sort(), ["ClusterImagePolicy", "TrustRoot"]);
            for (const kind of ["ClusterImagePolicy", "TrustRoot"]) {
                const object = objects.find((candidate) => candidate.kind === kind)!;
                const crd = crdFromSharedSchema(String(object.apiVersion), kind);
                assert.ok(crd, `no schema for ${kind} in ../shared/schemas/crds`);
                await establish(api!, crd);
            }
            const rejected: string[] = [];
            for (const object of objects) {
                const verdict = verdictOf(await api!.apply(object as KubeObject, { dryRun: true }));
                if (!verdict.admitted) rejected.push(`${String(object.kind)} ${(object.metadata as { name: string }).name}: ${verdict.status} ${verdict.message}`);
            }
            assert.deepStrictEqual(rejected, []);
        } finally {
            await api?.stop();
        }
    });

    describe("key authority, log evidence not required (entry 'keyed', no ctlog)", () => {
        it("passes an image cosign signed with the trusted key", async () => {
            const digest = await pushImage(registry, "keyed/app", "1.0");
            const image = `${registry.host}/keyed/app@${digest}`;
            await cosignSign("trusted", image);
            await test("signed, trusted key", "keyed", image, "pass");
        });

        it("rejects an unsigned image", async () => {
            const digest = await pushImage(registry, "keyed/unsigned", "1.0");
            assert.match(await test("unsigned", "keyed", `${registry.host}/keyed/unsigned@${digest}`, "reject"), /no signatures found|no matching signatures/i);
        });

        it("rejects an image signed with another key", async () => {
            const digest = await pushImage(registry, "keyed/other", "1.0");
            const image = `${registry.host}/keyed/other@${digest}`;
            await cosignSign("other", image);
            assert.match(await test("signed, other key", "keyed", image, "reject"), /no matching signatures|invalid signature|failed to verify/i);
        });

        it("does not pass the signed image when it cannot trust the registry (the verdict comes from the registry)", async () => {
            const digest = await pushImage(registry, "keyed/untrusted-tls", "1.0");
            const image = `${registry.host}/keyed/untrusted-tls@${digest}`;
            await cosignSign("trusted", image);
            // go-containerregistry retries a loopback registry over plain HTTP when TLS fails, which the
            // TLS-only registry refuses: either way the image is rejected, never passed.
            assert.match(await test("signed, registry CA untrusted", "keyed", image, "reject", { trustRegistryCa: false }), /x509|certificate|HTTP request to an HTTPS server/i);
        });
    });

    describe(`key authority, log evidence required (entry 'logged', ctlog from TrustRoot ${transparencyLogsTrustRootName})`, () => {
        it("passes an image signed with the trusted key and a signed entry timestamp from the trusted log", async () => {
            const digest = await pushImage(registry, "logged/app", "1.0");
            await signImage(registry, "logged/app", digest, { privateKey: trustedKey.privateKey, log: logKey });
            await test("trusted key + log evidence", "logged", `${registry.host}/logged/app@${digest}`, "pass", { trustRoot: transparencyLogsTrustRootName });
        });

        // Without the rendered ctlog, policy-controller skips the log check for a key authority and
        // passed exactly this image: the defect this case guards against.
        it("rejects the trusted key's signature without log evidence", async () => {
            const digest = await pushImage(registry, "logged/nolog", "1.0");
            const image = `${registry.host}/logged/nolog@${digest}`;
            await cosignSign("trusted", image);
            // No bundle, so policy-controller looks the entry up at the log URL, which for a root without
            // `transparencyLogUrl` is the never-resolving offline-only URL: rejected, nothing sent.
            assert.match(await test("trusted key, no log evidence", "logged", image, "reject", { trustRoot: transparencyLogsTrustRootName }), new RegExp(`searching log query: Post "${offlineOnlyLogUrl.replace(/\./g, "\\.")}`));
        });

        it("rejects log evidence signed by a log the stack does not trust", async () => {
            const digest = await pushImage(registry, "logged/otherlog", "1.0");
            await signImage(registry, "logged/otherlog", digest, { privateKey: trustedKey.privateKey, log: newKeyPair() });
            assert.match(await test("trusted key, untrusted log", "logged", `${registry.host}/logged/otherlog@${digest}`, "reject", { trustRoot: transparencyLogsTrustRootName }), /rekor log public key not found/);
        });
    });

    describe("keyless authority with the private test CA, log evidence required (entry 'keyless', TrustRoot bulwark-test-fulcio), offline", () => {
        it("passes a signature whose certificate has the right identity, with log evidence", async () => {
            const digest = await pushImage(registry, "keyless/app", "1.0");
            await signImage(registry, "keyless/app", digest, { privateKey: rightCert.privateKey, certificatePem: rightCert.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
            await test("keyless, right identity + log", "keyless", `${registry.host}/keyless/app@${digest}`, "pass", { trustRoot: "bulwark-test-fulcio" });
        });

        it("rejects a certificate with the wrong subject", async () => {
            const wrong = signingCertificate(work, fulcio, "wrong", "https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main", githubIssuer);
            const digest = await pushImage(registry, "keyless/subject", "1.0");
            await signImage(registry, "keyless/subject", digest, { privateKey: wrong.privateKey, certificatePem: wrong.certificatePem, chainPem: fulcio.certificatePem, log: logKey });
            assert.match(await test("keyless, wrong subject", "keyless", `${registry.host}/keyless/subject@${digest}`, "reject", { trustRoot: "bulwark-test-fulcio" }), /none of the expected identities matched/);
        });

        it("rejects a certificate from a CA the stack does not trust", async () => {
            const rogue = newCa(work, "rogue-fulcio");
            const cert = signingCertificate(work, rogue, "rogue", ciIdentity, githubIssuer);
            const digest = await pushImage(registry, "keyless/rogue", "1.0");
            await signImage(registry, "keyless/rogue", digest, { privateKey: cert.privateKey, certificatePem: cert.certificatePem, chainPem: rogue.certificatePem, log: logKey });
            assert.match(await test("keyless, untrusted CA", "keyless", `${registry.host}/keyless/rogue@${digest}`, "reject", { trustRoot: "bulwark-test-fulcio" }), /certificate signed by unknown authority/);
        });

        it("rejects the right identity without log evidence", async () => {
            const digest = await pushImage(registry, "keyless/nolog", "1.0");
            await signImage(registry, "keyless/nolog", digest, { privateKey: rightCert.privateKey, certificatePem: rightCert.certificatePem, chainPem: fulcio.certificatePem });
            assert.match(await test("keyless, no log evidence", "keyless", `${registry.host}/keyless/nolog@${digest}`, "reject", { trustRoot: "bulwark-test-fulcio" }), /searching log query/);
        });
    });
});
