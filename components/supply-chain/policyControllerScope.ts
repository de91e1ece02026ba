import type { PlatformSettings } from "../settings";

/*
 * Which stacks verify image signatures at admission with the sigstore policy-controller. Kept free of
 * runtime imports so namespace planning (pod-security/) can ask without pulling in the admission
 * renderers, which themselves depend on the guardrail catalog.
 */

/** Label a namespace carries to opt in to the sigstore policy-controller's admission checks. */
export const policyControllerOptInLabel = "policy.sigstore.dev/include";

/** The namespace the sigstore policy-controller is installed into (excluded from its own webhook by opt-in). */
export const policyControllerNamespace = "cosign-system";

/**
 * True when the stack's admission verifier is the sigstore policy-controller: the engine (Gatekeeper or
 * native ValidatingAdmissionPolicy) cannot verify signatures itself, and the trust policy has entries
 * to enforce. Kyverno stacks verify with Kyverno's own ImageValidatingPolicy instead.
 */
export function verifiesWithPolicyController(settings: Pick<PlatformSettings, "policy" | "supplyChain">): boolean {
    return settings.policy.engine !== "kyverno" && settings.supplyChain.policies.length > 0;
}
