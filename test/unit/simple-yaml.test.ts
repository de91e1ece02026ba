import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { deploymentCorpus, toYamlStream } from "../../bench/corpus";
import { loadSimpleDocument } from "../../cli/simpleYaml";
import { documentStarts } from "../../cli/streamCheck";
import { catalog } from "../../components/guardrails/catalog";
import { fixturesOf } from "../support/fixtures";
import { repoRoot } from "../support/render";
import { sharedDir } from "../support/shared";

/*
 * The simple-YAML fast path (cli/simpleYaml.ts) against js-yaml, which reads every document the
 * fast path declines: wherever the fast path returns a document, it is js-yaml's document, value
 * for value. Inputs: every YAML file in the repository and in ../shared, the bench corpus, the
 * catalog fixtures dumped in several styles, and hand-written edge cases.
 */

const mergeKeys = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;
const schema = yaml.CORE_SCHEMA.extend({ implicit: [mergeKeys] });

interface Tally {
    documents: number;
    fast: number;
}

/** Compares the two parsers on each document of `text`; returns how many the fast path took. */
function compareText(text: string, where: string, tally: Tally): void {
    const bytes = Buffer.from(text);
    const starts = documentStarts(bytes) ?? [0];
    starts.forEach((start, index) => {
        const chunk = bytes.toString("utf8", start, index + 1 < starts.length ? starts[index + 1] : bytes.length);
        tally.documents++;
        const fast = loadSimpleDocument(chunk);
        if (fast === undefined) return;
        tally.fast++;
        let reference: unknown[];
        try {
            reference = yaml.loadAll(chunk, undefined, { json: true, schema });
        } catch (error) {
            assert.fail(`${where} document ${index}: the fast path read what js-yaml rejects (${(error as Error).message.split("\n")[0]})`);
        }
        assert.strictEqual(reference.length, 1, `${where} document ${index}: js-yaml reads ${reference.length} documents`);
        assert.deepStrictEqual(fast, reference[0], `${where} document ${index}`);
    });
}

function yamlFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((name) => /\.ya?ml$/.test(name) && !/(^|\/)(node_modules|dist|\.git)\//.test(name))
        .map((name) => path.join(dir, name))
        .filter((file) => fs.statSync(file).isFile());
}

describe("simple-YAML fast path agrees with js-yaml", function () {
    this.timeout(120_000);

    it("on hand-written edge cases", () => {
        const cases = [
            "a: 1\nb: -1\nc: 0x1F\nd: 0o17\ne: 1.5e3\nf: .inf\ng: .NaN\nh: ~\ni: Null\nj: TRUE\nk: yes\nl: 012\nm: 1_000\nn: '007'\no: \"x y\"\np: 'it''s'\nq:\nr: []\ns: {}\n",
            "---\nkind: Pod # trailing comment\nlist:\n- a\n-   b\n- - nested\n",
            "k:\n  - name: x\n    v: 1\n  -\n    name: y\n  - 'q': 2\n  - \"r\" : 3\n",
            "text: |\n  line one\n    indented\n\n  # not a comment\nnext: >-\n  folded\n  words\nlast: |-\n  x\n",
            "clip: >\n  a\n  b\n\n\nafter: 1\n",
            "keep: |+\n  a\n\nb: 1\n",
            "anchors: &a {x: 1}\nref: *a\n",
            "merge:\n  <<: {a: 1}\n",
            "1: one\n1.0: float key\nnull: n\ntrue: t\n0x10: hex\n",
            "multi: line\n  continued\n",
            "tab:\t1\n",
            "quoted: \"escaped \\n\"\n",
            "url: http://example.com:8080/x?y=z#frag\ncolon: a:b\nhash: a#b\n",
            "- a\n- b\n",
            "scalar\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 'unclosed\n",
            "a: b: c\n",
            "a:\n  b: 1\n c: 2\n",
            "x:\n- 1\n  - 2\n",
            "empty: ''\nspace: ' '\ndq: \"\"\n",
            "a: |\n  no final break",
            "__proto__: {x: 1}\n",
            "key with spaces: v\n'quoted key': v\n\"dq key\": v\n",
            "-1: minus\n- x\n",
            "a: - x\n",
            "? complex\n: value\n",
            "a: !!str 1\n",
            "a: @x\n",
            "a: `x`\n",
            // Only spaces are YAML's white space here: other Unicode spaces are text, or not YAML at all.
            "a: b\u00A0\n",
            "a\u00A0: b\n",
            "a:  \u00A0b\n",
            "a: b\n\u00A0\n",
            "a: b\u3000\n",
            "a:\n  - b\u2009\n",
            "'a'\u00A0: b\n",
        ];
        const tally: Tally = { documents: 0, fast: 0 };
        cases.forEach((text, index) => compareText(text, `case ${index}`, tally));
        assert.ok(tally.fast >= 8, `the fast path took only ${tally.fast} of ${tally.documents} cases`);
        assert.ok(tally.fast < tally.documents, "some cases must be declined");
        // Declined, not misread: these are js-yaml's to read or reject.
        for (const declined of ["anchors: &a {x: 1}\nref: *a\n", "merge:\n  <<: {a: 1}\n", "multi: line\n  continued\n", "a: b: c\n", "keep: |+\n  a\n\nb: 1\n"]) {
            assert.strictEqual(loadSimpleDocument(declined), undefined, declined);
        }
    });

    it("on the bench corpus and on catalog fixtures dumped in several styles", () => {
        const tally: Tally = { documents: 0, fast: 0 };
        compareText(toYamlStream(deploymentCorpus(200)), "bench corpus", tally);
        assert.strictEqual(tally.fast, tally.documents, "the bench corpus is the simple shape throughout");
        const objects = catalog.flatMap((guardrail) => fixturesOf(guardrail).flatMap((fixture) => yaml.loadAll(fs.readFileSync(fixture.file, "utf8"), undefined, { schema }) as unknown[]));
        const styles: yaml.DumpOptions[] = [{}, { lineWidth: 20 }, { quotingType: '"', forceQuotes: true }, { indent: 4, noArrayIndent: true }, { flowLevel: 3 }, { lineWidth: -1, sortKeys: true }];
        for (const [index, options] of styles.entries()) {
            compareText(objects.map((object) => yaml.dump(object, options)).join("---\n"), `fixtures in style ${index}`, tally);
        }
        assert.ok(tally.fast / tally.documents > 0.6, `fast path took ${tally.fast} of ${tally.documents} documents`);
    });

    it("on every YAML file of the repository and of ../shared", () => {
        const tally: Tally = { documents: 0, fast: 0 };
        const files = [...yamlFiles(repoRoot), ...yamlFiles(sharedDir)];
        assert.ok(files.length > 100, `only ${files.length} YAML files found`);
        for (const file of files) compareText(fs.readFileSync(file, "utf8"), path.relative(path.dirname(repoRoot), file), tally);
        assert.ok(tally.fast > 100, `the fast path took only ${tally.fast} of ${tally.documents} documents`);
    });
});
