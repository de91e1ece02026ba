import { PlatformSettings } from "../settings";
import { chartRepositories, versions } from "../versions";
import { policyControllerNamespace, policyControllerOptInLabel } from "./policyControllerScope";
import { ChartRelease } from "../chartRelease";

export { policyControllerNamespace, verifiesWithPolicyController } from "./policyControllerScope";

/** Pure description of the policy-controller's Helm release, kept out of resource wiring so it is testable. */
export interface PolicyControllerRelease extends ChartRelease {
    readonly name: string;
    readonly namespace: string;
}

/** Pod Security restricted for a container: non-root, no escalation, every capability dropped, RuntimeDefault seccomp. */
const restrictedContainer = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Helm values for the pinned sigstore policy-controller chart (versions.policyControllerChart) from
 * the stack: fail closed, the stack's webhook timeout on every webhook, namespaces opt in with
 * `policy.sigstore.dev/include=true` (workload namespaces carry it), highly available where the
 * stack asks for replicas, and every pod at Pod Security restricted (the chart's defaults set
 * neither runAsNonRoot nor a seccomp profile, and leave the lease-cleanup hook unconfined and
 * without resources). Pure, so the engine tier renders the chart with real Helm and checks each
 * value took effect.
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
            // The chart names them the other way round: `securityContext` is the pod's, `podSecurityContext` the container's.
            securityContext: { enabled: true, runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
            podSecurityContext: { enabled: true, runAsUser: 65532, readOnlyRootFilesystem: true, ...restrictedContainer },
        },
        leasescleanup: {
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            // kubectl writes its discovery cache under $HOME, so this hook keeps a writable root filesystem.
            podSecurityContext: { enabled: true, runAsUser: 65532, ...restrictedContainer },
        },
    };
}

/** The pinned policy-controller chart from the sigstore repository, into `cosign-system`, with the stack's values. */
export function policyControllerRelease(settings: PlatformSettings): PolicyControllerRelease {
    return {
        name: "policy-controller",
        namespace: policyControllerNamespace,
        chart: "policy-controller",
        version: versions.policyControllerChart,
        repository: chartRepositories.sigstore,
        values: policyControllerValues(settings),
    };
}
