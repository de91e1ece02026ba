import { podSpecPaths } from "../../../guardrails/mutations/apply";
import { ContainerCondition, ContainerList, MutationAssignment, MutationContext, MutationDefinition, MutationValue } from "../../../guardrails/mutations/types";
import { celString } from "../common";

/**
 * The CEL JSONPatch expressions a MutatingAdmissionPolicy and a Kyverno MutatingPolicy run for a
 * mutation. JSONPatch rather than ApplyConfiguration: apply configurations may not touch atomic
 * lists (capabilities.drop is one), and "add at the first missing level" keeps the exact semantics
 * of the TypeScript applier (only when absent, parents created, nothing present ever replaced).
 */

/** A JSON pointer segment (RFC 6901): label keys hold '/'. */
const pointerSegment = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

/** A CEL literal for a mutation value (homogeneous maps and lists, as Kubernetes CEL requires). */
export function celLiteral(value: MutationValue): string {
    if (typeof value === "string") return celString(value);
    if (typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `[${value.map((item) => celLiteral(item as MutationValue)).join(", ")}]`;
    const record = value as Record<string, MutationValue>;
    return `{${Object.keys(record)
        .sort()
        .map((key) => `${celString(key)}: ${celLiteral(record[key])}`)
        .join(", ")}}`;
}

const nestedValue = (path: readonly string[], value: MutationValue): MutationValue => path.reduceRight<MutationValue>((inner, key) => ({ [key]: inner }), value);

/** CEL presence test of `root.<path>` (map keys that are not identifiers use `in`). */
function present(root: string, path: readonly string[]): string {
    const parent = path.slice(0, -1).reduce((expression, key) => `${expression}.${key}`, root);
    const last = path[path.length - 1];
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(last) ? `has(${parent}.${last})` : `${celString(last)} in ${parent}`;
}

/**
 * `!has(a) ? add a {b: {c: v}} : !has(a.b) ? add a/b {c: v} : !has(a.b.c) ? add a/b/c v : <none>`,
 * with `wrap` turning one patch into the result type (a list, or a bare patch inside `map`).
 */
function firstMissingLevel(root: string, pointer: string, assignment: MutationAssignment, none: string, wrap: (patch: string) => string): string {
    const { path, value } = assignment;
    let expression = none;
    for (let depth = path.length; depth >= 1; depth--) {
        const patch = `JSONPatch{op: 'add', path: ${pointer} + ${celString(`/${path.slice(0, depth).map(pointerSegment).join("/")}`)}, value: ${celLiteral(nestedValue(path.slice(depth), value))}}`;
        expression = `!(${present(root, path.slice(0, depth))}) ? ${wrap(patch)} : ${expression}`;
    }
    return expression;
}

/** `!has(c.a) || !has(c.a.b) || ...`: the field is absent at some level. */
const absent = (root: string, path: readonly string[]) => path.map((_, index) => `!(${present(root, path.slice(0, index + 1))})`).join(" || ");

/** `object.kind == 'Pod' ? <Pod> : object.kind == 'CronJob' ? <CronJob> : <template>` over the kinds matched. */
function byKind(kinds: readonly string[], render: (path: readonly string[]) => string): string {
    const pod = render(podSpecPaths.Pod);
    const cron = render(podSpecPaths.CronJob);
    const template = render(podSpecPaths.Deployment);
    return kinds.includes("CronJob") ? `object.kind == 'Pod' ? ${pod} : object.kind == 'CronJob' ? ${cron} : ${template}` : `object.kind == 'Pod' ? ${pod} : ${template}`;
}

/**
 * The variables pod-spec mutations share: only where the pod spec is (it depends on the kind alone).
 *
 * The pod spec itself is not a variable. The API server evaluates `variables` afresh for each
 * mutation, on the object the previous ones produced; Kyverno evaluates them once, on the admitted
 * object, and hands that value to every mutation. A variable holding the pod spec would make every
 * mutation after the first decide on a stale spec under Kyverno (two "add /resources" patches,
 * the second one replacing the first). Each expression binds the pod spec from `object` instead.
 */
export function podSpecMutationVariables(kinds: readonly string[]): { name: string; expression: string }[] {
    return [{ name: "podSpecPointer", expression: byKind(kinds, (path) => celString(`/${path.join("/")}`)) }];
}

/**
 * `[<the pod spec of object>].map(podSpec, body)[0]`: body with `podSpec` bound to the pod spec as
 * this mutation sees it. A one-element `map` rather than `cel.bind`, which Kyverno has but the API
 * server's MutatingAdmissionPolicy environment does not declare.
 */
const withPodSpec = (kinds: readonly string[], body: string) => `[${byKind(kinds, (path) => `object.${path.join(".")}`)}].map(podSpec, ${body})[0]`;

/** Every container of the pod spec: app, init and ephemeral. */
const allContainers = "((has(podSpec.containers) ? podSpec.containers : []) + (has(podSpec.initContainers) ? podSpec.initContainers : []) + (has(podSpec.ephemeralContainers) ? podSpec.ephemeralContainers : []))";

/** CEL for a container condition on `c`: present at every level, then equal or holding one of the values. */
function containerCondition(condition: ContainerCondition): string {
    const presence = condition.path.map((_, index) => present("c", condition.path.slice(0, index + 1)));
    const field = `c.${condition.path.join(".")}`;
    const test = condition.equals !== undefined ? `${field} == ${condition.equals}` : `${field}.exists(v, v in ${celLiteral(condition.includesAnyOf ?? [])})`;
    return `(${[...presence, test].join(" && ")})`;
}

function containerListExpression(list: ContainerList, assignment: MutationAssignment): string {
    const items = `podSpec.${list}`;
    const pointer = `variables.podSpecPointer + ${celString(`/${list}/`)} + string(${items}.indexOf(c))`;
    const patch = firstMissingLevel("c", pointer, assignment, "JSONPatch{}", (single) => single);
    const held = (assignment.unlessContainer ?? []).map((condition) => ` && !${containerCondition(condition)}`).join("");
    return `has(podSpec.${list}) ? ${items}.filter(c, (${absent("c", assignment.path)})${held}).map(c, ${patch}) : []`;
}

/** One JSONPatch expression per field (and per container list): each sees the previous ones' result. */
export function mutationExpressions(mutation: MutationDefinition, context: MutationContext): string[] {
    const assignments = mutation.assignments(context);
    switch (mutation.scope.kind) {
        case "namespaceMetadata": {
            const tenants = `[${context.tenants.map(celString).join(", ")}]`;
            return assignments.map((assignment) => `object.metadata.name in ${tenants} ? (${firstMissingLevel("object.metadata", "'/metadata'", assignment, "[]", (patch) => `[${patch}]`)}) : []`);
        }
        case "podSpec":
            return assignments.map((assignment) => {
                const patch = firstMissingLevel("podSpec", "variables.podSpecPointer", assignment, "[]", (single) => `[${single}]`);
                if (assignment.unlessAnyContainerSets === undefined) return withPodSpec(mutation.kinds, patch);
                return withPodSpec(mutation.kinds, `${allContainers}.exists(c, ${assignment.unlessAnyContainerSets.map((_, index) => present("c", assignment.unlessAnyContainerSets!.slice(0, index + 1))).join(" && ")}) ? [] : (${patch})`);
            });
        case "containers": {
            const lists = mutation.scope.lists;
            return assignments.flatMap((assignment) => lists.map((list) => withPodSpec(mutation.kinds, containerListExpression(list, assignment))));
        }
    }
}
