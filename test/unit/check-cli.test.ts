import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocuments } from "../../cli/input";
import { compliantPod, privilegedDeployment, runCli as run } from "../support/cli";
import { repoRoot } from "../support/render";



describe("bulwark check", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-check-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function write(name: string, text: string): string {
        const file = path.join(dir, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
        return file;
    }

    it("exits 0 on compliant input and 1 on a mandatory violation, naming guardrail, object, file and document", async () => {
        assert.strictEqual((await run(["check", write("ok.yaml", compliantPod)])).code, 0);
        const file = write("bad.yaml", `${compliantPod}---\n${privilegedDeployment}`);
        const result = await run(["check", file]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}#1 Deployment shop/bad: \\[mandatory\\] pss-privileged: securityContext.privileged=true is forbidden for container\\(s\\): app`));
    });

    it("--format json gives the same violations as an array", async () => {
        const file = write("bad.yaml", privilegedDeployment);
        const result = await run(["check", "--format", "json", file]);
        const violations = JSON.parse(result.stdout) as Record<string, unknown>[];
        assert.ok(violations.length >= 2);
        assert.deepStrictEqual(Object.keys(violations[0]).sort(), ["documentIndex", "enforcementLevel", "file", "guardrail", "kind", "message", "name", "namespace"]);
        assert.ok(violations.some((violation) => violation.guardrail === "pss-privileged" && violation.documentIndex === "0" && violation.kind === "Deployment"));
    });

    it("reads directories recursively and expands kind: List", async () => {
        const list = { apiVersion: "v1", kind: "List", items: [JSON.parse(JSON.stringify(require("js-yaml").load(privilegedDeployment)))] };
        write("nested/deeper/list.json", JSON.stringify(list));
        write("nested/readme.txt", "not a manifest");
        const result = await run(["check", "--format", "json", dir]);
        const violations = JSON.parse(result.stdout) as { documentIndex: string; file: string }[];
        assert.ok(violations.length > 0);
        assert.ok(violations.every((violation) => violation.documentIndex === "0.items[0]" && violation.file.endsWith("list.json")));
    });

    it("exits 2 on unparseable or missing input, naming the file and why, and still checks the rest", async () => {
        const broken = write("broken.yaml", "kind: [unclosed");
        const bad = write("bad.yaml", privilegedDeployment);
        const result = await run(["check", broken, path.join(dir, "missing.yaml"), bad]);
        assert.strictEqual(result.code, 2);
        assert.match(result.stdout, /broken\.yaml: cannot parse: /);
        assert.match(result.stdout, /missing\.yaml: cannot read: no such file or directory/);
        assert.match(result.stdout, /pss-privileged/);
    });

    it("takes a namespace's level from a Namespace in the input before the stack and the restricted default", async () => {
        const pod = compliantPod.replace("runAsNonRoot: true, ", "");
        // Default: restricted, so a pod without runAsNonRoot fails.
        assert.strictEqual((await run(["check", write("a/pod.yaml", pod)])).code, 1);
        // A baseline Namespace in the same input admits it (the namespace itself is an undeclared
        // exception, which is reported on the Namespace, not the Pod).
        const namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: baseline}}\n";
        const result = await run(["check", "--format", "json", write("b/all.yaml", `${namespace}---\n${pod}`)]);
        const kinds = (JSON.parse(result.stdout) as { kind: string }[]).map((violation) => violation.kind);
        assert.deepStrictEqual([...new Set(kinds)], ["Namespace"]);
        // The stack (dev declares checkout; audit mode enforces baseline there, advisory only).
        const devPod = pod.replace("namespace: shop", "namespace: checkout");
        const dev = await run(["check", "--stack", "dev", "--format", "json", write("c/pod.yaml", devPod)]);
        assert.strictEqual(dev.code, 0);
        assert.deepStrictEqual(JSON.parse(dev.stdout), []);
    });

    it("reads YAML as the API server does: merge keys apply and unquoted timestamps stay strings", () => {
        const { objects } = parseDocuments(
            ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: c, namespace: shop}", "defaults: &defaults {a: '1', b: '2'}", "data:", "  <<: *defaults", "  b: '3'", "  since: 2026-11-28T10:00:00Z", ""].join("\n"),
            "cm.yaml",
        );
        assert.deepStrictEqual(objects[0].object.data, { a: "1", b: "3", since: "2026-11-28T10:00:00Z" });
    });

    it("rejects bad flags with a usage message and exit 2", async () => {
        const result = await run(["check", "--format", "xml", "x.yaml"]);
        assert.strictEqual(result.code, 2);
        assert.match(result.stderr, /--format must be text, json or sarif \(got "xml"\)/);
        assert.strictEqual((await run(["check"])).code, 2);
        assert.strictEqual((await run(["check", "--stack", "nope", "x.yaml"])).code, 2);
    });

    it("reads stdin through '-' in a real process, with its real exit code", function () {
        const bin = path.join(repoRoot, "dist", "cli", "bulwark.js");
        // The compiled CLI is what users run; `npm test` builds it first (pretest).
        if (!fs.existsSync(bin)) assert.fail(`${bin} is missing: run npm run build`);
        const result = spawnSync(process.execPath, [bin, "check", "-"], { input: privilegedDeployment, encoding: "utf8" });
        assert.strictEqual(result.status, 1, result.stderr);
        assert.match(result.stdout, /<stdin>#0 Deployment shop\/bad: \[mandatory\] pss-privileged/);
    });
});

describe("bulwark render", () => {
    it("exits 1 on malformed config with the key path and no stack trace", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-render-"));
        try {
            const config = path.join(dir, "Pulumi.broken.yaml");
            fs.writeFileSync(config, "config:\n  bulwark:platform:\n    tenants:\n      - name: ok\n        replicas: -1\n");
            const result = await run(["render", "--stack", "broken", "--config", config, "--out", path.join(dir, "out")]);
            assert.strictEqual(result.code, 1);
            assert.match(result.stderr, /bulwark:platform\.tenants\[0\]\.replicas: unknown key/);
            assert.doesNotMatch(result.stderr, /\n\s+at /);
            assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing is written on a config error");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
