import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploymentCorpus, toYamlStream } from "../../bench/corpus";
import { checkObjects } from "../../cli/check";
import { parseTexts, readTexts } from "../../cli/input";
import { defaultStackConfigPath, readStackSettings } from "../../cli/stackConfig";
import { checkStreaming, documentStarts, forEachDocument, forEachRun } from "../../cli/streamCheck";

/* `check`'s document-by-document path against the in-memory one it must equal exactly. */

const settings = readStackSettings(defaultStackConfigPath("prod"), "prod");

function inMemory(sources: readonly string[]) {
    const { objects, problems } = parseTexts(readTexts(sources));
    return { violations: checkObjects(objects, { settings }), problems };
}

describe("check document by document", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-stream-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("cuts only at document markers at a line start", () => {
        const text = "a: 1\n---\nb: |\n  x\n  ---\n--- # c\nc: 2\n---x: 1\n---\n";
        assert.deepStrictEqual(documentStarts(Buffer.from(text)), [0, 5, 24, 45]);
        assert.strictEqual(documentStarts(Buffer.from("%YAML 1.2\n---\na: 1\n")), undefined);
        assert.strictEqual(documentStarts(Buffer.from("a: 1\r---\rb: 2\r")), undefined);
        assert.deepStrictEqual(documentStarts(Buffer.from("a: 1\r\n---\r\nb: 2\r\n")), [0, 6]);
    });

    it("cuts a file read in chunks exactly as the whole bytes, whatever the chunk size", () => {
        const texts = [
            "a: 1\n---\nb: |\n  x\n  ---\n--- # c\nc: 2\n---x: 1\n---\n",
            "---\n---\n",
            "a: 1\n---",
            "a: 1\n--",
            "",
            "\n---\t\n---\r\nz: 3\r\n",
            toYamlStream(deploymentCorpus(3)) + "---\n" + "k: " + "v".repeat(300) + "\n",
        ];
        for (const text of texts) {
            const bytes = Buffer.from(text);
            const starts = documentStarts(bytes)!;
            const expected = starts.map((start, index) => bytes.toString("utf8", start, index + 1 < starts.length ? starts[index + 1] : bytes.length));
            const file = path.join(dir, "chunked.yaml");
            fs.writeFileSync(file, bytes);
            for (const chunkSize of [4, 5, 7, 16, 64, 1 << 20]) {
                const documents: string[] = [];
                forEachDocument({ path: file }, (document) => documents.push(document.toString("utf8")) > 0, chunkSize);
                assert.deepStrictEqual(documents, expected, `chunk size ${chunkSize}, text ${JSON.stringify(text.slice(0, 40))}`);
            }
            // Runs of whole documents: together the whole file, each starting where a document starts.
            for (const chunkSize of [4, 7, 64, 1 << 20]) {
                const runs: { offset: number; text: string }[] = [];
                forEachRun({ path: file }, (run, offset) => runs.push({ offset, text: run.toString("utf8") }) > 0, chunkSize);
                assert.strictEqual(runs.map((run) => run.text).join(""), text, `runs of chunk size ${chunkSize}`);
                let offset = 0;
                for (const run of runs) {
                    assert.strictEqual(run.offset, offset);
                    assert.ok(run.text.length === 0 || starts.includes(run.offset), `a run at ${run.offset} starts inside a document (chunk size ${chunkSize})`);
                    offset += Buffer.byteLength(run.text);
                }
            }
            // A visitor that stops is not called again.
            let calls = 0;
            forEachDocument({ path: file }, () => ++calls < 1, 4);
            assert.strictEqual(calls, 1);
        }
    });

    it("equals the in-memory path across files, late Namespaces, escapes, Lists, cross-object guardrails and broken input", () => {
        const objects = deploymentCorpus(80);
        const ingress = (name: string) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: "shop" }, spec: { rules: [{ host: "shop.example.com" }] } });
        // Namespace labels found late in another file still govern earlier objects; one spells its kind with an escape.
        const late = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n";
        const escaped = '---\napiVersion: v1\nkind: "Namesp\\x61ce"\nmetadata:\n  name: checkout\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n';
        fs.writeFileSync(path.join(dir, "a.yaml"), "# leading comment\n" + toYamlStream([ingress("first"), ...objects.slice(0, 40)]) + "---\n---\n# only a comment\n" + toYamlStream([{ apiVersion: "v1", kind: "List", items: objects.slice(40, 43) }]));
        fs.writeFileSync(path.join(dir, "b.yaml"), toYamlStream([ingress("second"), ...objects.slice(43)]) + late + escaped);
        fs.writeFileSync(path.join(dir, "c-crlf.yaml"), toYamlStream(objects.slice(0, 5)).replace(/\n/g, "\r\n"));
        fs.writeFileSync(path.join(dir, "d-broken.yaml"), toYamlStream(objects.slice(0, 5)) + "---\nkind: [unclosed\n---\n" + toYamlStream(objects.slice(5, 7)));
        fs.writeFileSync(path.join(dir, "e-scalar.yaml"), toYamlStream(objects.slice(0, 2)) + "---\njust a string\n");
        const sources = [dir, path.join(dir, "missing.yaml")];
        const streamed = checkStreaming(sources, settings);
        assert.ok(streamed !== undefined, "the streaming path declined the input");
        const expected = inMemory(sources);
        assert.deepStrictEqual(streamed, expected);
        // The same when documents and the pre-pass's runs straddle every kind of chunk boundary.
        for (const chunkSize of [5, 64, 1000]) assert.deepStrictEqual(checkStreaming(sources, settings, { chunkSize }), expected, `chunk size ${chunkSize}`);
        // The input exercises what matters: Namespace levels, List items, a cross-object guardrail, problems.
        assert.ok(expected.violations.some((violation) => violation.guardrail === "ingress-host-unique"));
        assert.ok(expected.violations.some((violation) => violation.documentIndex.includes(".items[")));
        assert.ok(!expected.violations.some((violation) => violation.namespace === "edge" && violation.guardrail.startsWith("pss-")), "edge is privileged by a late Namespace");
        assert.deepStrictEqual(
            expected.problems.map((problem) => path.basename(problem.file)),
            ["d-broken.yaml", "e-scalar.yaml", "missing.yaml"],
        );
    });

    it("hands input it does not take to the in-memory path", () => {
        const file = path.join(dir, "directive.yaml");
        fs.writeFileSync(file, "%YAML 1.2\n---\n" + toYamlStream(deploymentCorpus(2)));
        assert.strictEqual(checkStreaming([file], settings), undefined);
        // A file that fails after its Namespace was counted: only the in-memory path can leave it out.
        const broken = path.join(dir, "namespace-then-broken.yaml");
        fs.writeFileSync(broken, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n---\nkind: [unclosed\n");
        assert.strictEqual(checkStreaming([broken], settings), undefined);
        // A directive or a lone CR later in a file, found in the pre-pass's runs whatever their size.
        const late = path.join(dir, "late-directive.yaml");
        fs.writeFileSync(late, toYamlStream(deploymentCorpus(3)) + "%YAML 1.2\n---\nkind: ConfigMap\n");
        const cr = path.join(dir, "lone-cr.yaml");
        fs.writeFileSync(cr, toYamlStream(deploymentCorpus(3)) + "---\nkind: ConfigMap\rdata: {}\n");
        for (const chunkSize of [5, 64, 1 << 20]) {
            for (const input of [file, broken, late, cr]) assert.strictEqual(checkStreaming([input], settings, { chunkSize }), undefined, `${path.basename(input)}, chunk size ${chunkSize}`);
        }
    });

    it("is what the CLI runs, with the same output as the in-memory path", () => {
        const file = path.join(dir, "corpus.yaml");
        fs.writeFileSync(file, toYamlStream(deploymentCorpus(30)));
        const streamed = checkStreaming([file], settings)!;
        assert.ok(streamed.violations.length > 0);
        assert.deepStrictEqual(streamed, inMemory([file]));
    });
});
