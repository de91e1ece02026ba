import { GuardrailDefinition, GuardrailData } from "../../guardrails/types";
import { EnforcementMode } from "../../settings";
import { celDataLiteral, guardrailAnnotations, managedLabels, namespaceSelector, policyName, resourceRules, validationActions } from "./common";

/**
 * Native ValidatingAdmissionPolicy + Binding for one guardrail. The guardrail data is inlined as a
 * CEL map literal (per-stack output), so no parameter object has to exist before the policy works.
 */
export function renderVap(guardrail: GuardrailDefinition, mode: EnforcementMode, data: GuardrailData): Record<string, unknown>[] {
    const name = policyName(guardrail);
    const variables = [
        ...(guardrail.usesData ? [{ name: "guardrailData", expression: celDataLiteral(data) }] : []),
        ...guardrail.cel.variables.map((variable) => ({ name: variable.name, expression: variable.expression })),
    ];
    const policy = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name, labels: managedLabels, annotations: guardrailAnnotations(guardrail) },
        spec: {
            // Security guardrails fail closed: an evaluation error denies rather than admits.
            failurePolicy: "Fail",
            matchConstraints: { resourceRules: resourceRules(guardrail) },
            variables,
            validations: guardrail.cel.validations.map((validation) => ({
                expression: validation.expression,
                message: validation.message,
                ...(validation.messageExpression === undefined ? {} : { messageExpression: validation.messageExpression }),
            })),
        },
    };
    const binding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name, labels: managedLabels },
        spec: {
            policyName: name,
            validationActions: validationActions(mode),
            matchResources: { namespaceSelector: namespaceSelector(guardrail) },
        },
    };
    return [policy, binding];
}
