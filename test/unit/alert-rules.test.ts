import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { alertRules, prometheusRuleSpec, runbookUrl } from "../../components/observability/metrics/alerts";
import { requirePromtool, runPromtool } from "../support/promtool";
import { alertCases } from "./alert-cases";

const runbookBase = "https://example.test/runbooks.md";

/** A promtool unit-test file: each case once firing and once quiet. */
function promtoolTests(rulesFile: string) {
    const rules = new Map(alertRules.map((rule) => [rule.alert, rule]));
    const series = (input: Record<string, string>) => Object.entries(input).map(([name, values]) => ({ series: name, values }));
    return {
        rule_files: [rulesFile],
        evaluation_interval: "1m",
        tests: alertCases.flatMap((testCase) => {
            const rule = rules.get(testCase.alert)!;
            return [
                {
                    name: `${testCase.alert} fires`,
                    interval: "1m",
                    input_series: series(testCase.firing),
                    alert_rule_test: [
                        {
                            eval_time: `${testCase.evalMinutes}m`,
                            alertname: testCase.alert,
                            exp_alerts: [
                                {
                                    exp_labels: { ...testCase.labels, severity: rule.severity },
                                    exp_annotations: { summary: testCase.summary, description: rule.description, runbook_url: runbookUrl(runbookBase, rule.alert) },
                                },
                            ],
                        },
                    ],
                },
                {
                    name: `${testCase.alert} stays quiet`,
                    interval: "1m",
                    input_series: series(testCase.quiet),
                    alert_rule_test: [{ eval_time: `${testCase.evalMinutes}m`, alertname: testCase.alert, exp_alerts: [] }],
                },
            ];
        }),
    };
}

describe("alert rules (typed data -> PrometheusRule)", () => {
    it("every rule has a summary, a severity, a runbook annotation and a promtool case; every case a rule", () => {
        const spec = prometheusRuleSpec(alertRules, runbookBase);
        const rendered = spec.groups.flatMap((group) => group.rules);
        assert.strictEqual(rendered.length, alertRules.length);
        for (const rule of rendered) {
            assert.ok(rule.annotations.summary.length > 10, `${rule.alert}: summary`);
            assert.ok(["critical", "warning"].includes(rule.labels.severity), `${rule.alert}: severity`);
            assert.strictEqual(rule.annotations.runbook_url, `${runbookBase}#${rule.alert.toLowerCase()}`);
        }
        assert.deepStrictEqual(alertCases.map((c) => c.alert).sort(), alertRules.map((r) => r.alert).sort(), "one promtool case per alert rule");
        assert.strictEqual(new Set(alertRules.map((rule) => rule.alert)).size, alertRules.length, "alert names are unique");
    });

    it("covers the collector, Fluent Bit, admission webhooks, certificates and runtime security", () => {
        const groups = prometheusRuleSpec(alertRules, runbookBase).groups.map((group) => group.name);
        assert.deepStrictEqual(groups, ["bulwark-collector", "bulwark-fluent-bit", "bulwark-admission", "bulwark-certificates", "bulwark-runtime-security"]);
    });

    it("every rule has a runbook section (docs/runbooks.md)", () => {
        const runbook = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "runbooks.md"), "utf8");
        for (const rule of alertRules) assert.match(runbook, new RegExp(`^## ${rule.alert}$`, "m"), `docs/runbooks.md lacks '## ${rule.alert}'`);
    });

    describe("promtool (real)", function () {
        let promtool: string;
        let dir: string;
        before(function () {
            promtool = requirePromtool(this);
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-promtool-"));
            fs.writeFileSync(path.join(dir, "rules.yaml"), yaml.dump(prometheusRuleSpec(alertRules, runbookBase)));
            fs.writeFileSync(path.join(dir, "tests.yaml"), yaml.dump(promtoolTests("rules.yaml"), { lineWidth: -1 }));
        });
        after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

        it("`promtool check rules` accepts the rule file", () => {
            assert.match(runPromtool(promtool, ["check", "rules", "rules.yaml"], dir), new RegExp(`SUCCESS: ${alertRules.length} rules found`));
        });

        it("`promtool test rules`: every alert fires on its failure series and stays quiet on the healthy ones", () => {
            assert.match(runPromtool(promtool, ["test", "rules", "tests.yaml"], dir), /SUCCESS/);
        });
    });
});
