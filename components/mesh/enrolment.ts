import type { ComponentNamespace } from "../pod-security/labels";
import { PlatformSettings } from "../settings";
import { istioCniNamespace, istioNamespace, istioNamespaceLabels } from "./istio";
import { linkerdCniNamespace, linkerdNamespace, linkerdNamespaceAnnotations } from "./linkerd";
import { certManagerNamespace } from "./pki";

/** Why a mesh CNI node agent runs at Pod Security `privileged`: baseline forbids every hostPath volume. */
export const cniAgentReason = (mesh: string, extra: string) =>
    `The ${mesh} CNI node agent writes the CNI plugin binary and configuration into the node's /opt/cni/bin and /etc/cni/net.d through hostPath volumes${extra}, which Pod Security baseline forbids. It is what lets injected workload pods drop NET_ADMIN/NET_RAW and stay restricted.`;

/** The namespaces the chosen mesh installs into, each at the minimal level that works. */
export function meshComponentNamespaces(settings: PlatformSettings): ComponentNamespace[] {
    const provider = settings.mesh.provider;
    if (provider === "none") return [];
    const certManager: ComponentNamespace = { name: certManagerNamespace, purpose: "cert-manager, which issues the mesh PKI" };
    if (provider === "istio") {
        return [
            certManager,
            { name: istioNamespace, purpose: "istiod, the Istio control plane" },
            {
                name: istioCniNamespace,
                purpose: "the istio-cni node agent",
                level: "privileged",
                reason: cniAgentReason("Istio", ", and runs a privileged container on the host network to program each pod's traffic redirection"),
            },
        ];
    }
    return [
        certManager,
        { name: linkerdNamespace, purpose: "the Linkerd control plane" },
        { name: linkerdCniNamespace, purpose: "the linkerd-cni node agent", level: "privileged", reason: cniAgentReason("Linkerd", "") },
    ];
}

/** Labels and annotations that enrol a workload (tenant) namespace in the mesh. */
export function meshEnrolment(settings: PlatformSettings): { labels: Record<string, string>; annotations: Record<string, string> } {
    if (settings.mesh.provider === "istio") return { labels: istioNamespaceLabels(), annotations: {} };
    if (settings.mesh.provider === "linkerd") return { labels: {}, annotations: linkerdNamespaceAnnotations() };
    return { labels: {}, annotations: {} };
}
