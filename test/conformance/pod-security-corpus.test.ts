import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { podSecurityCorpusDir, requireSharedDir } from "../support/shared";

type Level = "baseline" | "restricted";

/** A Namespace at `level`, given in the same input as the Pod (the first source `check` consults). */
function namespaceAt(level: Level): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: `corpus-${level}`, labels: { "pod-security.kubernetes.io/enforce": level } },
    };
}

/** True when `check` rejects the Pod (a Pod Security violation) in a namespace at `level`. */
function rejectedAt(file: string, level: Level | "default"): { rejected: boolean; reasons: string[] } {
    const { objects, problems } = readManifests([file]);
    assert.deepStrictEqual(problems, []);
    const pods = objects.map((manifest) => ({
        ...manifest,
        object: { ...manifest.object, metadata: { ...(manifest.object.metadata as object), namespace: level === "default" ? "unlabelled" : `corpus-${level}` } },
    }));
    const input = level === "default" ? pods : [{ file: "<namespace>", documentIndex: "0", object: namespaceAt(level) }, ...pods];
    const reasons = checkObjects(input)
        .filter((violation) => violation.kind === "Pod" && violation.guardrail.startsWith("pss-"))
        .map((violation) => `${violation.guardrail}: ${violation.message}`);
    return { rejected: reasons.length > 0, reasons };
}

describe("Pod Security conformance: check agrees with the upstream fixtures", function () {
    const rows: { level: string; expected: string; total: number; agreed: number }[] = [];

    after(() => {
        if (rows.length === 0) return;
        const lines = rows.map((row) => `  ${row.level.padEnd(24)} ${row.expected.padEnd(9)} ${String(row.agreed).padStart(3)}/${String(row.total).padEnd(3)} ${((100 * row.agreed) / row.total).toFixed(1)}%`);
        const total = rows.reduce((sum, row) => sum + row.total, 0);
        const agreed = rows.reduce((sum, row) => sum + row.agreed, 0);
        console.log(`\n  Pod Security agreement (check vs upstream fixtures)\n  ${"level (source)".padEnd(24)} ${"expected".padEnd(9)} agreed\n${lines.join("\n")}\n  ${"total".padEnd(34)} ${agreed}/${total} ${((100 * agreed) / total).toFixed(1)}%\n`);
    });

    // Restricted from the default (no Namespace object, no stack); baseline from a Namespace object in the input.
    const cases: { level: Level; source: "default" | Level; label: string }[] = [
        { level: "restricted", source: "default", label: "restricted (default)" },
        { level: "restricted", source: "restricted", label: "restricted (Namespace)" },
        { level: "baseline", source: "baseline", label: "baseline (Namespace)" },
    ];

    for (const { level, source, label } of cases) {
        for (const expected of ["fail", "pass"] as const) {
            it(`${label}: every ${level}/${expected} fixture is ${expected === "fail" ? "rejected" : "admitted"}`, function () {
                const dir = path.join(requireSharedDir(this, podSecurityCorpusDir), level, expected);
                const files = fs.readdirSync(dir).filter((name) => name.endsWith(".yaml")).sort();
                assert.ok(files.length > 0, `no fixtures in ${dir}`);
                const disagreements: string[] = [];
                for (const name of files) {
                    const verdict = rejectedAt(path.join(dir, name), source);
                    if (verdict.rejected !== (expected === "fail")) disagreements.push(`${name}: ${verdict.rejected ? verdict.reasons.join("; ") : "admitted"}`);
                }
                rows.push({ level: label, expected, total: files.length, agreed: files.length - disagreements.length });
                assert.deepStrictEqual(disagreements, [], `check disagrees with upstream on ${disagreements.length} fixture(s)`);
            });
        }
    }

    it("a restricted/fail fixture that baseline allows is admitted in a baseline namespace", function () {
        const file = path.join(requireSharedDir(this, podSecurityCorpusDir), "restricted", "fail", "runasnonroot0.yaml");
        assert.strictEqual(rejectedAt(file, "restricted").rejected, true);
        assert.strictEqual(rejectedAt(file, "baseline").rejected, false);
    });
});
