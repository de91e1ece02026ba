// Engine test: Istio's own tool checks what the prod mesh renders. istioctl (built from its Go module)
// validates and analyzes, offline, every Istio object prod renders. `istioctl kube-inject` with the
// chart-rendered injector config, and the API server's CNI / no-CNI verdicts on the injected pod, are
// in mesh-injection.engine.test.ts.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { kubernetesObjects } from "../../cli/render";
import { renderStackFile } from "../support/render";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";

describe("engine tier: istioctl validates and analyzes prod's Istio objects offline", function () {
    let istioctl = "";
    let tmp = "";

    before(async function () {
        try {
            ({ istioctl } = await ensureEngines(["istioctl"]));
        } catch (error) {
            skipOrFail(this, error);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-istioctl-"));
    });

    after(() => {
        if (tmp !== "") fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("istioctl validate and analyze (offline) accept every Istio object prod renders", async () => {
        const istioObjects = kubernetesObjects(await renderStackFile("prod")).filter((object) => /\.istio\.io\//.test(String(object.apiVersion)));
        assert.ok(istioObjects.length > 0);
        const file = path.join(tmp, "istio-objects.yaml");
        fs.writeFileSync(file, istioObjects.map((object) => yaml.dump(object)).join("---\n"));
        const validate = await runProcess(istioctl, ["validate", "-f", file]);
        assert.strictEqual(validate.code, 0, `${validate.stdout}\n${validate.stderr}`);
        const analyze = await runProcess(istioctl, ["analyze", "--use-kube=false", "--failure-threshold", "Error", file]);
        assert.strictEqual(analyze.code, 0, `${analyze.stdout}\n${analyze.stderr}`);
        assert.doesNotMatch(analyze.stdout + analyze.stderr, /Error \[/);
    });
});
