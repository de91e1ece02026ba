import { chartRepositories, versions } from "../versions";
import { PolicySettings } from "../settings";
import { gatekeeperNamespace, kyvernoNamespace, systemNamespaces } from "./render";

/** Pure description of an engine's Helm release, kept out of resource wiring so it is testable. */
export interface EngineRelease {
    readonly engine: "kyverno" | "gatekeeper";
    readonly namespace: string;
    readonly chart: string;
    readonly version: string;
    readonly repository: string;
    readonly values: Record<string, unknown>;
    /** Labels selecting the admission controller pods, for the PodMonitor. */
    readonly podSelector: Record<string, string>;
    readonly metricsPort: string;
}

/** Requests and a memory limit for short-lived chart hook Jobs (kubectl label, CRD upgrade). */
const hookResources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };

/** The engine's namespace, or undefined for the built-in ValidatingAdmissionPolicy. */
export function engineNamespace(policy: PolicySettings): string | undefined {
    if (policy.engine === "kyverno") return kyvernoNamespace;
    if (policy.engine === "gatekeeper") return gatekeeperNamespace;
    return undefined;
}

/**
 * Helm release for Kyverno or Gatekeeper: pinned chart, replicas and a PodDisruptionBudget for HA,
 * webhooks that fail closed but never see kube-system or the engine's own namespace (so a broken
 * engine cannot lock the cluster out), and metrics exposed for scraping.
 */
export function engineRelease(policy: PolicySettings): EngineRelease | undefined {
    const ha = policy.replicas >= 2;
    if (policy.engine === "kyverno") {
        // Kyverno's other controllers are off the admission path: two replicas suffice for HA.
        const supportController = { replicas: ha ? 2 : 1, podDisruptionBudget: { enabled: ha, minAvailable: 1 } };
        return {
            engine: "kyverno",
            namespace: kyvernoNamespace,
            chart: "kyverno",
            version: versions.kyvernoChart,
            repository: chartRepositories.kyverno,
            values: {
                admissionController: {
                    replicas: policy.replicas,
                    podDisruptionBudget: { enabled: ha, minAvailable: 1 },
                    metricsService: { create: true },
                },
                backgroundController: supportController,
                reportsController: supportController,
                cleanupController: supportController,
                config: {
                    excludeKyvernoNamespace: true,
                    webhooks: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...systemNamespaces, kyvernoNamespace] }] } },
                },
            },
            podSelector: { "app.kubernetes.io/component": "admission-controller", "app.kubernetes.io/instance": "kyverno" },
            metricsPort: "metrics-port",
        };
    }
    if (policy.engine === "gatekeeper") {
        return {
            engine: "gatekeeper",
            namespace: gatekeeperNamespace,
            chart: "gatekeeper",
            version: versions.gatekeeperChart,
            repository: chartRepositories.gatekeeper,
            values: {
                replicas: policy.replicas,
                validatingWebhookFailurePolicy: "Fail",
                pdb: { controllerManager: { minAvailable: ha ? 1 : 0 } },
                controllerManager: { exemptNamespaces: [...systemNamespaces, gatekeeperNamespace] },
                // The Rego guardrail reads other Ingresses from Gatekeeper's synced inventory.
                enableExternalData: true,
                auditInterval: 60,
                // The chart's hook Jobs set no resources by default, which Bulwark's
                // resources-requests-limits guardrail rejects.
                postInstall: { resources: hookResources },
                postUpgrade: { resources: hookResources },
                preUninstall: { resources: hookResources },
                crds: { resources: hookResources },
            },
            podSelector: { "control-plane": "controller-manager", "gatekeeper.sh/operation": "webhook" },
            metricsPort: "metrics",
        };
    }
    return undefined;
}
