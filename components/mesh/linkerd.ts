import { chartRepositories, versions } from "../versions";
import { MeshSettings } from "../settings";
import { MeshRelease } from "./istio";
import { intermediateCaCertificate, KubeObject } from "./pki";

export const linkerdNamespace = "linkerd";
/** The linkerd-cni node agent's own namespace (Pod Security `privileged`, see meshComponentNamespaces). */
export const linkerdCniNamespace = "linkerd-cni";
/** The identity issuer Secret (kubernetes.io/tls) cert-manager keeps current; `ca.crt` is the trust anchor. */
export const linkerdIssuerSecret = "linkerd-identity-issuer";
/** The ConfigMap Linkerd reads its trust anchors from when `identity.externalCA` is set. */
export const linkerdTrustRootsConfigMap = "linkerd-identity-trust-roots";
/** Strictest default that keeps the mesh working: only mutually authenticated (meshed) clients. */
export const linkerdDefaultInboundPolicy = "all-authenticated";

/** linkerd-crds, linkerd-control-plane and linkerd2-cni, pinned. */
export function linkerdReleases(mesh: MeshSettings): MeshRelease[] {
    const common = { version: versions.linkerdChart, repository: chartRepositories.linkerd };
    return [
        { name: "linkerd-crds", chart: "linkerd-crds", namespace: linkerdNamespace, ...common, values: {} },
        {
            name: "linkerd-control-plane",
            chart: "linkerd-control-plane",
            namespace: linkerdNamespace,
            ...common,
            values: {
                // Pods are redirected by linkerd-cni, so injection adds no NET_ADMIN/NET_RAW proxy-init.
                cniEnabled: true,
                proxy: {
                    defaultInboundPolicy: linkerdDefaultInboundPolicy,
                    // The chart gives injected proxies no capabilities.drop unless asked (only its own
                    // control plane sets it); `restricted` requires drop ALL on the linkerd-proxy sidecar.
                    capabilities: { drop: ["ALL"] },
                },
                identity: {
                    // The trust anchors come from cert-manager (the trust-roots ConfigMap), not from values.
                    externalCA: true,
                    issuer: { scheme: "kubernetes.io/tls", issuanceLifetime: mesh.pki.workloadCertTtl },
                },
            },
        },
        // hostPath access to the CNI directories is all it needs: not a privileged container.
        { name: "linkerd2-cni", chart: "linkerd2-cni", namespace: linkerdCniNamespace, ...common, values: { privileged: false } },
    ];
}

/** The identity issuer, signed by the mesh root (the trust anchor). */
export function linkerdIdentityIssuer(mesh: MeshSettings): KubeObject {
    const certificate = intermediateCaCertificate(mesh.pki, {
        name: linkerdIssuerSecret,
        namespace: linkerdNamespace,
        secretName: linkerdIssuerSecret,
        // Linkerd's identity controller requires this name on its issuer certificate.
        commonName: "identity.linkerd.cluster.local",
        extraUsages: ["server auth", "client auth"],
    });
    return { ...certificate, spec: { ...(certificate.spec as object), dnsNames: ["identity.linkerd.cluster.local"] } };
}

/** The trust-roots ConfigMap, given the trust anchor PEM (read from the issuer Secret's ca.crt). */
export function linkerdTrustRoots(trustAnchorPem: string): KubeObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: linkerdTrustRootsConfigMap, namespace: linkerdNamespace, labels: { "app.kubernetes.io/managed-by": "bulwark", "linkerd.io/control-plane-ns": linkerdNamespace } },
        data: { "ca-bundle.crt": trustAnchorPem },
    };
}

/** Prometheus's mesh identity, as Linkerd names it. */
export function prometheusIdentity(mesh: MeshSettings, platformNamespace: string): { name: string; namespace: string } {
    return { name: mesh.prometheus.serviceAccount, namespace: mesh.prometheus.namespace ?? platformNamespace };
}

/**
 * Per workload namespace: a Server for the proxies' admin port (where Linkerd serves metrics) that
 * only the meshed Prometheus may reach, by its mTLS identity. Everything else in the namespace
 * falls under the `all-authenticated` default.
 */
export function linkerdScrapeObjects(mesh: MeshSettings, namespace: string, platformNamespace: string): KubeObject[] {
    const labels = { "app.kubernetes.io/managed-by": "bulwark" };
    const prometheus = prometheusIdentity(mesh, platformNamespace);
    return [
        {
            apiVersion: "policy.linkerd.io/v1beta3",
            kind: "Server",
            metadata: { name: "linkerd-proxy-admin", namespace, labels },
            spec: { podSelector: {}, port: "linkerd-admin", proxyProtocol: "HTTP/1", accessPolicy: "deny" },
        },
        {
            apiVersion: "policy.linkerd.io/v1alpha1",
            kind: "MeshTLSAuthentication",
            metadata: { name: "prometheus", namespace, labels },
            spec: { identityRefs: [{ kind: "ServiceAccount", name: prometheus.name, namespace: prometheus.namespace }] },
        },
        {
            apiVersion: "policy.linkerd.io/v1alpha1",
            kind: "AuthorizationPolicy",
            metadata: { name: "prometheus-scrape", namespace, labels },
            spec: {
                targetRef: { group: "policy.linkerd.io", kind: "Server", name: "linkerd-proxy-admin" },
                requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "prometheus" }],
            },
        },
    ];
}

/** Annotations that enrol a workload namespace in Linkerd, with the strict default inbound policy. */
export function linkerdNamespaceAnnotations(): Record<string, string> {
    return { "linkerd.io/inject": "enabled", "config.linkerd.io/default-inbound-policy": linkerdDefaultInboundPolicy };
}
