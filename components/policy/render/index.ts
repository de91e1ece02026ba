import { catalog, crossObjectCatalog } from "../../guardrails/catalog";
import { GuardrailData } from "../../guardrails/types";
import { EnforcementMode, PolicyEngine } from "../../settings";
import { renderGatekeeper } from "./gatekeeper";
import { renderGatekeeperRego, renderGatekeeperSync } from "./gatekeeperRego";
import { renderKyverno } from "./kyverno";
import { renderVap } from "./vap";

export { constraintKind, gatekeeperNamespace } from "./gatekeeper";
export { kyvernoNamespace } from "./kyverno";
export { policyName, systemNamespaces } from "./common";

/** Cross-object guardrails each engine leaves out, with the reason (reported, never silently dropped). */
export function unsupportedGuardrails(engine: PolicyEngine): { id: string; reason: string }[] {
    return engine === "gatekeeper" ? [] : crossObjectCatalog.map((guardrail) => ({ id: guardrail.id, reason: guardrail.notExpressibleElsewhere }));
}

/**
 * Every admission object the chosen engine needs for the whole catalog, in catalog order. The
 * same CEL text as CrossGuard and `check`; the ramp sets the action; `data` is the stack's
 * guardrail data.
 */
export function renderAdmissionPolicies(engine: PolicyEngine, mode: EnforcementMode, data: GuardrailData): Record<string, unknown>[] {
    switch (engine) {
        case "vap":
            return catalog.flatMap((guardrail) => renderVap(guardrail, mode, data));
        case "kyverno":
            return catalog.flatMap((guardrail) => renderKyverno(guardrail, mode, data));
        case "gatekeeper":
            return [
                ...catalog.flatMap((guardrail) => renderGatekeeper(guardrail, mode, data)),
                ...crossObjectCatalog.flatMap((guardrail) => renderGatekeeperRego(guardrail, mode)),
                renderGatekeeperSync(crossObjectCatalog),
            ];
    }
}
