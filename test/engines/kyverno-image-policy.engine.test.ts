// Engine test: the real Kyverno CLI (v1.19.1, built from its pinned module) evaluates the
// ImageValidatingPolicy Bulwark renders from a test trust policy against a real registry (Debian's
// docker-registry on loopback, TLS from a test CA) holding real OCI images signed by real cosign.
//
// How `kyverno apply` evaluates an ImageValidatingPolicy in v1.19.1
// (github.com/kyverno/kyverno@v1.19.1):
// - cmd/cli/kubectl-kyverno/commands/apply/command.go, applyImageValidatingPolicies: each resource goes
//   through ivpolengine.HandleValidating (pkg/cel/policies/ivpol/engine/engine.go), the admission
//   webhook's own validating path; the result becomes a pass/fail/error row in the policy report and
//   in the exit code (`kyverno apply` exits 1 on any fail or error).
// - The image data is fetched by github.com/kyverno/sdk/extensions/imagedataloader with
//   go-containerregistry's default transport, so the registry's TLS is trusted through the system pool,
//   which Go reads from SSL_CERT_FILE; no `--registry` flag is needed for ImageValidatingPolicy (it
//   feeds only the ClusterPolicy/CEL image-data context providers), and no credentials (the test
//   registry is anonymous, and without a cluster there is no Secret lister).
// - The CLI runs the validating path only, never HandleMutating, so `mutateDigest` does not pin tags:
//   with `verifyDigest: true` (as rendered) a Pod naming a tag fails with "image … does not have a
//   digest" (pkg/image/verification/evaluator/policy.go, checkDigests). In a cluster the mutating
//   webhook pins the tag first; the signature cases here name digests, as the Pod would after that.
// - A registry the CLI cannot reach or trust is an `error` row (and exit 1), never a pass; the
//   control case below runs the trusted-key image without the test CA to show the verdicts come
//   from the registry.
// - Keyless attestors need Sigstore's TUF mirror even with private `roots` (see the keyless case), so
//   only the key authority is verified here; the private-root keyless policy is shown to fail closed.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { SupplyChainSettings } from "../../components/settings";
import { imagePolicies } from "../../components/policy/render";
import { Certificate, KeyPair, newCa, newKeyPair, signingCertificate } from "../support/pki";
import { pushImage } from "../support/oci";
import { ensureEngines, ProcessResult, runProcess, skipOrFail } from "./harness/engines";
import { RunningRegistry, startRegistry } from "./harness/registry";
import { printTable } from "./support/verdicts";
import { ciIdentity, githubIssuer, testTrustPolicy } from "./support/trustPolicy";

interface ReportRow {
    readonly policy?: string;
    readonly result?: string;
    readonly message?: string;
}

/** The rows of `kyverno apply --policy-report --output-format json` for one policy. */
function reportRows(result: ProcessResult, policy: string): ReportRow[] {
    const rows: ReportRow[] = [];
    for (const line of result.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const report = JSON.parse(line) as { results?: ReportRow[] };
        rows.push(...(report.results ?? []).filter((row) => row.policy === policy));
    }
    return rows;
}

interface Case {
    readonly label: string;
    readonly entry: string;
    readonly image: string;
    readonly expected: "pass" | "fail" | "error";
    readonly code: number;
    readonly rows: ReportRow[];
    readonly seconds: number;
}

