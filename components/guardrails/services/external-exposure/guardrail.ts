import { dataList } from "../../pod-spec-guardrail";
import { GuardrailDefinition } from "../../types";

export const serviceExternalExposure: GuardrailDefinition = {
    id: "service-external-exposure",
    title: "NodePort and LoadBalancer Services only in namespaces configured for them",
    rationale: "A NodePort or LoadBalancer Service exposes a workload beyond the cluster network and its ingress controls; only namespaces meant for it may do so.",
    severity: "high",
    capability: 2,
    kinds: ["Service"],
    usesData: true,
    cel: {
        variables: [{ name: "externalNamespaces", expression: dataList("external-service-namespaces") }],
        validations: [
            {
                expression:
                    "!has(object.spec) || !has(object.spec.type) || !(object.spec.type in ['NodePort', 'LoadBalancer']) || (has(object.metadata.namespace) && object.metadata.namespace in variables.externalNamespaces)",
                message: "Service type NodePort or LoadBalancer is allowed only in policy.externalServiceNamespaces",
                messageExpression:
                    "'Service type ' + object.spec.type + ' is not allowed in namespace ' + (has(object.metadata.namespace) ? object.metadata.namespace : '(none)') + ' (allowed: ' + (variables.externalNamespaces.size() == 0 ? 'none' : variables.externalNamespaces.join(', ')) + ')'",
            },
        ],
    },
    fixturesDir: __dirname,
};
