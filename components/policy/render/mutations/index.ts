import { podSpecPaths } from "../../../guardrails/mutations/apply";
import { mutationCatalog } from "../../../guardrails/mutations/catalog";
import { MutationContext, MutationDefinition, MutationEngine } from "../../../guardrails/mutations/types";
import { gatekeeperNamespace } from "../gatekeeper";
import { guardrailAnnotations, kindResources, managedLabels } from "../common";
import { kyvernoNamespace } from "../kyverno";
import { renderGatekeeperMutation } from "./gatekeeper";
import { mutationExpressions, podSpecMutationVariables } from "./cel";

/** Object name of a mutation's policy: `bulwark-<id>`. */
export const mutationPolicyName = (mutation: MutationDefinition) => `bulwark-${mutation.id}`;

/** Mutations an engine leaves out in this stack, with why: turned off by the stack, or not expressible. */
export function skippedMutations(engine: MutationEngine, context: MutationContext): { id: string; reason: string }[] {
    return mutationCatalog.flatMap((mutation) => {
        const reason = context.disabled[mutation.id] ?? mutation.notExpressibleIn?.[engine];
        return reason === undefined ? [] : [{ id: mutation.id, reason }];
    });
}

/** True when the mutation renders for this engine and stack (on, expressible, and with something to set). */
export function rendersFor(mutation: MutationDefinition, engine: MutationEngine, context: MutationContext): boolean {
    if (mutation.id in context.disabled || mutation.notExpressibleIn?.[engine] !== undefined) return false;
    if (mutation.scope.kind === "namespaceMetadata") return context.tenants.length > 0 && mutation.assignments(context).length > 0;
    return true;
}

/**
 * `resourceRules` of a mutation. Pods are mutated on CREATE only (a running Pod's containers are
 * immutable); controllers and Namespaces on CREATE and UPDATE.
 */
export function mutationResourceRules(mutation: MutationDefinition) {
    const rules = new Map<string, { group: string; resources: string[]; operations: string[] }>();
    for (const kind of mutation.kinds) {
        const target = kindResources[kind];
        if (target === undefined) throw new Error(`mutation ${mutation.id}: no resource mapping for kind ${kind}`);
        const operations = kind === "Pod" ? ["CREATE"] : ["CREATE", "UPDATE"];
        const key = `${target.group}|${operations.join(",")}`;
        const rule = rules.get(key) ?? { group: target.group, resources: [], operations };
        rule.resources.push(target.resource);
        rules.set(key, rule);
    }
    return [...rules.values()].map((rule) => ({ apiGroups: [rule.group], apiVersions: ["*"], resources: rule.resources, operations: rule.operations }));
}

/** Never the excluded namespaces (system, engines, platform, exceptions). */
export function mutationNamespaceSelector(context: MutationContext, extraExcluded: readonly string[] = []) {
    return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...new Set([...context.excludedNamespaces, ...extraExcluded])] }] };
}

function celMutationSpec(mutation: MutationDefinition, context: MutationContext) {
    return {
        // A security default that cannot be applied rejects the request rather than admit it undefaulted.
        failurePolicy: "Fail",
        // Another mutator may add a container after this one ran: run again if the object changed.
        reinvocationPolicy: "IfNeeded",
        // No empty list: the API server drops it, and `pulumi up` would then see a change on every run.
        ...(mutation.scope.kind === "namespaceMetadata" ? {} : { variables: podSpecMutationVariables(mutation.kinds) }),
        mutations: mutationExpressions(mutation, context).map((expression) => ({ patchType: "JSONPatch", jsonPatch: { expression } })),
    };
}

/** Native MutatingAdmissionPolicy + binding (admissionregistration.k8s.io/v1, GA in Kubernetes 1.36). */
export function renderMutatingAdmissionPolicy(mutation: MutationDefinition, context: MutationContext): Record<string, unknown>[] {
    const name = mutationPolicyName(mutation);
    return [
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingAdmissionPolicy",
            metadata: { name, labels: managedLabels, annotations: guardrailAnnotations(mutation) },
            spec: { matchConstraints: { resourceRules: mutationResourceRules(mutation) }, ...celMutationSpec(mutation, context) },
        },
        {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingAdmissionPolicyBinding",
            metadata: { name, labels: managedLabels },
            spec: { policyName: name, matchResources: { namespaceSelector: mutationNamespaceSelector(context) } },
        },
    ];
}

/** Kyverno MutatingPolicy (policies.kyverno.io/v1): the same JSONPatch CEL, run by Kyverno. */
export function renderKyvernoMutation(mutation: MutationDefinition, context: MutationContext): Record<string, unknown>[] {
    return [
        {
            apiVersion: "policies.kyverno.io/v1",
            kind: "MutatingPolicy",
            metadata: { name: mutationPolicyName(mutation), labels: managedLabels, annotations: guardrailAnnotations(mutation) },
            spec: {
                matchConstraints: { resourceRules: mutationResourceRules(mutation), namespaceSelector: mutationNamespaceSelector(context, [kyvernoNamespace]) },
                ...celMutationSpec(mutation, context),
            },
        },
    ];
}

/** Every mutation object the engine needs for this stack, in catalog order. */
export function renderMutationPolicies(engine: MutationEngine, context: MutationContext, mutations: readonly MutationDefinition[] = mutationCatalog): Record<string, unknown>[] {
    return mutations
        .filter((mutation) => rendersFor(mutation, engine, context))
        .flatMap((mutation) => {
            switch (engine) {
                case "vap":
                    return renderMutatingAdmissionPolicy(mutation, context);
                case "kyverno":
                    return renderKyvernoMutation(mutation, context);
                case "gatekeeper":
                    return renderGatekeeperMutation(mutation, context, [gatekeeperNamespace]);
            }
        });
}

export { podSpecPaths };
