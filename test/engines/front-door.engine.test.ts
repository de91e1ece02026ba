// Engine test: the README's first command. `bulwark up --local` (what `npm start` runs), `bulwark
// demo` and `bulwark down`, as a new user runs them, on the real control plane and the real Pulumi
// engine, with the state in a temporary folder instead of .bulwark/local.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { demo } from "../../cli/local/demo";
import { downLocal, upLocal } from "../../cli/local/frontDoor";
import { stopRecordedControlPlane } from "../../cli/local/controlPlane";
import { ensureEngines, skipOrFail } from "./harness/engines";

/** A stream that keeps what is written to it. */
function capture(): { stream: PassThrough; text: () => string } {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("the local front door: bulwark up --local, demo, down (real control plane, real Pulumi engine)", function () {
    this.timeout(1_800_000);
    let stateDir = "";
    const figures: string[] = [];

    before(async function () {
        try {
            await ensureEngines(["etcd", "kube-apiserver", "kube-controller-manager", "pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"]);
        } catch (error) {
            skipOrFail(this, error);
        }
        stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-front-door-"));
    });

    after(async function () {
        if (stateDir !== "") {
            // Whatever happened above, no engine outlives the test.
            await stopRecordedControlPlane(path.join(stateDir, "cluster"));
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
        if (figures.length > 0) console.log(`      front door: ${figures.join("; ")}`);
    });

    it("up brings dev up and prints its namespaces, admission policies and guardrail results", async function () {
        const out = capture();
        const started = Date.now();
        const code = await upLocal({ stack: "dev", stateDir, out: out.stream });
        const text = out.text();
        assert.strictEqual(code, 0, text);
        assert.match(text, /control plane: etcd, kube-apiserver and kube-controller-manager at https:\/\/127\.0\.0\.1:\d+/, text);
        assert.match(text, /checkout\s+enforce=baseline warn=restricted audit=restricted/, text);
        assert.match(text, /admission policies \(native ValidatingAdmissionPolicy\): \d+ policies, \d+ bindings/, text);
        assert.match(text, /safe defaults \(native MutatingAdmissionPolicy\): .*bulwark-pod-seccomp-default/, text);
        assert.match(text, /\[advisory\] stack-runtime-security \(pulumi:pulumi:Stack: bulwark-dev\)/, text);
        figures.push(`first up ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it("a second up reuses the running control plane and changes nothing", async function () {
        const out = capture();
        const started = Date.now();
        const code = await upLocal({ stack: "dev", stateDir, out: out.stream });
        const text = out.text();
        assert.strictEqual(code, 0, text);
        assert.match(text, /control plane: already running/, text);
        assert.doesNotMatch(text, /\+ \d+ created|~ \d+ updated|- \d+ deleted/, text);
        figures.push(`second up ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it("demo names the layer that stopped each bad workload", async function () {
        const out = capture();
        const code = await demo({ stack: "dev", stateDir, out: out.stream });
        const text = out.text();
        assert.strictEqual(code, 0, text);
        assert.match(text, /Pod\/storefront[^\n]*\n\s+CrossGuard \(preview\): no violation\n\s+API server: admitted\n/, text);
        assert.match(text, /Pod\/debug-shell[\s\S]*?\[advisory\] pss-privileged[\s\S]*?REJECTED by Pod Security Admission/, text);
        assert.match(text, /Pod\/nightly[\s\S]*?\[advisory\] image-tag-required[\s\S]*?warning \(admission policy\): Validation failed for ValidatingAdmissionPolicy 'bulwark-image-tag-required'/, text);
    });

    it("down destroys the stack and stops the control plane", async function () {
        const out = capture();
        const code = await downLocal({ stack: "dev", stateDir, out: out.stream });
        const text = out.text();
        assert.strictEqual(code, 0, text);
        assert.match(text, /The resources in the stack have been deleted/, text);
        assert.match(text, /control plane: stopped/, text);
        const again = capture();
        assert.strictEqual(await downLocal({ stack: "dev", stateDir, out: again.stream }), 0);
        assert.match(again.text(), /control plane: not running; nothing to destroy/, again.text());
    });
});
