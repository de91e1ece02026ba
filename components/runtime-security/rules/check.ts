import { falcoEventTypes, knownFalcoFields } from "./fields";
import { FalcoRuleSet } from "./model";

/** Words of Falco's condition language (https://falco.org/docs/rules/conditions/). */
const conditionKeywords = new Set([
    "and", "or", "not", "in", "true", "false", "intersects", "pmatch", "startswith", "endswith", "contains", "icontains", "bcontains", "bstartswith", "glob", "iglob", "exists", "regex",
]);

/** Where a condition's identifiers point. */
export interface ConditionReferences {
    readonly fields: string[];
    readonly names: string[];
}

/**
 * The fields and bare names (macros, lists, event types) a condition uses. Hand-rolled because no
 * maintained JavaScript parser of Falco's condition language exists; quoted strings and numbers are
 * values and are skipped, everything else with a dot is a field.
 */
export function conditionReferences(condition: string): ConditionReferences {
    const withoutStrings = condition.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    const fields: string[] = [];
    const names: string[] = [];
    for (const match of withoutStrings.matchAll(/[A-Za-z_][A-Za-z0-9_.]*(\[[^\]]*\])?/g)) {
        const token = match[0].replace(/\[.*$/, "");
        if (token.includes(".")) fields.push(token);
        else if (!conditionKeywords.has(token)) names.push(token);
    }
    return { fields, names };
}

/** Fields an output template prints (`%proc.name`). */
export function outputFields(output: string): string[] {
    return [...output.matchAll(/%([a-z0-9_]+\.[A-Za-z0-9_.]+)(\[[^\]]*\])?/g)].map((match) => match[1]);
}

/** True for a field in the known-field data (`evt.arg.<name>` and `evt.rawarg.<name>` address any argument). */
export function isKnownField(field: string): boolean {
    return knownFalcoFields.has(field) || /^evt\.(raw)?arg\.[a-z_][a-z0-9_]*$/.test(field);
}

/**
 * Every problem of a rule set, `[]` when it is well-formed: required fields present, names unique,
 * every macro and list defined before use, every field known, every exception item with a reason,
 * and no list or macro left unused (an exception that no rule reads changes nothing).
 */
export function checkRuleSet(set: FalcoRuleSet): string[] {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const declare = (kind: string, name: string) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && kind !== "rule") problems.push(`${kind} '${name}': name must be an identifier`);
        const previous = seen.get(name);
        if (previous !== undefined) problems.push(`${kind} '${name}': name already used by a ${previous}`);
        seen.set(name, kind);
    };
    const lists = new Set<string>();
    const macros = new Set<string>();
    const used = new Set<string>();
    const checkExpression = (where: string, condition: string) => {
        const references = conditionReferences(condition);
        for (const field of references.fields) if (!isKnownField(field)) problems.push(`${where}: unknown Falco field '${field}'`);
        for (const name of references.names) {
            if (lists.has(name) || macros.has(name)) used.add(name);
            else if (!falcoEventTypes.has(name)) problems.push(`${where}: '${name}' is not a macro or list defined before it, nor an event type`);
        }
    };
    for (const list of set.lists) {
        declare("list", list.name);
        lists.add(list.name);
        if (list.exception) for (const item of list.items) if ((item.reason ?? "").trim().length < 20) problems.push(`list '${list.name}': item '${item.value}' has no written reason`);
    }
    for (const macro of set.macros) {
        declare("macro", macro.name);
        if (macro.condition.trim() === "") problems.push(`macro '${macro.name}': empty condition`);
        checkExpression(`macro '${macro.name}'`, macro.condition);
        macros.add(macro.name);
    }
    for (const rule of set.rules) {
        declare("rule", rule.name);
        for (const key of ["name", "description", "condition", "output", "priority"] as const) if (String(rule[key]).trim() === "") problems.push(`rule '${rule.name}': ${key} is empty`);
        if (rule.tags.length === 0) problems.push(`rule '${rule.name}': no tags`);
        checkExpression(`rule '${rule.name}'`, rule.condition);
        for (const field of outputFields(rule.output)) if (!isKnownField(field)) problems.push(`rule '${rule.name}' output: unknown Falco field '${field}'`);
    }
    for (const name of [...lists, ...macros]) if (!used.has(name)) problems.push(`${lists.has(name) ? "list" : "macro"} '${name}' is never used`);
    return problems;
}
