import { GuardrailDefinition, GuardrailData } from "../../guardrails/types";
import { EnforcementMode } from "../../settings";
import { guardrailAnnotations, kindResources, managedLabels, namespaceSelector, systemNamespaces } from "./common";

/** The namespace the Gatekeeper chart installs into; excluded from its own constraints. */
export const gatekeeperNamespace = "gatekeeper-system";

/** `BulwarkPssPrivileged` for `pss-privileged`: the Constraint kind (and, lower-cased, the template name). */
export function constraintKind(guardrailId: string): string {
    return `Bulwark${guardrailId
        .split("-")
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join("")}`;
}

/** Gatekeeper's `match.kinds` for a set of kinds, grouped by API group. */
export function matchKinds(kinds: readonly string[]) {
    const byGroup = new Map<string, string[]>();
    for (const kind of kinds) {
        const group = kindResources[kind]?.group;
        if (group === undefined) throw new Error(`no API group known for kind ${kind}`);
        byGroup.set(group, [...(byGroup.get(group) ?? []), kind]);
    }
    return [...byGroup].map(([group, groupKinds]) => ({ apiGroups: [group], kinds: groupKinds }));
}

/** Gatekeeper's enforcement action for the ramp. */
export function gatekeeperAction(mode: EnforcementMode): string {
    return mode === "enforce" ? "deny" : "warn";
}

/**
 * A ConstraintTemplate (CEL, K8sNativeValidation engine) and its Constraint for one guardrail. The
 * guardrail data travels as the Constraint's parameters, read as `variables.params.data`.
 */
export function renderGatekeeper(guardrail: GuardrailDefinition, mode: EnforcementMode, data: GuardrailData): Record<string, unknown>[] {
    const kind = constraintKind(guardrail.id);
    const template = {
        apiVersion: "templates.gatekeeper.sh/v1",
        kind: "ConstraintTemplate",
        metadata: { name: kind.toLowerCase(), labels: managedLabels, annotations: guardrailAnnotations(guardrail) },
        spec: {
            crd: {
                spec: {
                    names: { kind },
                    validation: {
                        openAPIV3Schema: {
                            type: "object",
                            properties: guardrail.usesData ? { data: { type: "object", additionalProperties: { type: "string" } } } : {},
                        },
                    },
                },
            },
            targets: [
                {
                    target: "admission.k8s.gatekeeper.sh",
                    code: [
                        {
                            engine: "K8sNativeValidation",
                            source: {
                                variables: [
                                    ...(guardrail.usesData ? [{ name: "guardrailData", expression: "variables.params.data" }] : []),
                                    ...guardrail.cel.variables.map((variable) => ({ name: variable.name, expression: variable.expression })),
                                ],
                                validations: guardrail.cel.validations.map((validation) => ({
                                    expression: validation.expression,
                                    message: validation.message,
                                    ...(validation.messageExpression === undefined ? {} : { messageExpression: validation.messageExpression }),
                                })),
                            },
                        },
                    ],
                },
            ],
        },
    };
    const selector = namespaceSelector(guardrail, [gatekeeperNamespace]);
    const constraint = {
        apiVersion: "constraints.gatekeeper.sh/v1beta1",
        kind,
        metadata: { name: guardrail.id, labels: managedLabels },
        spec: {
            enforcementAction: gatekeeperAction(mode),
            match: {
                kinds: matchKinds(guardrail.kinds),
                excludedNamespaces: [...systemNamespaces, gatekeeperNamespace],
                ...(guardrail.podSecurityLevel === undefined ? {} : { namespaceSelector: { matchExpressions: selector.matchExpressions.slice(1) } }),
            },
            ...(guardrail.usesData ? { parameters: { data: { ...data } } } : {}),
        },
    };
    return [template, constraint];
}
