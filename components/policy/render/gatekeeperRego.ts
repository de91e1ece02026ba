import { CrossObjectGuardrailDefinition } from "../../guardrails/cross-object";
import { EnforcementMode } from "../../settings";
import { constraintKind, gatekeeperAction, gatekeeperNamespace, matchKinds } from "./gatekeeper";
import { guardrailAnnotations, managedLabels, systemNamespaces } from "./common";

/** Gatekeeper's Config: what it syncs into `data.inventory` for referential (Rego) guardrails. */
export function renderGatekeeperSync(guardrails: readonly CrossObjectGuardrailDefinition[]): Record<string, unknown> {
    const kinds = guardrails.flatMap((guardrail) => guardrail.gatekeeper.sync);
    return {
        apiVersion: "config.gatekeeper.sh/v1alpha1",
        kind: "Config",
        // Gatekeeper reads exactly this name in its own namespace.
        metadata: { name: "config", namespace: gatekeeperNamespace, labels: managedLabels },
        spec: {
            sync: { syncOnly: kinds.map((kind) => ({ group: kind.group, version: kind.version, kind: kind.kind })) },
            match: [{ excludedNamespaces: [...systemNamespaces, gatekeeperNamespace], processes: ["*"] }],
        },
    };
}

/** A Rego ConstraintTemplate and its Constraint for a cross-object guardrail. */
export function renderGatekeeperRego(guardrail: CrossObjectGuardrailDefinition, mode: EnforcementMode): Record<string, unknown>[] {
    const kind = constraintKind(guardrail.id);
    return [
        {
            apiVersion: "templates.gatekeeper.sh/v1",
            kind: "ConstraintTemplate",
            metadata: {
                name: kind.toLowerCase(),
                labels: managedLabels,
                annotations: guardrailAnnotations(guardrail),
            },
            spec: {
                crd: { spec: { names: { kind }, validation: { openAPIV3Schema: { type: "object", properties: {} } } } },
                targets: [{ target: "admission.k8s.gatekeeper.sh", rego: guardrail.gatekeeper.rego }],
            },
        },
        {
            apiVersion: "constraints.gatekeeper.sh/v1beta1",
            kind,
            metadata: { name: guardrail.id, labels: managedLabels },
            spec: {
                enforcementAction: gatekeeperAction(mode),
                match: { kinds: matchKinds(guardrail.kinds), excludedNamespaces: [...systemNamespaces, gatekeeperNamespace] },
            },
        },
    ];
}
