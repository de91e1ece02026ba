import { catalog, crossObjectCatalog } from "../../guardrails/catalog";
import { GuardrailData } from "../../guardrails/types";
import { EnforcementMode, PolicyEngine, SupplyChainSettings } from "../../settings";
import { renderKyvernoImagePolicies, renderPolicyControllerPolicies } from "../../supply-chain/admission";
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
export function renderAdmissionPolicies(engine: PolicyEngine, mode: EnforcementMode, data: GuardrailData, supplyChain?: SupplyChainSettings): Record<string, unknown>[] {
    return [...guardrailPolicies(engine, mode, data), ...(supplyChain === undefined ? [] : imagePolicies(engine, mode, supplyChain))];
}

/** The image-signature verifier's policies from the trust policy: Kyverno's own, or sigstore policy-controller's. */
export function imagePolicies(engine: PolicyEngine, mode: EnforcementMode, supplyChain: SupplyChainSettings): Record<string, unknown>[] {
    return engine === "kyverno" ? renderKyvernoImagePolicies(supplyChain, mode) : renderPolicyControllerPolicies(supplyChain, mode);
}

function guardrailPolicies(engine: PolicyEngine, mode: EnforcementMode, data: GuardrailData): Record<string, unknown>[] {
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
