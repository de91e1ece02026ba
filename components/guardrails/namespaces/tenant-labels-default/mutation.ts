import { MutationDefinition } from "../../mutations/types";

export const tenantNamespaceLabelsDefault: MutationDefinition = {
    id: "tenant-namespace-labels-default",
    title: "Tenant Namespaces get their Pod Security labels (and the mesh's injection label) where missing",
    rationale:
        "A tenant Namespace created outside this program (kubectl, a chart, another pipeline) would otherwise run at the cluster default, privileged. Labels it sets itself are left as they are; while the ramp enforces below restricted, the written reason annotation is added too; the namespace guardrail still rejects a weaker level.",
    severity: "high",
    capability: 6,
    kinds: ["Namespace"],
    scope: { kind: "namespaceMetadata" },
    assignments: (context) => [
        ...Object.keys(context.tenantNamespaceLabels)
            .sort()
            .map((key) => ({ path: ["labels", key], value: context.tenantNamespaceLabels[key] })),
        ...Object.keys(context.tenantNamespaceAnnotations)
            .sort()
            .map((key) => ({ path: ["annotations", key], value: context.tenantNamespaceAnnotations[key] })),
    ],
    satisfies: ["namespace-pod-security-level"],
    fixturesDir: __dirname,
};
