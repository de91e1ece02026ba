import { podSpecPaths } from "../../../guardrails/mutations/apply";
import { MutationContext, MutationDefinition } from "../../../guardrails/mutations/types";
import { kindResources } from "../common";

/** Gatekeeper location syntax: keyed list elements `containers[name:*]`, quoted keys with dots or slashes. */
const locationSegment = (segment: string) => (/^[A-Za-z0-9_]+$/.test(segment) ? segment : `"${segment}"`);

/** Kinds grouped by where their pod spec lives: one Assign per shape, since `location` is one path. */
function shapes(kinds: readonly string[]): { specPath: readonly string[]; kinds: string[] }[] {
    const byPath = new Map<string, { specPath: readonly string[]; kinds: string[] }>();
    for (const kind of kinds) {
        const specPath = podSpecPaths[kind];
        const key = specPath.join(".");
        const entry = byPath.get(key) ?? { specPath, kinds: [] };
        entry.kinds.push(kind);
        byPath.set(key, entry);
    }
    return [...byPath.values()];
}

function applyTo(kinds: readonly string[]) {
    const byGroup = new Map<string, string[]>();
    for (const kind of kinds) {
        const group = kindResources[kind].group;
        byGroup.set(group, [...(byGroup.get(group) ?? []), kind]);
    }
    return [...byGroup].map(([group, groupKinds]) => ({ groups: [group], kinds: groupKinds, versions: ["v1"] }));
}

const shapeName = (specPath: readonly string[]) => (specPath.length === 1 ? "pod" : specPath.length === 3 ? "tpl" : "cron");
const listName: Record<string, string> = { containers: "c", initContainers: "init", ephemeralContainers: "eph" };

/**
 * Gatekeeper mutators for one mutation: an Assign per field, container list and pod-spec shape (with
 * `pathTests: MustNotExist` on the field, so only an absent field is set), or an AssignMetadata per
 * Namespace label and annotation (which by design only ever adds a missing key).
 */
export function renderGatekeeperMutation(mutation: MutationDefinition, context: MutationContext, extraExcluded: readonly string[]): Record<string, unknown>[] {
    const excludedNamespaces = [...new Set([...context.excludedNamespaces, ...extraExcluded])];
    // The mutator CRDs accept only a name (at most 63 characters) in metadata: the name carries the mutation id.
    const metadata = (suffix: string) => {
        const name = `bulwark-${mutation.id}-${suffix}`;
        if (name.length > 63) throw new Error(`mutator name ${name} is longer than 63 characters`);
        return { name };
    };
    const assignments = mutation.assignments(context);
    if (mutation.scope.kind === "namespaceMetadata") {
        return assignments.map((assignment, index) => ({
            apiVersion: "mutations.gatekeeper.sh/v1",
            kind: "AssignMetadata",
            metadata: metadata(String(index)),
            spec: {
                match: { scope: "Cluster", kinds: [{ apiGroups: [""], kinds: ["Namespace"] }], namespaces: [...context.tenants], excludedNamespaces },
                location: `metadata.${assignment.path.map(locationSegment).join(".")}`,
                parameters: { assign: { value: assignment.value } },
            },
        }));
    }
    if (mutation.scope.kind === "podSpec") {
        // Not reached for seccomp (declared not expressible); a pod-level field without conditions would render here.
        return shapes(mutation.kinds).flatMap(({ specPath, kinds }) =>
            assignments.map((assignment, index) => {
                const location = [...specPath, ...assignment.path].map(locationSegment).join(".");
                return {
                    apiVersion: "mutations.gatekeeper.sh/v1",
                    kind: "Assign",
                    metadata: metadata(`${shapeName(specPath)}-${index}`),
                    spec: { applyTo: applyTo(kinds), match: { scope: "Namespaced", kinds: applyTo(kinds).map((entry) => ({ apiGroups: entry.groups, kinds: entry.kinds })), excludedNamespaces }, location, parameters: { pathTests: [{ subPath: location, condition: "MustNotExist" }], assign: { value: assignment.value } } },
                };
            }),
        );
    }
    const lists = mutation.scope.lists;
    return shapes(mutation.kinds).flatMap(({ specPath, kinds }) =>
        lists.flatMap((list) =>
            assignments.map((assignment, index) => {
                const location = [...specPath.map(locationSegment), `${list}[name:*]`, ...assignment.path.map(locationSegment)].join(".");
                return {
                    apiVersion: "mutations.gatekeeper.sh/v1",
                    kind: "Assign",
                    metadata: metadata(`${shapeName(specPath)}-${listName[list]}-${index}`),
                    spec: {
                        applyTo: applyTo(kinds),
                        match: { scope: "Namespaced", kinds: applyTo(kinds).map((entry) => ({ apiGroups: entry.groups, kinds: entry.kinds })), excludedNamespaces },
                        location,
                        parameters: { pathTests: [{ subPath: location, condition: "MustNotExist" }], assign: { value: assignment.value } },
                    },
                };
            }),
        ),
    );
}
