// Engine test: the CrossGuard policy pack (policy-pack/, built from components/guardrails) really
// runs under the Pulumi CLI.  `pulumi preview --policy-pack policy-pack --policy-pack-config
// policy-pack/config/<stack>.json` of this program, on a local file backend, with the CLI, the
// Node.js language host and the Kubernetes provider built by tools/engines/build.sh, against a real
// kube-apiserver. `pulumi up` and `destroy` of every stack, with CRDs on a control plane that runs
// kube-controller-manager, are in lifecycle.engine.test.ts.
//
// The workspace is the one `bulwark up --local` uses (cli/local/pulumiWorkspace.ts): symlinks to the
// repository with a private copy of the stack file in config-only mode (`install: false`: even a
// preview of a Helm release fetches its chart, and no chart repository can be reached here), PULUMI_HOME and the backend in a temporary directory,
// nothing downloaded (plugins come from $PATH, acquisition is off).

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openWorkspace, PulumiWorkspace, selectStack, writeStackCopy } from "../../cli/local/pulumiWorkspace";
import { ApiServer, startApiServer } from "./harness/apiserver";
import { ensureEngines, ProcessResult, REPO_ROOT, skipOrFail } from "./harness/engines";

const STACK = "dev";
const PULUMI_ENGINES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const;

const stackText = () => fs.readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${STACK}.yaml`), "utf8");

function output(result: ProcessResult): string {
    return `${result.stdout}\n${result.stderr}`;
}

describe("Pulumi CLI runs the Bulwark policy pack (real Pulumi engine)", function () {
    this.timeout(1_800_000);

    let api: ApiServer | undefined;
    let tmp = "";
    let workspace: PulumiWorkspace | undefined;
    const summary: string[] = [];

    const pulumi = (args: readonly string[]) => workspace!.run(args, { timeoutMs: 900_000 });

    async function preview(packConfig: string): Promise<ProcessResult> {
        return pulumi(["preview", "--non-interactive", "--stack", STACK, "--policy-pack", "policy-pack", "--policy-pack-config", packConfig]);
    }

    before(async function () {
        let bins: Record<(typeof PULUMI_ENGINES)[number], string>;
        try {
            bins = await ensureEngines(PULUMI_ENGINES);
            api = await startApiServer();
        } catch (err) {
            skipOrFail(this, err);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-pulumi-"));
        workspace = await openWorkspace({ stateDir: tmp, binaries: bins!, kubeconfig: api!.kubeconfigPath, passphrase: "test" });
        writeStackCopy(workspace.dir, STACK, stackText());
        await selectStack(workspace, STACK);
    });

    after(async function () {
        if (workspace !== undefined) {
            const rm = await pulumi(["stack", "rm", STACK, "--yes", "--force", "--non-interactive"]);
            if (rm.code !== 0) console.warn(`pulumi stack rm failed: ${output(rm)}`);
        }
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        await api?.stop();
        if (summary.length > 0) console.log(`pulumi: ${summary.join("; ")}`);
    });

    it("preview of dev runs the pack: advisory violations are reported and do not fail", async function () {
        const result = await preview("policy-pack/config/dev.json");
        const text = output(result);
        assert.strictEqual(result.code, 0, text);
        // The pack was loaded by the engine (not a model of it) ...
        assert.match(text, /bulwark@v0\.1\.0 \(local: policy-pack\)/, text);
        // ... and its stack policies ran over the dev stack, which has no runtime-security agent,
        // reported at dev's advisory level. Its resource policies find nothing, as `check --stack dev`
        // finds nothing in dev's render (the next case shows them firing).
        assert.match(text, /- \[advisory\]\s+stack-runtime-security\s+\(pulumi:pulumi:Stack: bulwark-dev\)/, text);
        assert.doesNotMatch(text, /- \[(advisory|mandatory)\]\s+(namespace-pod-security-level|pss-|image-|resources-|mesh-|service-)/, text);
        assert.doesNotMatch(text, /\[mandatory\]/, text);
        const advisories = [...text.matchAll(/- \[advisory\]\s+([\w-]+)/g)].map((m) => m[1]);
        summary.push(`preview dev: exit 0, ${advisories.length} advisory violations (${[...new Set(advisories)].join(", ")})`);
    });

    it("the same preview with mandatory levels (prod's pack config) fails on the violations", async function () {
        const result = await preview("policy-pack/config/prod.json");
        const text = output(result);
        assert.notStrictEqual(result.code, 0, text);
        assert.match(text, /- \[mandatory\]\s+stack-runtime-security\s+\(pulumi:pulumi:Stack: bulwark-dev\)/, text);
        // prod's facts make dev's audit-ramp tenants (enforcing baseline) undeclared: the resource
        // policy fires on them, under the real engine.
        assert.match(text, /- \[mandatory\]\s+namespace-pod-security-level\s+\(kubernetes:core\/v1:Namespace: checkout\)/, text);
        const mandatory = [...text.matchAll(/- \[mandatory\]\s+([\w-]+)/g)].map((m) => m[1]);
        summary.push(`preview dev with prod.json: exit ${result.code}, ${mandatory.length} mandatory violations`);
    });
});
