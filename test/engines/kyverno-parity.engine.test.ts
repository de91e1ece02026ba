// Engine test: Kyverno's own CLI (built from the pinned Kyverno module) evaluates the rendered
// policies.kyverno.io/v1 ValidatingPolicies against every guardrail fixture, object by object, and
// its verdict must match check's. Kyverno runs the same CEL text as the native policy, but through
// its own CEL environment and matching, which is what this proves agrees.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects, inputGuardrailConfig } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { catalog } from "../../components/guardrails/catalog";
import { emptyGuardrailConfig, guardrailDataFor } from "../../components/guardrails/policyConfig";
import { namespaceEnforceLabel } from "../../components/pod-security/labels";
import { renderKyverno } from "../../components/policy/render/kyverno";
import { fixtureSettings, fixturesOf } from "../support/fixtures";
import { ensureEngines, ProcessResult, runProcess, skipOrFail } from "./harness/engines";
import { printTable } from "./support/verdicts";

/** What Kyverno said about one object: a verdict, or why it gave none we can use. */
type KyvernoVerdict = { readonly violation: boolean; readonly detail: string } | { readonly error: string };

function writeYaml(file: string, value: unknown): void {
    fs.writeFileSync(file, yaml.dump(value, { lineWidth: -1, noRefs: true }));
}

interface ReportResult {
    readonly policy?: string;
    readonly result?: string;
    readonly message?: string;
}

/**
 * Kyverno's verdict from `kyverno apply --policy-report --output-format json`: the report's rows
 * for our policy. No row means the object is outside matchConstraints (the CLI emits none for
 * constraint-excluded resources), which check also reports as no violation.
 */
function verdictFrom(result: ProcessResult, policy: string): KyvernoVerdict {
    const rows: ReportResult[] = [];
    for (const line of result.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const report = JSON.parse(line) as { results?: ReportResult[] };
        rows.push(...(report.results ?? []).filter((row) => row.policy === policy));
    }
    const bad = rows.find((row) => row.result !== "pass" && row.result !== "fail");
    if (bad !== undefined) return { error: `${bad.result ?? "no result"}: ${bad.message ?? ""}` };
    // A non-zero exit without any failing row is a CLI error (e.g. an invalid policy), not a verdict.
    const failed = rows.filter((row) => row.result === "fail");
    if (result.code !== 0 && failed.length === 0) return { error: `exit ${result.code}: ${(result.stderr || result.stdout).trim()}` };
    if (failed.length > 0) return { violation: true, detail: failed.map((row) => row.message ?? "").join("; ") };
    return { violation: false, detail: rows.length === 0 ? "not matched" : "pass" };
}

interface Case {
    readonly guardrail: string;
    readonly label: string;
    readonly check: boolean;
    readonly kyverno: KyvernoVerdict;
}

describe("engine tier: Kyverno (kyverno apply) agrees with check", function () {
    let bin: string;
    let workDir: string;

    before(async function () {
        try {
            bin = (await ensureEngines(["kyverno"] as const)).kyverno;
        } catch (error) {
            skipOrFail(this, error);
        }
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-kyverno-"));
    });

    after(() => {
        if (workDir !== undefined) fs.rmSync(workDir, { recursive: true, force: true });
    });

    it("every rendered ValidatingPolicy gives check's verdict on every fixture object", async function () {
        const cases: Case[] = [];
        for (const guardrail of catalog) {
            const settings = fixtureSettings(guardrail);
            const data = settings === undefined ? emptyGuardrailConfig.data : guardrailDataFor(settings);
            const [policy] = renderKyverno(guardrail, "enforce", data);
            const policyName = (policy.metadata as { name: string }).name;
            const dir = path.join(workDir, guardrail.id);
            fs.mkdirSync(dir, { recursive: true });
            writeYaml(path.join(dir, "policy.yaml"), policy);
            for (const fixture of fixturesOf(guardrail)) {
                const objects = readManifests([fixture.file]).objects;
                const flagged = new Set(checkObjects(objects, { settings }).filter((violation) => violation.guardrail === guardrail.id).map((violation) => violation.documentIndex));
                // The namespaces as check sees them: the stack's plan, overridden by Namespace objects in the same input.
                const { namespaceLevels } = inputGuardrailConfig(objects, settings);
                for (const [index, manifest] of objects.entries()) {
                    const base = `${path.basename(fixture.file, ".yaml")}-${index}`;
                    const namespace = (manifest.object.metadata as { namespace?: string } | undefined)?.namespace;
                    writeYaml(path.join(dir, `${base}.yaml`), manifest.object);
                    // The CLI has no cluster to read Namespace labels from, so the values file gives
                    // the object's namespace the labels the API server would: its name, and the
                    // Pod Security enforce level check assumes for it (restricted when unplanned, as
                    // check's default). matchConstraints.namespaceSelector is kept as rendered, so
                    // Kyverno itself decides the Pod Security scoping and the system-namespace exclusion.
                    // (Checked by hand: with `privileged` labels the CLI selects nothing. A namespaced
                    // object without metadata.namespace gets no labels, so the Pod Security `In` expression skips it;
                    // every fixture names its namespace, and such a case would show as a disagreement.)
                    const args = ["apply", "policy.yaml", "--resource", `${base}.yaml`, "--policy-report", "--output-format", "json", "--remove-color"];
                    if (namespace !== undefined) {
                        writeYaml(path.join(dir, `${base}-values.yaml`), {
                            apiVersion: "cli.kyverno.io/v1alpha1",
                            kind: "Value",
                            metadata: { name: "values" },
                            namespaceSelector: [{ name: namespace, labels: { "kubernetes.io/metadata.name": namespace, [namespaceEnforceLabel]: namespaceLevels[namespace] ?? "restricted" } }],
                        });
                        args.push("--values-file", `${base}-values.yaml`);
                    }
                    const result = await runProcess(bin, args, { cwd: dir, timeoutMs: 120_000 });
                    cases.push({ guardrail: guardrail.id, label: `${path.basename(fixture.file)}#${index} ${String(manifest.object.kind)}`, check: flagged.has(manifest.documentIndex), kyverno: verdictFrom(result, policyName) });
                }
            }
        }

        // "not matched" is kept apart from "ok" so that a policy whose matchConstraints never select
        // its fixtures (agreeing only vacuously) shows up in the table.
        const show = (verdict: KyvernoVerdict) => ("error" in verdict ? "ERROR" : verdict.violation ? "violation" : verdict.detail === "not matched" ? "ok (not matched)" : "ok");
        const agrees = (entry: Case) => !("error" in entry.kyverno) && entry.kyverno.violation === entry.check;
        printTable(
            "Kyverno (kyverno apply, ValidatingPolicy) vs check",
            ["guardrail", "fixture object", "kyverno", "check", "agree"],
            cases.map((entry) => [entry.guardrail, entry.label, show(entry.kyverno), entry.check ? "violation" : "ok", agrees(entry) ? "yes" : "NO"]),
        );
        const agreed = cases.filter(agrees).length;
        console.log(`  kyverno: ${agreed}/${cases.length} cases agree across ${catalog.length} policies\n`);
        const disagreements = cases.filter((entry) => !agrees(entry)).map((entry) => `${entry.guardrail} ${entry.label}: kyverno ${"error" in entry.kyverno ? entry.kyverno.error : `${show(entry.kyverno)} (${entry.kyverno.detail})`}, check ${entry.check ? "violation" : "ok"}`);
        assert.deepStrictEqual(disagreements, []);
    });
});
