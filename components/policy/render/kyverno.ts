import { GuardrailDefinition, GuardrailData } from "../../guardrails/types";
import { EnforcementMode } from "../../settings";
import { celDataLiteral, guardrailAnnotations, managedLabels, namespaceSelector, policyName, resourceRules, validationActions } from "./common";

/** The namespace the Kyverno chart installs into; excluded from its own policies. */
export const kyvernoNamespace = "kyverno";

/**
 * A Kyverno ValidatingPolicy (policies.kyverno.io/v1) for one guardrail: the same CEL text as the
 * native policy, evaluated by Kyverno, which adds background scans and policy reports.
 */
export function renderKyverno(guardrail: GuardrailDefinition, mode: EnforcementMode, data: GuardrailData): Record<string, unknown>[] {
    return [
        {
            apiVersion: "policies.kyverno.io/v1",
            kind: "ValidatingPolicy",
            metadata: { name: policyName(guardrail), labels: managedLabels, annotations: guardrailAnnotations(guardrail) },
            spec: {
                failurePolicy: "Fail",
                validationActions: validationActions(mode),
                evaluation: { background: { enabled: true } },
                matchConstraints: {
                    resourceRules: resourceRules(guardrail),
                    namespaceSelector: namespaceSelector(guardrail, [kyvernoNamespace]),
                },
                variables: [
                    ...(guardrail.usesData ? [{ name: "guardrailData", expression: celDataLiteral(data) }] : []),
                    ...guardrail.cel.variables.map((variable) => ({ name: variable.name, expression: variable.expression })),
                ],
                validations: guardrail.cel.validations.map((validation) => ({
                    expression: validation.expression,
                    message: validation.message,
                    ...(validation.messageExpression === undefined ? {} : { messageExpression: validation.messageExpression }),
                })),
            },
        },
    ];
}
