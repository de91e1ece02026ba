import { podSpecGuardrail } from "../../pod-spec-guardrail";

const metadata = "variables.podTemplate.metadata";
const istioOptOut = (field: string) =>
    `(has(${metadata}.${field}) && 'sidecar.istio.io/inject' in ${metadata}.${field} && ${metadata}.${field}['sidecar.istio.io/inject'] == 'false')`;
const linkerdOptOut = `(has(${metadata}.annotations) && 'linkerd.io/inject' in ${metadata}.annotations && ${metadata}.annotations['linkerd.io/inject'] == 'disabled')`;

export const meshInjectionNotDisabled = podSpecGuardrail({
    id: "mesh-injection-not-disabled",
    title: "Workload pods do not opt out of the mesh",
    rationale: "A workload that opts out of injection talks plaintext and bypasses mesh identity and authorization. Platform and exception namespaces may opt out.",
    severity: "high",
    capability: 5,
    usesData: true,
    variables: [
        {
            name: "isWorkload",
            expression:
                "!has(object.metadata.namespace) || !(('namespace-role.' + object.metadata.namespace) in variables.guardrailData) || variables.guardrailData['namespace-role.' + object.metadata.namespace] == 'tenant'",
        },
    ],
    validations: [
        {
            expression: `!variables.isWorkload || !has(${metadata}) || !(${istioOptOut("labels")} || ${istioOptOut("annotations")} || ${linkerdOptOut})`,
            message: "workload pods must not set sidecar.istio.io/inject=false or linkerd.io/inject=disabled",
        },
    ],
    fixturesDir: __dirname,
});
