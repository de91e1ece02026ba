import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../support/render";
import { privilegedDeployment } from "../support/cli";

/*
 * `check` must start like a linter: it may not load what only `render` and CrossGuard need. These
 * tests run the compiled bin in a real process and list the CommonJS modules it loaded (a preload
 * script records require.cache at exit), so they assert what was loaded, not how long it took.
 */


/** Runs the bin with `args` and returns its exit code, output and the modules it loaded. */
function runRecordingModules(args: readonly string[]): { code: number | null; stdout: string; modules: string[] } {
    const bin = path.join(repoRoot, "dist", "cli", "bulwark.js");
    assert.ok(fs.existsSync(bin), `${bin} is missing: run npm run build`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-startup-"));
    try {
        const record = path.join(dir, "modules.json");
        const preload = path.join(dir, "record-modules.js");
        fs.writeFileSync(
            preload,
            `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache))));\n`,
        );
        const manifest = path.join(dir, "deployment.yaml");
        fs.writeFileSync(manifest, privilegedDeployment);
        const result = spawnSync(process.execPath, ["--require", preload, bin, ...args, manifest], { encoding: "utf8" });
        const modules = (JSON.parse(fs.readFileSync(record, "utf8")) as string[]).map((file) => file.split(path.sep).join("/"));
        return { code: result.status, stdout: result.stdout, modules };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const heavyPackages = ["/node_modules/@pulumi/pulumi/", "/node_modules/@pulumi/policy/", "/node_modules/@grpc/grpc-js/"];

describe("check start-up", () => {
    it("a plain check loads the evaluator and the catalog but not the Pulumi SDK, the policy SDK or zod", function () {
        this.timeout(30000);
        const { code, stdout, modules } = runRecordingModules(["check"]);
        // The run did real work: the privileged container is reported and the evaluator was loaded.
        assert.strictEqual(code, 1, stdout);
        assert.match(stdout, /pss-privileged/);
        assert.ok(modules.some((file) => file.endsWith("/components/guardrails/evaluate.js")), "the shared evaluator was not loaded");
        assert.ok(modules.some((file) => file.endsWith("/components/guardrails/catalog.js")), "the catalog was not loaded");
        for (const heavy of [...heavyPackages, "/node_modules/zod/"]) {
            assert.deepStrictEqual(modules.filter((file) => file.includes(heavy)), [], `check loaded ${heavy}`);
        }
        // The catalog's CEL is precompiled: on a well-formed object cel-js itself is never needed.
        assert.ok(modules.some((file) => file.endsWith("/components/guardrails/celPrecompiled.generated.js")), "the precompiled CEL was not loaded");
        assert.deepStrictEqual(modules.filter((file) => file.includes("/node_modules/@marcbachmann/cel-js/")), [], "check loaded cel-js for a well-formed object");
        // The signature verifier (and Sigstore under it) and the threaded path load only when asked for.
        for (const optional of ["/node_modules/@sigstore/", "/components/supply-chain/verifier.js", "/cli/parallel.js"]) {
            assert.deepStrictEqual(modules.filter((file) => file.includes(optional)), [], `check loaded ${optional}`);
        }
    });

    it("check --stack loads zod to validate the stack file, and still not the Pulumi SDK", function () {
        this.timeout(30000);
        const { code, stdout, modules } = runRecordingModules(["check", "--stack", "prod"]);
        assert.strictEqual(code, 1, stdout);
        assert.ok(modules.some((file) => file.includes("/node_modules/zod/")), "the stack file was not validated");
        for (const heavy of heavyPackages) {
            assert.deepStrictEqual(modules.filter((file) => file.includes(heavy)), [], `check --stack loaded ${heavy}`);
        }
    });
});
