import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploymentCorpus, toYamlStream } from "../../bench/corpus";
import { parallelThresholdBytes, splitAtDocuments } from "../../cli/parallel";
import { repoRoot } from "../support/render";

describe("check over worker threads (BULWARK_CHECK_THREADS)", () => {
    it("cuts YAML only at document markers, keeping every byte in order", () => {
        const text = "a: 1\n---\nb: |\n  x\n---\n# only a comment\n--- {c: 3}\nd: 4\n";
        const chunks = splitAtDocuments(text, 3);
        assert.ok(chunks.length > 1);
        assert.strictEqual(chunks.join(""), text);
        for (const chunk of chunks.slice(1)) assert.match(chunk, /^---/);
        assert.deepStrictEqual(splitAtDocuments("%YAML 1.2\n---\na: 1\n---\nb: 2\n", 2), ["%YAML 1.2\n---\na: 1\n---\nb: 2\n"]);
    });

    it("gives byte-for-byte the single-threaded output on a large input, across files, Namespaces and Lists", async function () {
        this.timeout(120000);
        const bin = path.join(repoRoot, "dist", "cli", "bulwark.js");
        assert.ok(fs.existsSync(bin), `${bin} is missing: run npm run build`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-parallel-"));
        try {
            // A Namespace labelled privileged late in the input must still exempt earlier objects in it.
            const objects = deploymentCorpus(600);
            const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "edge", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } };
            const list = { apiVersion: "v1", kind: "List", items: objects.slice(0, 3) };
            const ingress = (name: string) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: "shop" }, spec: { rules: [{ host: "shop.example.com" }] } });
            // Comment padding takes the input over the threshold without the cost of thousands of objects.
            const padding = `# ${"padding ".repeat(100)}\n`.repeat(Math.ceil(parallelThresholdBytes / 800));
            fs.writeFileSync(path.join(dir, "a.yaml"), toYamlStream([ingress("first"), ...objects.slice(0, 300)]) + `---\n${padding}` + toYamlStream([...objects.slice(300), list, namespace]));
            fs.writeFileSync(path.join(dir, "b.yaml"), toYamlStream([ingress("second"), ...objects.slice(0, 50)]));
            assert.ok(fs.statSync(path.join(dir, "a.yaml")).size > parallelThresholdBytes, "the corpus must be large enough to go parallel");
            const run = (threads: string) =>
                spawnSync(process.execPath, [bin, "check", "--stack", "prod", "--format", "json", dir], { encoding: "utf8", env: { ...process.env, BULWARK_CHECK_THREADS: threads }, maxBuffer: 1 << 28 });
            const single = run("1");
            const parallel = run("2");
            assert.strictEqual(single.status, 1, single.stderr);
            const violations = JSON.parse(single.stdout) as { guardrail: string; documentIndex: string }[];
            // The input exercises what parallel evaluation must get right: a cross-object guardrail and List items.
            assert.ok(violations.some((violation) => violation.guardrail === "ingress-host-unique"));
            assert.ok(violations.some((violation) => violation.documentIndex.includes(".items[")));
            assert.strictEqual(parallel.status, single.status, parallel.stderr);
            assert.strictEqual(parallel.stdout, single.stdout);

            // And the threaded path really ran (it returns undefined when it declines): the compiled
            // module, because worker threads start the compiled worker script.
            const compiled = (file: string) => require(path.join(repoRoot, "dist", "cli", file));
            const settings = compiled("stackConfig.js").readStackSettings(path.join(repoRoot, "stacks", "Pulumi.prod.yaml"), "prod");
            const texts = compiled("input.js").readTexts([dir]);
            process.env.BULWARK_CHECK_THREADS = "2";
            try {
                const threaded = await compiled("parallel.js").checkInParallel(texts, settings);
                assert.ok(threaded !== undefined, "the threaded path declined the input");
                assert.strictEqual(JSON.stringify(threaded, null, 2) + "\n", single.stdout);
            } finally {
                delete process.env.BULWARK_CHECK_THREADS;
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
