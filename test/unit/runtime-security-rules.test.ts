import * as assert from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { parsePlatformSettings, runtimeExceptionLists } from "../../components/settings";
import { checkRuleSet, conditionReferences, isKnownField, outputFields } from "../../components/runtime-security/rules/check";
import { falcoFields, falcoFieldSource } from "../../components/runtime-security/rules/fields";
import { platformExceptions } from "../../components/runtime-security/rules/lists";
import { DetectionIntent } from "../../components/runtime-security/rules/model";
import { falcoRuleEntries, renderFalcoRules } from "../../components/runtime-security/rules/render";
import { falcoRuleSet, rules } from "../../components/runtime-security/rules/rules";
import { requireSharedDir, sharedDir } from "../support/shared";

const falcoSchemasDir = path.join(sharedDir, "schemas", "falco");
const reason = "Tenants reach the managed PostgreSQL database on 5432.";

function runtimeSettings(runtimeSecurity: unknown = "falco") {
    return parsePlatformSettings({ runtimeSecurity }, "inline", "unit").runtimeSecurity;
}

describe("Falco rules as typed data (generator)", () => {
    const set = falcoRuleSet(runtimeSettings(), ["checkout", "catalog"]);

    it("has one rule per detection intent of the issue", () => {
        const intents: DetectionIntent[] = ["shell-in-container", "sensitive-file-read", "system-dir-write", "package-manager-in-container", "unexpected-egress", "privilege-escalation", "crypto-miner"];
        assert.deepStrictEqual(rules.map((rule) => rule.intent).sort(), [...intents].sort());
    });

    it("is well-formed: required fields, unique names, every macro and list defined before use, every field known, nothing unused", () => {
        assert.deepStrictEqual(checkRuleSet(set), []);
        for (const rule of set.rules) {
            for (const key of ["name", "description", "condition", "output", "priority"] as const) assert.ok(rule[key].length > 0, `${rule.name}: ${key}`);
            assert.ok(rule.tags.length > 0 && rule.tags.includes("bulwark"), rule.name);
            // Every alert carries the workload's namespace, pod and container.
            for (const field of ["k8s.ns.name", "k8s.pod.name", "container.name"]) assert.ok(outputFields(rule.output).includes(field), `${rule.name} output lacks ${field}`);
        }
    });

    // Each case breaks one property; the checker must name it (it can fail).
    const broken: [string, (entries: ReturnType<typeof falcoRuleSet>) => ReturnType<typeof falcoRuleSet>, RegExp][] = [
        ["an unknown field", (s) => ({ ...s, rules: [{ ...s.rules[0], condition: `${s.rules[0].condition} and proc.nmae = "x"` }, ...s.rules.slice(1)] }), /unknown Falco field 'proc\.nmae'/],
        ["an undefined macro", (s) => ({ ...s, rules: [{ ...s.rules[0], condition: `${s.rules[0].condition} and not bulwark_nothing` }, ...s.rules.slice(1)] }), /'bulwark_nothing' is not a macro or list/],
        ["a duplicate rule name", (s) => ({ ...s, rules: [...s.rules, s.rules[0]] }), /name already used by a rule/],
        ["an exception without a reason", (s) => ({ ...s, lists: s.lists.map((list) => (list.name === "bulwark_allowed_egress_ports" ? { ...list, items: [...list.items, { value: 8080 }] } : list)) }), /item '8080' has no written reason/],
        ["an unused list", (s) => ({ ...s, lists: [...s.lists, { name: "bulwark_orphan", description: "x", exception: false, items: [] }] }), /list 'bulwark_orphan' is never used/],
        ["an unknown output field", (s) => ({ ...s, rules: [{ ...s.rules[0], output: `${s.rules[0].output} %k8s.namespace` }, ...s.rules.slice(1)] }), /output: unknown Falco field 'k8s\.namespace'/],
        ["a macro used before its definition", (s) => ({ ...s, macros: [{ name: "bulwark_early", condition: "bulwark_container" }, ...s.macros], rules: [{ ...s.rules[0], condition: `${s.rules[0].condition} and bulwark_early` }, ...s.rules.slice(1)] }), /macro 'bulwark_early': 'bulwark_container' is not a macro or list defined before it/],
    ];
    for (const [title, mutate, expected] of broken) {
        it(`rejects ${title}`, () => {
            const problems = checkRuleSet(mutate(set));
            assert.ok(problems.some((problem) => expected.test(problem)), problems.join("\n"));
            assert.throws(() => renderFalcoRules(mutate(set)), /not well-formed/);
        });
    }

    it("applies stack exceptions as list items with reasons, never by editing a condition", () => {
        const withException = falcoRuleSet(runtimeSettings({ sensor: "falco", exceptions: [{ list: "bulwark_allowed_egress_ports", items: [5432], reason }] }), ["checkout"]);
        const ports = withException.lists.find((list) => list.name === "bulwark_allowed_egress_ports")!;
        assert.deepStrictEqual(ports.items.map((item) => item.value), [...platformExceptions.bulwark_allowed_egress_ports.map((item) => item.value), 5432]);
        assert.strictEqual(ports.items.at(-1)!.reason, reason);
        assert.deepStrictEqual(withException.rules, set.rules, "conditions are the same with and without exceptions");
        const text = renderFalcoRules(withException);
        assert.match(text, /# {3}5432: Tenants reach the managed PostgreSQL database on 5432\./);
        // Every exception list is read by some rule, negated: an item really exempts.
        for (const list of runtimeExceptionLists) {
            assert.ok(set.rules.some((rule) => new RegExp(`not [a-z._]+ (in|pmatch) \\(${list}\\)`).test(rule.condition)), `${list} is not an exception in any rule`);
        }
    });

    it("puts the stack's workload namespaces in the egress rule's list", () => {
        const namespaces = set.lists.find((list) => list.name === "bulwark_workload_namespaces")!;
        assert.deepStrictEqual(namespaces.items.map((item) => item.value), ["catalog", "checkout"]);
    });

    it("renders deterministically, and the YAML reads back as the entries", () => {
        const text = renderFalcoRules(set);
        assert.strictEqual(renderFalcoRules(falcoRuleSet(runtimeSettings(), ["catalog", "checkout"])), text);
        assert.deepStrictEqual(yaml.load(text), falcoRuleEntries(set));
    });

    it("validates against Falco's rules schema (../shared/schemas/falco)", function () {
        requireSharedDir(this, falcoSchemasDir);
        const schema = JSON.parse(fs.readFileSync(path.join(falcoSchemasDir, "falco-rules.schema.json"), "utf8")) as Record<string, unknown>;
        delete schema.$schema; // draft-06 metaschema id; the keywords used are the same in ajv's draft-07
        const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
        const loaded = yaml.load(renderFalcoRules(set));
        assert.ok(validate(loaded), new Ajv().errorsText(validate.errors));
        // The schema can fail: a misspelled key and an unknown priority are refused.
        assert.ok(!validate([{ rule: "x", desc: "x", condition: "x", output: "x", priority: "SEVERE" }]));
        assert.ok(!validate([{ rule: "x", descr: "x" }]));
    });

    it(`knows every field the upstream default rules use (field list source: ${falcoFieldSource.split(" ")[0]})`, function () {
        requireSharedDir(this, falcoSchemasDir);
        const upstream = yaml.load(fs.readFileSync(path.join(falcoSchemasDir, "falco_rules.yaml"), "utf8")) as { condition?: string; output?: string }[];
        const unknown = new Set<string>();
        for (const entry of upstream) {
            for (const field of conditionReferences(entry.condition ?? "").fields) if (!isKnownField(field)) unknown.add(field);
            for (const field of outputFields(entry.output ?? "")) if (!isKnownField(field)) unknown.add(field);
        }
        // Upstream writes some values bare (image and file names with dots); a token counts as a field
        // when its first segment is a field class.
        const fieldLike = [...unknown].filter((token) => Object.keys(falcoFields).includes(token.split(".")[0]));
        assert.deepStrictEqual(fieldLike.sort(), []);
        assert.ok(unknown.size < 50, "the value filter must not hide the check");
    });
});

describe("runtime-security alerts in the logs pipeline (OTTL statements)", () => {
    it("map every priority a rule can raise to an OpenTelemetry severity, as Falco writes it in JSON", async () => {
        const { falcoSeverityNumbers, runtimeSecurityLogStatements } = await import("../../components/runtime-security/alertLogs");
        const asWritten = (priority: string) => priority.charAt(0) + priority.slice(1).toLowerCase();
        for (const rule of rules) assert.ok(falcoSeverityNumbers[asWritten(rule.priority)] !== undefined, rule.priority);
        // Severity is ordered: a critical event outranks a warning.
        assert.ok(falcoSeverityNumbers.Critical > falcoSeverityNumbers.Error && falcoSeverityNumbers.Error > falcoSeverityNumbers.Warning);
        const statements = runtimeSecurityLogStatements();
        for (const attribute of ["security_rule.name", "k8s.namespace.name", "k8s.pod.name", "k8s.container.name"]) assert.ok(statements.some((statement) => statement.includes(`attributes["${attribute}"]`)), attribute);
    });
});
