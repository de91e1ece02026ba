import { chartRepositories, versions } from "../versions";
import { MeshSettings } from "../settings";
import { intermediateCaCertificate, KubeObject } from "./pki";
import { ChartRelease } from "../chartRelease";

/** Istio's root namespace: mesh-wide policy lives here, and istiod runs here. */
export const istioNamespace = "istio-system";
/** The istio-cni node agent's own namespace (Pod Security `privileged`, see the reason in meshComponentNamespaces). */
export const istioCniNamespace = "istio-cni";
/** The Secret istiod reads its signing CA from (`cacerts`, in cert-manager's tls.crt/tls.key/ca.crt form). */
export const istioCaSecret = "cacerts";

/** A pinned Helm release the mesh installs: pure data, rendered by the engine tier with real Helm. */
export interface MeshRelease extends ChartRelease {
    /** Release name, also the folder stem of the pinned chart in ../shared/charts. */
    readonly name: string;
    readonly namespace: string;
}

const restrictedSeccomp = { type: "RuntimeDefault" };

/** Metrics merging: the sidecar serves the app's metrics and its own on :15020, outside mutual TLS. */
export const istioMergedMetricsPort = 15020;

/**
 * istio-base (CRDs, validation), istiod (control plane, sidecar injector) and istio-cni (node agent
 * that sets up traffic redirection, so injected pods need no NET_ADMIN/NET_RAW init container).
 */
export function istioReleases(mesh: MeshSettings): MeshRelease[] {
    const common = { version: versions.istioChart, repository: chartRepositories.istio };
    return [
        { name: "istio-base", chart: "base", namespace: istioNamespace, ...common, values: { defaultRevision: "default" } },
        {
            name: "istiod",
            chart: "istiod",
            namespace: istioNamespace,
            ...common,
            values: {
                global: {
                    istioNamespace,
                    // Sidecars carry the RuntimeDefault seccomp profile `restricted` requires.
                    proxy: { seccompProfile: restrictedSeccomp },
                },
                pilot: {
                    // Injection adds the unprivileged istio-validation init container instead of istio-init.
                    cni: { enabled: true },
                    seccompProfile: restrictedSeccomp,
                    env: {
                        // istiod signs with the cert-manager intermediate in `cacerts` and issues workload certs this long.
                        DEFAULT_WORKLOAD_CERT_TTL: mesh.pki.workloadCertTtl,
                    },
                },
                meshConfig: {
                    // Prometheus outside the mesh scrapes :15020 (merged app + proxy metrics) in plain
                    // HTTP; app ports stay STRICT.
                    enablePrometheusMerge: true,
                    defaultConfig: { proxyMetadata: { SECRET_TTL: mesh.pki.workloadCertTtl } },
                },
            },
        },
        {
            name: "istio-cni",
            chart: "cni",
            namespace: istioCniNamespace,
            ...common,
            values: { global: { istioNamespace }, excludeNamespaces: ["kube-system", istioNamespace, istioCniNamespace] },
        },
    ];
}

/** The mesh-wide STRICT policy and istiod's intermediate CA. */
export function istioObjects(mesh: MeshSettings): KubeObject[] {
    return [
        intermediateCaCertificate(mesh.pki, { name: "istio-ca", namespace: istioNamespace, secretName: istioCaSecret, commonName: "Bulwark Istio intermediate CA" }),
        {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            // `default` in the root namespace is the mesh-wide policy.
            metadata: { name: "default", namespace: istioNamespace, labels: { "app.kubernetes.io/managed-by": "bulwark" } },
            spec: { mtls: { mode: "STRICT" } },
        },
    ];
}

/** Labels that enrol a workload namespace in Istio (sidecar injection). */
export function istioNamespaceLabels(): Record<string, string> {
    return { "istio-injection": "enabled" };
}
