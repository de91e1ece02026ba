import { CrossObjectGuardrailDefinition } from "../../cross-object";

interface IngressLike {
    metadata?: { name?: string; namespace?: string };
    spec?: { rules?: { host?: string }[] };
}

function hostsOf(object: IngressLike): string[] {
    return (object.spec?.rules ?? []).map((rule) => rule.host).filter((host): host is string => typeof host === "string" && host !== "");
}

const rego = `package bulwarkingresshostunique

identical(other, review) {
  other.metadata.namespace == review.object.metadata.namespace
  other.metadata.name == review.object.metadata.name
}

violation[{"msg": msg}] {
  input.review.kind.kind == "Ingress"
  host := input.review.object.spec.rules[_].host
  other := data.inventory.namespace[_][_]["Ingress"][_]
  other.spec.rules[_].host == host
  not identical(other, input.review)
  msg := sprintf("ingress host %v is already used by Ingress %v/%v", [host, other.metadata.namespace, other.metadata.name])
}
`;

export const ingressHostUnique: CrossObjectGuardrailDefinition = {
    id: "ingress-host-unique",
    title: "Ingress hostnames are unique across namespaces",
    rationale:
        "Two Ingresses claiming one hostname let a tenant hijack another tenant's traffic. Deciding needs every other Ingress in the cluster, which is why this guardrail runs on Gatekeeper (Rego over its synced inventory).",
    severity: "high",
    capability: 3,
    kinds: ["Ingress"],
    check: (objects) => {
        const owners = new Map<string, { index: number; ref: string }[]>();
        objects.forEach(({ object }, index) => {
            if (object.kind !== "Ingress") return;
            const ingress = object as IngressLike;
            const ref = `${ingress.metadata?.namespace ?? "default"}/${ingress.metadata?.name ?? ""}`;
            for (const host of new Set(hostsOf(ingress))) owners.set(host, [...(owners.get(host) ?? []), { index, ref }]);
        });
        const violations: { index: number; message: string }[] = [];
        for (const [host, claims] of [...owners].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            if (claims.length < 2) continue;
            for (const claim of claims) {
                const other = claims.find((candidate) => candidate.ref !== claim.ref);
                if (other !== undefined) violations.push({ index: claim.index, message: `ingress host ${host} is already used by Ingress ${other.ref}` });
            }
        }
        return violations;
    },
    gatekeeper: { rego, sync: [{ group: "networking.k8s.io", version: "v1", kind: "Ingress" }] },
    notExpressibleElsewhere:
        "ValidatingAdmissionPolicy CEL sees only the object under review; the Kyverno engine here runs the catalog's CEL only. Gatekeeper's synced inventory supplies the other Ingresses.",
    fixturesDir: __dirname,
};
