// Engine test: Gatekeeper's own evaluator (gator, built from the pinned Gatekeeper module) runs the
// rendered ConstraintTemplates, CEL and Rego, against every guardrail fixture. Each case asserts
// check's verdict on that object, so a green `gator verify` means Gatekeeper and check agree.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../../cli/check";
import { ManifestObject, readManifests } from "../../cli/input";
import { catalog, crossObjectCatalog } from "../../components/guardrails/catalog";
import { emptyGuardrailConfig, guardrailDataFor } from "../../components/guardrails/policyConfig";
import { renderGatekeeper } from "../../components/policy/render/gatekeeper";
import { renderGatekeeperRego } from "../../components/policy/render/gatekeeperRego";
import { fixtureSettings, fixturesOf } from "../support/fixtures";
import { skipOrFail } from "./harness/engines";
import { gatorBinary, runGatorVerify } from "./harness/gator";
import { printTable } from "./support/verdicts";

interface SuiteCase {
    readonly name: string;
    readonly fixture: string;
    readonly expectViolation: boolean;
}

/**
 * The Constraint as rendered, minus its namespace scoping: gator reviews objects without a cluster,
 * so it has no Namespace labels to select on. Scoping is proven on the real API server instead.
 */
function unscoped(constraint: Record<string, unknown>): Record<string, unknown> {
    const spec = constraint.spec as { match: Record<string, unknown> };
    const { namespaceSelector: _selector, excludedNamespaces: _excluded, ...match } = spec.match;
    return { ...constraint, spec: { ...spec, match } };
}

function writeYaml(file: string, value: unknown): void {
    fs.writeFileSync(file, yaml.dump(value, { lineWidth: -1, noRefs: true }));
}

/** Writes one gator suite for a guardrail: template, constraint, and a case per fixture object. */
function writeSuite(dir: string, id: string, objects: Record<string, unknown>[], fixtures: { file: string; objects: ManifestObject[] }[], verdictOf: (fixture: { objects: ManifestObject[] }) => boolean[]): SuiteCase[] {
    fs.mkdirSync(dir, { recursive: true });
    const [template, constraint] = objects;
    writeYaml(path.join(dir, "template.yaml"), template);
    writeYaml(path.join(dir, "constraint.yaml"), unscoped(constraint));
    const cases: SuiteCase[] = [];
    const suiteCases: Record<string, unknown>[] = [];
    for (const fixture of fixtures) {
        const verdicts = verdictOf(fixture);
        fixture.objects.forEach(({ object }, index) => {
            const base = `${path.basename(fixture.file, ".yaml")}-${index}`;
            writeYaml(path.join(dir, `${base}.yaml`), object);
            const inventory = fixture.objects
                .map((other, otherIndex) => ({ other, otherIndex }))
                .filter(({ otherIndex }) => otherIndex !== index)
                .map(({ other, otherIndex }) => {
                    const file = `${base}-inventory-${otherIndex}.yaml`;
                    writeYaml(path.join(dir, file), other.object);
                    return file;
                });
            cases.push({ name: base, fixture: path.basename(fixture.file), expectViolation: verdicts[index] });
            suiteCases.push({ name: base, object: `${base}.yaml`, ...(inventory.length > 0 ? { inventory } : {}), assertions: [{ violations: verdicts[index] ? "yes" : "no" }] });
        });
    }
    writeYaml(path.join(dir, "suite.yaml"), {
        kind: "Suite",
        apiVersion: "test.gatekeeper.sh/v1alpha1",
        metadata: { name: id },
        tests: [{ name: id, template: "template.yaml", constraint: "constraint.yaml", cases: suiteCases }],
    });
    return cases;
}

describe("engine tier: Gatekeeper (gator verify) agrees with check", function () {
    let suitesDir: string;
    const suites: { id: string; dir: string; cases: SuiteCase[] }[] = [];

    before(async function () {
        try {
            await gatorBinary();
        } catch (error) {
            skipOrFail(this, error);
        }
        suitesDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-gator-"));
        for (const guardrail of catalog) {
            const settings = fixtureSettings(guardrail);
            const data = settings === undefined ? emptyGuardrailConfig.data : guardrailDataFor(settings);
            const fixtures = fixturesOf(guardrail).map((fixture) => ({ file: fixture.file, objects: readManifests([fixture.file]).objects }));
            const dir = path.join(suitesDir, guardrail.id);
            const cases = writeSuite(dir, guardrail.id, renderGatekeeper(guardrail, "enforce", data), fixtures, (fixture) => {
                const flagged = new Set(checkObjects(fixture.objects, { settings }).filter((violation) => violation.guardrail === guardrail.id).map((violation) => violation.documentIndex));
                return fixture.objects.map((object) => flagged.has(object.documentIndex));
            });
            suites.push({ id: guardrail.id, dir, cases });
        }
        for (const guardrail of crossObjectCatalog) {
            const fixtures = fixturesOf(guardrail).map((fixture) => ({ file: fixture.file, objects: readManifests([fixture.file]).objects }));
            const dir = path.join(suitesDir, guardrail.id);
            const cases = writeSuite(dir, guardrail.id, renderGatekeeperRego(guardrail, "enforce"), fixtures, (fixture) => {
                const flagged = new Set(checkObjects(fixture.objects).filter((violation) => violation.guardrail === guardrail.id).map((violation) => violation.documentIndex));
                return fixture.objects.map((object) => flagged.has(object.documentIndex));
            });
            suites.push({ id: guardrail.id, dir, cases });
        }
    });

    after(() => {
        if (suitesDir !== undefined) fs.rmSync(suitesDir, { recursive: true, force: true });
    });

    it("every rendered ConstraintTemplate (CEL and Rego) passes its suite built from check's verdicts", async function () {
        const rows: string[][] = [];
        const failures: string[] = [];
        for (const suite of suites) {
            const result = await runGatorVerify(suite.dir, ["-v"]);
            const ok = result.code === 0;
            const violations = suite.cases.filter((entry) => entry.expectViolation).length;
            rows.push([suite.id, String(suite.cases.length), String(violations), ok ? `${suite.cases.length}/${suite.cases.length}` : "FAIL"]);
            if (!ok) failures.push(`${suite.id}:\n${result.stdout}\n${result.stderr}`);
        }
        printTable("Gatekeeper (gator verify) vs check", ["constraint template", "cases", "expected violations", "agreed"], rows);
        const total = suites.reduce((sum, suite) => sum + suite.cases.length, 0);
        console.log(`  gator: ${failures.length === 0 ? total : "not all"}/${total} cases agree across ${suites.length} templates (${crossObjectCatalog.length} Rego with inventory)\n`);
        assert.deepStrictEqual(failures, []);
    });
});