describe("Kyverno CLI verifies the rendered ImageValidatingPolicy against a real registry (engine tier)", function () {
    this.timeout(900_000);
    let kyverno: string;
    let cosign: string;
    let registry: RunningRegistry;
    let work: string;
    let settings: SupplyChainSettings;
    let fulcio: Certificate;
    /** Trust-policy entry → the name of its rendered ImageValidatingPolicy (written to `<entry>.policy.yaml`). */
    const policies: Record<string, string> = {};
    let cosignEnv: NodeJS.ProcessEnv;
    const cases: Case[] = [];

    before(async function () {
        try {
            ({ kyverno, cosign } = await ensureEngines(["kyverno", "cosign"] as const));
            registry = await startRegistry();
        } catch (error) {
            skipOrFail(this, error);
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-kyverno-ivpol-"));
        // cosign trusts the registry's test CA, keeps its state in the work dir, and never asks a TTY.
        cosignEnv = { ...process.env, SSL_CERT_FILE: registry.caFile, HOME: work, COSIGN_PASSWORD: "", COSIGN_YES: "true", TUF_ROOT: path.join(work, "tuf") };
        for (const prefix of ["trusted", "other"]) {
            const generated = await runProcess(cosign, ["generate-key-pair", "--output-key-prefix", prefix], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
            assert.strictEqual(generated.code, 0, generated.stderr);
        }
        // The trust policy names the key `cosign generate-key-pair` wrote; the `keyed` entry does not
        // require transparency-log evidence (the signatures are made offline).
        const trustedPublicKey = fs.readFileSync(path.join(work, "trusted.pub"), "utf8");
        settings = testTrustPolicy(registry.host, { publicKeyPem: trustedPublicKey } as KeyPair, (fulcio = newCa(work, "test-fulcio")), newKeyPair().publicKeyPem);
        // Bulwark's own renderer, as a Kyverno stack in enforce mode. The `keyed` entry (the key above)
        // and the `keyless-offline` entry (a certificate from the private test CA, no log) are applied,
        // each policy from its own file; `keyless` requires log evidence cosign cannot make offline.
        const rendered = imagePolicies("kyverno", "enforce", settings);
        for (const entry of ["keyed", "keyless-offline"]) {
            const policy = rendered.find((candidate) => (candidate.metadata as { annotations: Record<string, string> }).annotations["bulwark.dev/trust-policy-entry"] === entry);
            assert.ok(policy, `the renderer produced no policy for the '${entry}' entry`);
            assert.strictEqual(policy.kind, "ImageValidatingPolicy");
            policies[entry] = (policy.metadata as { name: string }).name;
            fs.writeFileSync(path.join(work, `${entry}.policy.yaml`), yaml.dump(policy, { lineWidth: -1, noRefs: true }));
        }
        fs.writeFileSync(
            path.join(work, "values.yaml"),
            yaml.dump({ apiVersion: "cli.kyverno.io/v1alpha1", kind: "Value", metadata: { name: "values" }, namespaceSelector: [{ name: "team-a", labels: { "kubernetes.io/metadata.name": "team-a" } }] }),
        );
    });

    after(async () => {
        if (cases.length > 0) {
            printTable(
                "kyverno apply (v1.19.1) with Bulwark's ImageValidatingPolicy, real registry and cosign signatures",
                ["case", "entry", "expected", "kyverno", "exit", "seconds", "message"],
                cases.map((entry) => [entry.label, entry.entry, entry.expected, entry.rows.map((row) => row.result ?? "?").join(",") || "no row", String(entry.code), entry.seconds.toFixed(1), (entry.rows.find((row) => row.message)?.message ?? "").slice(0, 110)]),
            );
        }
        await registry?.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    async function sign(key: string, image: string): Promise<void> {
        const signed = await runProcess(cosign, ["sign", "--key", `${key}.key`, "--tlog-upload=false", image], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(signed.code, 0, signed.stderr);
    }

    /** `kyverno apply` of the rendered policy to a Pod running `image` in a tenant namespace. */
    async function apply(label: string, image: string, expected: Case["expected"], trustRegistryCa = true, entryName = "keyed"): Promise<Case & { stderr: string }> {
        const policyName = policies[entryName];
        const file = `pod-${cases.length}.yaml`;
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `app-${cases.length}`, namespace: "team-a" }, spec: { containers: [{ name: "app", image }] } };
        fs.writeFileSync(path.join(work, file), yaml.dump(pod, { lineWidth: -1 }));
        const started = Date.now();
        const result = await runProcess(kyverno, ["apply", `${entryName}.policy.yaml`, "--resource", file, "--values-file", "values.yaml", "--policy-report", "--output-format", "json", "--remove-color", ...(entryName === "keyed" ? [] : ["-v", "4"])], {
            cwd: work,
            // The registry's TLS CA, read by Go's system pool; HOME keeps any docker config lookups in the work dir.
            env: { ...process.env, SSL_CERT_FILE: trustRegistryCa ? registry.caFile : "/nonexistent/ca.pem", HOME: work },
            timeoutMs: 300_000,
        });
        const entry: Case = { label, entry: entryName, image, expected, code: result.code ?? -1, rows: reportRows(result, policyName), seconds: (Date.now() - started) / 1000 };
        cases.push(entry);
        if (entry.rows.length === 0) assert.fail(`${label}: no report row for ${policyName}; exit ${String(result.code)}\n${result.stdout}\n${result.stderr}`);
        return { ...entry, stderr: result.stderr };
    }

    it("passes a Pod whose image is signed with the trusted key", async () => {
        const digest = await pushImage(registry, "keyed/app", "1.0");
        const image = `${registry.host}/keyed/app@${digest}`;
        await sign("trusted", image);
        const entry = await apply("signed, trusted key", image, "pass");
        assert.deepStrictEqual(
            entry.rows.map((row) => row.result),
            ["pass"],
            JSON.stringify(entry.rows),
        );
        assert.strictEqual(entry.code, 0);
    });

    /** One failing row from the `keyed` entry, and a non-zero exit. */
    function assertRejectedByKeyedEntry(entry: Awaited<ReturnType<typeof apply>>): void {
        assert.deepStrictEqual(
            entry.rows.map((row) => row.result),
            ["fail"],
            JSON.stringify(entry.rows),
        );
        assert.match(entry.rows[0].message ?? "", /must be signed by an authority of trust-policy entry 'keyed'/);
        assert.notStrictEqual(entry.code, 0);
    }

    it("rejects a Pod whose image is unsigned", async () => {
        const digest = await pushImage(registry, "keyed/unsigned", "1.0");
        assertRejectedByKeyedEntry(await apply("unsigned", `${registry.host}/keyed/unsigned@${digest}`, "fail"));
    });

    it("rejects a Pod whose image is signed with another key", async () => {
        const digest = await pushImage(registry, "keyed/other", "1.0");
        const image = `${registry.host}/keyed/other@${digest}`;
        await sign("other", image);
        assertRejectedByKeyedEntry(await apply("signed, other key", image, "fail"));
    });

    it("does not pass the signed image when the CLI cannot trust the registry (the verdict comes from the registry)", async () => {
        const digest = await pushImage(registry, "keyed/untrusted-tls", "1.0");
        const image = `${registry.host}/keyed/untrusted-tls@${digest}`;
        await sign("trusted", image);
        const entry = await apply("signed, registry CA untrusted", image, "error", false);
        assert.deepStrictEqual(
            entry.rows.map((row) => row.result),
            ["error"],
            JSON.stringify(entry.rows),
        );
        assert.match(entry.rows[0].message ?? "", /x509: certificate signed by unknown authority|failed to verify certificate/);
        assert.notStrictEqual(entry.code, 0);
    });

    /** `cosign sign` with a certificate from `ca` for `identity` (imported key, no log upload). */
    async function signWithCertificate(ca: Certificate, name: string, identity: string, image: string): Promise<void> {
        const certificate = signingCertificate(work, ca, name, identity, githubIssuer);
        const imported = await runProcess(cosign, ["import-key-pair", "--key", certificate.keyFile, "--output-key-prefix", `${name}-import`], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(imported.code, 0, imported.stderr);
        const signed = await runProcess(cosign, ["sign", "--key", `${name}-import.key`, "--certificate", certificate.certificateFile, "--certificate-chain", ca.certificateFile, "--tlog-upload=false", image], { cwd: work, env: cosignEnv, timeoutMs: 120_000 });
        assert.strictEqual(signed.code, 0, signed.stderr);
    }

    // Not a verification: Kyverno v1.19.1 builds every keyless attestor's check options through
    // initTUFAndFetch (pkg/image/verifiers/ivpol/cosign/opts.go, checkOptions: only a key or certificate
    // attestor with insecureIgnoreTlog skips "Sigstore infrastructure"), which initializes a TUF client
    // from https://tuf-repo-cdn.sigstore.dev unless the attestor names another `tuf` mirror, even when
    // `keyless.roots` names a private CA. Offline (as here, and in an air-gapped cluster) the rendered
    // private-root keyless policy therefore fails closed before any signature is read; this case pins
    // that behaviour so a later Kyverno that skips TUF for private roots shows up here.
    it("fails closed on a correctly signed private-root keyless image offline, because Kyverno needs Sigstore's TUF mirror", async () => {
        const digest = await pushImage(registry, "offline/app", "1.0");
        const image = `${registry.host}/offline/app@${digest}`;
        await signWithCertificate(fulcio, "ci", ciIdentity, image);
        const entry = await apply("keyless, private CA (offline: no TUF)", image, "fail", true, "keyless-offline");
        assert.deepStrictEqual(
            entry.rows.map((row) => row.result),
            ["fail"],
            JSON.stringify(entry.rows),
        );
        assert.match(entry.stderr, /failed to initialize TUF client \(mirror=\\"https:\/\/tuf-repo-cdn\.sigstore\.dev\\"\)/);
        assert.notStrictEqual(entry.code, 0);
    });

    it("rejects a Pod naming a signed image by tag (the CLI does not run mutateDigest; verifyDigest refuses the tag)", async () => {
        const digest = await pushImage(registry, "keyed/tagged", "1.0");
        await sign("trusted", `${registry.host}/keyed/tagged@${digest}`);
        const entry = await apply("signed, by tag", `${registry.host}/keyed/tagged:1.0`, "fail");
        assert.deepStrictEqual(
            entry.rows.map((row) => row.result),
            ["fail"],
            JSON.stringify(entry.rows),
        );
        assert.match(entry.rows[0].message ?? "", /does not have a digest/);
    });
});
