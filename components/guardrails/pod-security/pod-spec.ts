import { CelVariable } from "../types";

/** Every kind that carries a pod spec, and so every kind a Pod Security control applies to. */
export const podSpecKinds = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
] as const;

/**
 * The variables every Pod Security control starts from. `podTemplate` has the same shape for every
 * kind (metadata + spec), so the controls below are written once for all of them.
 */
export const podSpecVariables: readonly CelVariable[] = [
    {
        name: "podTemplate",
        expression:
            "object.kind == 'Pod' ? object : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.kind == 'PodTemplate' ? object.template : object.spec.template",
    },
    { name: "podSpec", expression: "variables.podTemplate.spec" },
    {
        name: "containers",
        expression:
            "(has(variables.podSpec.containers) ? variables.podSpec.containers : []) + " +
            "(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + " +
            "(has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])",
    },
    {
        name: "isWindows",
        expression: "has(variables.podSpec.os) && has(variables.podSpec.os.name) && variables.podSpec.os.name == 'windows'",
    },
];

/** `has(c.securityContext) && has(c.securityContext.<field>)`, for a container variable `c`. */
export function containerHas(field: string, container = "c"): string {
    return `has(${container}.securityContext) && has(${container}.securityContext.${field})`;
}

/** Same, for the pod-level security context. */
export function podHas(field: string): string {
    return `has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.${field})`;
}

/** A message naming the containers a predicate selects: `<prefix>: a, b`. */
export function namingContainers(prefix: string, offending: string): string {
    return `'${prefix}: ' + variables.containers.filter(c, ${offending}).map(c, c.name).join(', ')`;
}
