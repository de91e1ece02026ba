import { PlatformSettings } from "../settings";
import { policyControllerOptInLabel } from "./admission";

/** The namespace the sigstore policy-controller is installed into (excluded from its own webhook by opt-in). */
export const policyControllerNamespace = "cosign-system";

/**
 * Helm values for the pinned sigstore policy-controller chart (versions.policyControllerChart) from
 * the stack: fail closed, the stack's webhook timeout on every webhook, namespaces opt in with
 * `policy.sigstore.dev/include=true` (workload namespaces carry it), highly available where the
 * stack asks for replicas. Pure, so the engine tier renders the chart with real Helm and checks
 * each value took effect.
 */
export function policyControllerValues(settings: PlatformSettings): Record<string, unknown> {
    const timeout = settings.supplyChain.admission.webhookTimeoutSeconds;
    return {
        installCRDs: true,
        cosign: { webhookTimeoutSeconds: { mutating: timeout, validating: timeout } },
        webhook: {
            failurePolicy: "Fail",
            replicaCount: settings.policy.replicas,
            podDisruptionBudget: { enabled: settings.policy.replicas >= 2, minAvailable: 1 },
            namespaceSelector: { matchExpressions: [{ key: policyControllerOptInLabel, operator: "In", values: ["true"] }] },
            webhookTimeoutSeconds: { defaulting: timeout, validating: timeout },
        },
    };
}
