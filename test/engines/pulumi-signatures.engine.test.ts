// Engine test: the policy pack forbids unsigned images under the real Pulumi engine (capability 4).
// `pulumi preview --policy-pack policy-pack` of test/engines/programs/signatures, a Deployment whose
// image is set per case, with a real registry (Debian's docker-registry on loopback, TLS from a test
// CA) holding real OCI images: an unsigned image fails the preview on `image-signature-verified` at
// mandatory level; the same repository's image signed with the trusted key, pinned by digest, passes.
//
// The pack gets its trust policy the way a stack's does, through the pack config: dev's
// policy-pack/config/dev.json with `image-signature-verified` mandatory and a `supplyChain` naming the
// test's key and registry. The registry's test CA is trusted through Node's own NODE_EXTRA_CA_CERTS in
// the environment the CLI passes to the policy pack; no product code knows about the test. Verdicts
// are cached in a temporary BULWARK_SIGNATURE_CACHE. PULUMI_HOME and the backend are temporary, the
// program runs from a throw-away copy with the repository's node_modules linked in; nothing is downloaded.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyViolations } from "../../cli/local/pulumiWorkspace";
import { parsePlatformSettings } from "../../components/settings";
import { KeyPair, newKeyPair } from "../support/pki";
import { pushImage, signImage } from "../support/oci";
import { ApiServer, startApiServer } from "./harness/apiserver";
import { PulumiWorkspace } from "../../cli/local/pulumiWorkspace";
import { ensureEngines, ProcessResult, REPO_ROOT, skipOrFail } from "./harness/engines";
import { openProgram } from "./support/pulumiProgram";
import { RunningRegistry, startRegistry } from "./harness/registry";

const STACK = "dev";
const PULUMI_ENGINES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment: web";
const output = (result: ProcessResult) => `${result.stdout}\n${result.stderr}`;

describe("Pulumi CLI forbids unsigned images with the policy pack (real Pulumi engine, real registry)", function () {
    this.timeout(1_800_000);
    let api: ApiServer | undefined;
    let registry: RunningRegistry | undefined;
    let tmp = "";
    let workspace: PulumiWorkspace;
    let packConfig = "";
    let trustedKey: KeyPair;
    const summary: string[] = [];

    const pulumi = (args: readonly string[]) => workspace.run(args);

    async function previewWith(image: string): Promise<ProcessResult> {
        const set = await pulumi(["config", "set", "image", image, "--stack", STACK]);
        assert.strictEqual(set.code, 0, output(set));
        return pulumi(["preview", "--non-interactive", "--stack", STACK, "--policy-pack", path.join(REPO_ROOT, "policy-pack"), "--policy-pack-config", packConfig]);
    }

    before(async function () {
        let bins: Record<(typeof PULUMI_ENGINES)[number], string>;
        try {
            bins = await ensureEngines(PULUMI_ENGINES);
            registry = await startRegistry();
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-pulumi-signatures-"));

        // The trust policy: images of the test registry's keyed/ repositories must be signed by the test key.
        trustedKey = newKeyPair();
        const supplyChain = parsePlatformSettings(
            {
                supplyChain: {
                    policies: [
                        {
                            name: "keyed",
                            images: [`${registry!.host}/keyed/**`],
                            authorities: [{ key: { publicKey: trustedKey.publicKeyPem } }],
                            transparencyLog: { required: false, reason: "the test registry's signatures are made offline, without a log" },
                        },
                    ],
                },
            },
            "test",
            STACK,
        ).supplyChain;
        const config = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "policy-pack", "config", `${STACK}.json`), "utf8"));
        config["image-signature-verified"] = { enforcementLevel: "mandatory", supplyChain };
        packConfig = path.join(tmp, "pack-config.json");
        fs.writeFileSync(packConfig, JSON.stringify(config, null, 2));

        // The pack's verifier trusts the test registry's CA through Node's standard variable; the
        // signature cache goes to the temporary folder.
        workspace = await openProgram("signatures", {
            stateDir: tmp,
            binaries: bins!,
            kubeconfig: api!.kubeconfigPath,
            stack: STACK,
            extraEnv: { NODE_EXTRA_CA_CERTS: registry!.caFile, BULWARK_SIGNATURE_CACHE: path.join(tmp, "signatures") },
        });
    });

    after(async () => {
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        await api?.stop();
        await registry?.stop();
        if (summary.length > 0) console.log(`pulumi signatures: ${summary.join("; ")}`);
    });

    it("an unsigned image fails the preview on image-signature-verified, mandatory, for the Deployment", async () => {
        const digest = await pushImage(registry!, "keyed/unsigned", "1.0");
        const image = `${registry!.host}/keyed/unsigned@${digest}`;
        const started = Date.now();
        const result = await previewWith(image);
        const text = output(result);
        assert.notStrictEqual(result.code, 0, text);
        assert.match(text, /bulwark@v0\.1\.0 \(local: .*policy-pack\)/, text);
        const violations = policyViolations(text).filter((v) => v.guardrail === "image-signature-verified");
        assert.deepStrictEqual(violations, [{ level: "mandatory", guardrail: "image-signature-verified", resource: DEPLOYMENT }], text);
        assert.ok(text.includes(`image '${image}': unsigned: no cosign signature for ${digest}`), text);
        // The signature guardrail is the only mandatory one: dev's other levels are advisory or remediate.
        assert.deepStrictEqual(policyViolations(text).filter((v) => v.level === "mandatory").map((v) => v.guardrail), ["image-signature-verified"], text);
        summary.push(`unsigned: exit ${result.code}, [mandatory] image-signature-verified on the Deployment (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });

    it("the image signed with the trusted key, pinned by digest, passes with no image-signature-verified violation", async () => {
        const digest = await pushImage(registry!, "keyed/app", "1.0");
        await signImage(registry!, "keyed/app", digest, { privateKey: trustedKey.privateKey });
        const started = Date.now();
        const result = await previewWith(`${registry!.host}/keyed/app@${digest}`);
        const text = output(result);
        assert.strictEqual(result.code, 0, text);
        assert.match(text, /bulwark@v0\.1\.0 \(local: .*policy-pack\)/, text);
        assert.deepStrictEqual(policyViolations(text).filter((v) => v.guardrail === "image-signature-verified"), [], text);
        assert.doesNotMatch(text, /\[mandatory\]/, text);
        const advisories = policyViolations(text).filter((v) => v.level === "advisory");
        summary.push(`signed: exit 0, no image-signature-verified violation, ${advisories.length} advisory (${[...new Set(advisories.map((v) => v.guardrail))].join(", ")}) (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    });
});
