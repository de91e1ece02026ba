import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/bulwark";
import { objectStartLines, toSarif } from "../../cli/sarif";
import { repoRoot } from "../support/render";
import { compliantPod } from "../support/cli";

const bin = path.join(repoRoot, "dist", "cli", "bulwark.js");

// The privileged pod starts on line 13: the compliant pod is lines 1-10, then `---` and a comment.
const twoDocuments = `${compliantPod}---
# a privileged one
apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: shop}
spec:
  containers:
    - name: app
      image: ghcr.io/acme/app:1.0
      securityContext: {privileged: true}
`;
const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: fine, namespace: shop}
  - apiVersion: v1
    kind: Service
    metadata: {name: exposed, namespace: shop}
    spec: {type: NodePort, ports: [{port: 80}]}
`;

/** `check --format sarif` in this process (URIs are relative to the working directory, the checkout). */
async function checkSarif(args: string[]): Promise<{ status: number; log: any; stderr: string }> {
    const captured = { stdout: "", stderr: "" };
    const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => ((captured.stdout += chunk), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => ((captured.stderr += chunk), true)) as typeof process.stderr.write;
    try {
        const status = await main(["check", "--format", "sarif", ...args]);
        return { status, log: JSON.parse(captured.stdout), stderr: captured.stderr };
    } finally {
        process.stdout.write = writes.stdout;
        process.stderr.write = writes.stderr;
    }
}

/** The compiled CLI in its own process, as code scanning runs it; `npm test` builds it first (pretest). */
function checkSarifProcess(args: string[], input: string): { status: number | null; log: any } {
    if (!fs.existsSync(bin)) assert.fail(`${bin} is missing: run npm run build`);
    const result = spawnSync(process.execPath, [bin, "check", "--format", "sarif", ...args], { input, encoding: "utf8", cwd: repoRoot });
    return { status: result.status, log: JSON.parse(result.stdout) };
}

describe("check --format sarif", () => {
    let dir: string;
    beforeEach(() => {
        // Inside the checkout (scratch/ is git-ignored), so URIs are relative to it.
        fs.mkdirSync(path.join(repoRoot, "scratch"), { recursive: true });
        dir = fs.mkdtempSync(path.join(repoRoot, "scratch", "sarif-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reports each violation with its guardrail, level, file relative to the checkout and the object's first line", async () => {
        const file = path.join(dir, "pods.yaml");
        fs.writeFileSync(file, twoDocuments);
        const { status, log } = await checkSarif([file]);
        assert.strictEqual(status, 1);
        assert.strictEqual(log.version, "2.1.0");
        const run = log.runs[0];
        const privileged = run.results.find((result: any) => result.ruleId === "pss-privileged");
        assert.ok(privileged, JSON.stringify(run.results));
        assert.strictEqual(privileged.level, "error");
        assert.match(privileged.message.text, /^Pod shop\/bad: /);
        const location = privileged.locations[0].physicalLocation;
        assert.strictEqual(location.artifactLocation.uri, `scratch/${path.basename(dir)}/pods.yaml`);
        assert.strictEqual(location.artifactLocation.uriBaseId, "%SRCROOT%");
        assert.strictEqual(location.region.startLine, 13);
        // Every result's rule is described in the driver, so code scanning can show its title.
        const ruleIds = new Set(run.tool.driver.rules.map((rule: any) => rule.id));
        for (const result of run.results) assert.ok(ruleIds.has(result.ruleId), result.ruleId);
        assert.strictEqual(run.tool.driver.rules[result(privileged.ruleIndex, run)].id, "pss-privileged");
        // Only the bad pod is reported.
        assert.deepStrictEqual([...new Set(run.results.map((r: any) => r.message.text.split(":")[0]))], ["Pod shop/bad"]);
    });

    it("gives a List item the line where the item starts", async () => {
        const file = path.join(dir, "list.yaml");
        fs.writeFileSync(file, list);
        const { log } = await checkSarif([file]);
        const exposed = log.runs[0].results.find((result: any) => result.ruleId === "service-external-exposure");
        assert.ok(exposed, JSON.stringify(log.runs[0].results));
        assert.strictEqual(exposed.locations[0].physicalLocation.region.startLine, 7);
    });

    it("advisory violations (a stack in the audit ramp) are warnings, and stdin has no file location", () => {
        const { status, log } = checkSarifProcess(["--stack", "dev", "-"], twoDocuments);
        assert.strictEqual(status, 0);
        const results = log.runs[0].results;
        assert.ok(results.length > 0);
        for (const result of results) {
            assert.strictEqual(result.level, "warning");
            assert.deepStrictEqual(result.locations, []);
        }
    });

    it("lists unreadable input as a failed invocation and exits 2", async () => {
        const { status, log, stderr } = await checkSarif([path.join(dir, "missing.yaml")]);
        assert.strictEqual(status, 2);
        const invocation = log.runs[0].invocations[0];
        assert.strictEqual(invocation.executionSuccessful, false);
        assert.match(invocation.toolExecutionNotifications[0].message.text, /missing\.yaml: cannot read: no such file or directory/);
        assert.match(stderr, /missing\.yaml/);
    });

    it("objectStartLines maps document indexes (comments and blank documents skipped) to lines", () => {
        const lines = objectStartLines(`# header\n---\n---\nkind: A\n---\n\nkind: List\nitems:\n- kind: B\n- kind: C\n`);
        assert.deepStrictEqual([...lines], [
            ["1", 4],
            ["2", 7],
            ["2.items[0]", 9],
            ["2.items[1]", 10],
        ]);
    });

    it("toSarif keeps a violation whose line is unknown, without a region", () => {
        const violation = { guardrail: "pss-privileged", enforcementLevel: "mandatory" as const, kind: "Pod", namespace: null, name: "p", file: "/elsewhere/x.yaml", documentIndex: "0", message: "m" };
        const log = toSarif([violation], [], { root: "/repo", lineOf: () => undefined }) as any;
        assert.deepStrictEqual(log.runs[0].results[0].locations[0].physicalLocation, { artifactLocation: { uri: "file:///elsewhere/x.yaml" } });
    });
});

function result(index: number, run: any): number {
    assert.ok(Number.isInteger(index) && index >= 0 && index < run.tool.driver.rules.length, `ruleIndex ${index}`);
    return index;
}
