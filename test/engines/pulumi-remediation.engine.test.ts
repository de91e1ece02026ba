// Engine test: the policy pack's remediations under the real Pulumi engine. `pulumi preview` of a
// program whose Deployment lacks every safe default reports the remediations, and `pulumi up`
// creates the defaulted Deployment (and the labelled tenant Namespace) on a real API server.
// The program (test/engines/programs/remediation) runs from a throw-away copy with the repository's
// node_modules linked in; PULUMI_HOME and the backend are temporary; nothing is downloaded.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiServer, startApiServer } from "./harness/apiserver";
import { PulumiWorkspace } from "../../cli/local/pulumiWorkspace";
import { ensureEngines, ProcessResult, REPO_ROOT, skipOrFail } from "./harness/engines";
import { openProgram } from "./support/pulumiProgram";

const STACK = "dev";
const PULUMI_ENGINES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const;
const output = (result: ProcessResult) => `${result.stdout}\n${result.stderr}`;

describe("Pulumi CLI remediates with the mutation catalog (real Pulumi engine)", function () {
    this.timeout(1_800_000);
    let api: ApiServer | undefined;
    let tmp = "";
    let workspace: PulumiWorkspace;

    const pulumi = (args: readonly string[]) => workspace.run(args);
    const packArgs = ["--policy-pack", path.join(REPO_ROOT, "policy-pack"), "--policy-pack-config", path.join(REPO_ROOT, "policy-pack", "config", "dev.json")];

    before(async function () {
        let bins: Record<(typeof PULUMI_ENGINES)[number], string>;
        try {
            bins = await ensureEngines(PULUMI_ENGINES);
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-remediation-"));
        workspace = await openProgram("remediation", { stateDir: tmp, binaries: bins!, kubeconfig: api!.kubeconfigPath, stack: STACK });
    });

    after(async () => {
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
        await api?.stop();
    });

    it("preview names the remediations it applies", async function () {
        const result = await pulumi(["preview", "--non-interactive", "--stack", STACK, ...packArgs]);
        const text = output(result);
        assert.strictEqual(result.code, 0, text);
        for (const id of ["pod-seccomp-default", "container-privilege-escalation-default", "container-capabilities-drop-default", "container-resources-default", "tenant-namespace-labels-default"]) {
            assert.match(text, new RegExp(id), `preview does not mention ${id}:\n${text}`);
        }
    });

    it("up creates the defaulted Deployment and the labelled tenant Namespace", async function () {
        const up = await pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", STACK, ...packArgs]);
        assert.strictEqual(up.code, 0, output(up));
        const deployment = await api!.get("apps/v1", "Deployment", "web", "checkout");
        assert.strictEqual(deployment.status, 200, JSON.stringify(deployment.body));
        const pod = deployment.body.spec.template.spec;
        assert.deepStrictEqual(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        assert.strictEqual(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
        assert.deepStrictEqual(pod.containers[0].securityContext.capabilities, { drop: ["ALL"] });
        assert.deepStrictEqual(pod.containers[0].resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } });
        const namespace = await api!.get("v1", "Namespace", "checkout");
        assert.strictEqual(namespace.body.metadata.labels["pod-security.kubernetes.io/warn"], "restricted");
        assert.strictEqual(namespace.body.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline"); // dev's ramp
    });
});
