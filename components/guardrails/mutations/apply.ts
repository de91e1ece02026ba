import { ContainerCondition, ContainerList, MutationAssignment, MutationChange, MutationContext, MutationDefinition, MutationValue } from "./types";

type Json = Record<string, unknown>;
type Path = readonly (string | number)[];

/** Every kind carrying a pod spec that the pod-level mutations cover, and where its pod spec lives. */
export const podSpecPaths: Readonly<Record<string, readonly string[]>> = {
    Pod: ["spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};
export const podMutationKinds = Object.keys(podSpecPaths);
export const allContainerLists: readonly ContainerList[] = ["containers", "initContainers", "ephemeralContainers"];

function isRecord(value: unknown): value is Json {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function get(root: unknown, path: Path): unknown {
    let current = root;
    for (const key of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

/** Kubernetes treats an explicit null as unset. */
const absent = (value: unknown) => value === undefined || value === null;

/** A deep copy of a JSON value (mutation values are shared constants). */
function copy<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Sets `value` at `path` below `root` only when the field is absent, creating missing parents.
 * Returns false (and changes nothing) when the field is present or a parent is not an object:
 * a malformed object is left for validation to report, never "repaired".
 */
function setIfAbsent(root: Json, path: readonly string[], value: MutationValue): boolean {
    let current: Json = root;
    for (const [index, key] of path.entries()) {
        const last = index === path.length - 1;
        const next = current[key];
        if (last) {
            if (!absent(next)) return false;
            current[key] = copy(value);
            return true;
        }
        if (absent(next)) {
            current[key] = {};
        } else if (!isRecord(next)) {
            return false;
        }
        current = current[key] as Json;
    }
    return false;
}

function containersOf(podSpec: Json, lists: readonly ContainerList[]): { list: ContainerList; index: number; container: Json }[] {
    return lists.flatMap((list) => {
        const containers = podSpec[list];
        if (!Array.isArray(containers)) return [];
        return containers.flatMap((container, index) => (isRecord(container) ? [{ list, index, container }] : []));
    });
}

function anyContainerSets(podSpec: Json, path: readonly string[]): boolean {
    return containersOf(podSpec, allContainerLists).some(({ container }) => !absent(get(container, path)));
}

/** True when the container matches the condition (see `MutationAssignment.unlessContainer`). */
export function containerMatches(container: Json, condition: ContainerCondition): boolean {
    const value = get(container, condition.path);
    if (condition.equals !== undefined) return value === condition.equals;
    return Array.isArray(value) && value.some((item) => typeof item === "string" && (condition.includesAnyOf ?? []).includes(item));
}

function namespaceOf(object: Json): string | undefined {
    const namespace = get(object, ["metadata", "namespace"]);
    return typeof namespace === "string" ? namespace : undefined;
}

/** True when the mutation may touch this object at all: its kind, its namespace, its off switch. */
export function mutationApplies(mutation: MutationDefinition, object: Json, context: MutationContext): boolean {
    if (mutation.id in context.disabled) return false;
    if (typeof object.kind !== "string" || !mutation.kinds.includes(object.kind)) return false;
    if (mutation.scope.kind === "namespaceMetadata") {
        const name = get(object, ["metadata", "name"]);
        return typeof name === "string" && context.tenants.includes(name) && !context.excludedNamespaces.includes(name);
    }
    const namespace = namespaceOf(object);
    return namespace === undefined || !context.excludedNamespaces.includes(namespace);
}

/** Applies one mutation to `object` in place; returns the fields it set. */
function applyOne(mutation: MutationDefinition, object: Json, context: MutationContext): MutationChange[] {
    if (!mutationApplies(mutation, object, context)) return [];
    const changes: MutationChange[] = [];
    const assign = (root: Json, rootPath: Path, assignment: MutationAssignment) => {
        if (setIfAbsent(root, assignment.path, assignment.value)) changes.push({ mutation: mutation.id, path: [...rootPath, ...assignment.path], value: assignment.value });
    };
    const assignments = mutation.assignments(context);
    if (mutation.scope.kind === "namespaceMetadata") {
        // Label and annotation keys hold dots and slashes: one path element each.
        for (const assignment of assignments) assign(object.metadata as Json, ["metadata"], assignment);
        return changes;
    }
    const specPath = podSpecPaths[String(object.kind)];
    const podSpec = get(object, specPath);
    if (specPath === undefined || !isRecord(podSpec)) return [];
    if (mutation.scope.kind === "podSpec") {
        for (const assignment of assignments) {
            if (assignment.unlessAnyContainerSets !== undefined && anyContainerSets(podSpec, assignment.unlessAnyContainerSets)) continue;
            assign(podSpec, specPath, assignment);
        }
        return changes;
    }
    for (const { list, index, container } of containersOf(podSpec, mutation.scope.lists)) {
        for (const assignment of assignments) {
            if (assignment.unlessContainer?.some((condition) => containerMatches(container, condition))) continue;
            assign(container, [...specPath, list, index], assignment);
        }
    }
    return changes;
}

/**
 * The one applier behind CrossGuard remediation and `bulwark fix`: every mutation in order on a
 * copy of `object`. Returns the defaulted object and each field set (empty when nothing changed).
 */
export function applyMutations(object: Record<string, unknown>, context: MutationContext, mutations: readonly MutationDefinition[]): { object: Record<string, unknown>; changes: MutationChange[] } {
    const result = copy(object) as Json;
    const changes = mutations.flatMap((mutation) => applyOne(mutation, result, context));
    return { object: changes.length === 0 ? object : result, changes };
}

/** `spec.template.spec.containers[web].securityContext.allowPrivilegeEscalation`-style text for a change. */
export function describePath(object: Record<string, unknown>, path: Path): string {
    let text = "";
    for (const [index, key] of path.entries()) {
        if (typeof key === "number") {
            const name = get(object, [...path.slice(0, index), key, "name"]);
            text += typeof name === "string" ? `[${name}]` : `[${key}]`;
        } else {
            text += /^[A-Za-z0-9_]+$/.test(key) ? `${text === "" ? "" : "."}${key}` : `[${JSON.stringify(key)}]`;
        }
    }
    return text;
}
