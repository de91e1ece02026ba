import { GuardrailMetadata } from "../types";

/** A JSON value a mutation writes: a scalar, a list of strings, or a map of them. */
export type MutationValue = string | boolean | readonly string[] | { readonly [key: string]: MutationValue };

/** The container lists of a pod spec a container-level mutation walks. */
export type ContainerList = "containers" | "initContainers" | "ephemeralContainers";

/**
 * Where a mutation's paths start:
 * - `podSpec`: the pod spec of every pod-bearing kind (a Pod's `spec`, a Deployment's
 *   `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`);
 * - `containers`: each container of the listed container lists, matched by name;
 * - `namespaceMetadata`: `metadata` of the stack's tenant Namespaces (paths are `labels` or
 *   `annotations` and one key).
 */
export type MutationScope =
    | { readonly kind: "podSpec" }
    | { readonly kind: "containers"; readonly lists: readonly ContainerList[] }
    | { readonly kind: "namespaceMetadata" };

/**
 * One field a mutation sets: `value` at `path` (below the scope), only when that field is absent.
 * Missing parents are created; a field that is present, whatever its value, is never touched.
 */
export interface MutationAssignment {
    readonly path: readonly string[];
    readonly value: MutationValue;
    /**
     * Also leave the field alone when any container (of all three lists) sets this path: a
     * pod-level default that containers may override (seccomp) is not added over their choice.
     */
    readonly unlessAnyContainerSets?: readonly string[];
    /**
     * Container scope only: leave a container alone when it matches any of these, because the
     * default would contradict what it set explicitly (the API server rejects
     * `allowPrivilegeEscalation: false` beside `privileged: true` or an added CAP_SYS_ADMIN).
     */
    readonly unlessContainer?: readonly ContainerCondition[];
}

/** A test on a container's own field: it equals `equals`, or it is a list holding one of `includesAnyOf`. */
export interface ContainerCondition {
    readonly path: readonly string[];
    readonly equals?: boolean;
    readonly includesAnyOf?: readonly string[];
}

/**
 * Everything a mutation's values and scope depend on, resolved once from the stack settings (see
 * `mutationContextFor`). Plain JSON: it travels as CrossGuard policy config.
 */
export interface MutationContext {
    /** Mutation id to the reason it is off in this stack. */
    readonly disabled: Readonly<Record<string, string>>;
    /** Namespaces no mutation touches: the system namespaces, the engine's, the platform's and the declared exceptions. */
    readonly excludedNamespaces: readonly string[];
    /** The stack's tenant namespaces (the only Namespaces whose labels are defaulted). */
    readonly tenants: readonly string[];
    readonly resources: { readonly cpuRequest: string; readonly memoryRequest: string; readonly memoryLimit: string };
    /** Labels every tenant Namespace must carry: Pod Security labels, plus the mesh's injection label when a mesh is configured. */
    readonly tenantNamespaceLabels: Readonly<Record<string, string>>;
    /** Annotations every tenant Namespace must carry: the written reason while the ramp enforces below restricted. */
    readonly tenantNamespaceAnnotations: Readonly<Record<string, string>>;
}

/** Admission engines a mutation is rendered for. */
export type MutationEngine = "vap" | "kyverno" | "gatekeeper";

/**
 * A mutating guardrail: a safe default, defined once. `bulwark fix`, CrossGuard remediation and the
 * admission renderers (MutatingAdmissionPolicy, Kyverno MutatingPolicy, Gatekeeper Assign) all
 * read this definition; the `in-*.yaml` / `out-*.yaml` fixtures beside it prove they agree.
 */
export interface MutationDefinition extends GuardrailMetadata {
    /** Kubernetes kinds the mutation applies to. */
    readonly kinds: readonly string[];
    readonly scope: MutationScope;
    /** The fields set when absent, in order; values may come from the stack (resource defaults, labels). */
    readonly assignments: (context: MutationContext) => readonly MutationAssignment[];
    /** Validating guardrails concerning the same fields: every fixture output must pass them. */
    readonly satisfies: readonly string[];
    /** Engines that cannot express the mutation exactly, with why (reported, never silently dropped). */
    readonly notExpressibleIn?: Readonly<Partial<Record<MutationEngine, string>>>;
    /** Folder holding the `in-*.yaml` / `out-*.yaml` fixtures (and an optional `stack.yaml`). */
    readonly fixturesDir: string;
}

/** One field a mutation set on one object: the full path from the object's root, and the value. */
export interface MutationChange {
    readonly mutation: string;
    readonly path: readonly (string | number)[];
    readonly value: MutationValue;
}
