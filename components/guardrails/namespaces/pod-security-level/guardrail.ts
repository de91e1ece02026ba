import { namespaceEnforceLabel, podSecurityReasonAnnotation as reasonAnnotation } from "../../../pod-security/labels";
import { GuardrailDefinition } from "../../types";


export const namespacePodSecurityLevel: GuardrailDefinition = {
    id: "namespace-pod-security-level",
    title: "Namespaces enforce Pod Security restricted unless they are a declared exception",
    rationale:
        "Pod Security Admission only protects a namespace that carries its labels. Anything below restricted must be a declared, justified exception so that reviews see every weakening.",
    severity: "critical",
    capability: 6,
    kinds: ["Namespace"],
    usesData: true,
    cel: {
        variables: [
            {
                name: "enforce",
                expression: `has(object.metadata.labels) && '${namespaceEnforceLabel}' in object.metadata.labels ? object.metadata.labels['${namespaceEnforceLabel}'] : 'privileged'`,
            },
            {
                name: "allowed",
                expression: "('namespace-level.' + object.metadata.name) in variables.guardrailData ? variables.guardrailData['namespace-level.' + object.metadata.name] : 'restricted'",
            },
            {
                name: "reason",
                expression: `has(object.metadata.annotations) && '${reasonAnnotation}' in object.metadata.annotations ? object.metadata.annotations['${reasonAnnotation}'] : ''`,
            },
        ],
        validations: [
            {
                expression:
                    "variables.enforce == 'restricted' || (variables.enforce == 'baseline' && variables.allowed != 'restricted') || (variables.enforce == 'privileged' && variables.allowed == 'privileged')",
                message: "the namespace must enforce Pod Security restricted unless it is a declared exception",
                messageExpression:
                    "'namespace ' + object.metadata.name + ' enforces Pod Security ' + variables.enforce + ' but may enforce no lower than ' + variables.allowed + ' (declare an exception with a reason in bulwark:platform.podSecurity.exceptions)'",
            },
            {
                expression: "variables.enforce == 'restricted' || variables.reason.size() > 0",
                message: `a namespace below restricted must carry its reason in the ${reasonAnnotation} annotation`,
                messageExpression: `'namespace ' + object.metadata.name + ' enforces ' + variables.enforce + ' without a ${reasonAnnotation} annotation'`,
            },
        ],
    },
    fixturesDir: __dirname,
};
