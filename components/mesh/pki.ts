import { MeshPkiSettings } from "../settings";

/**
 * The mesh PKI as cert-manager objects (pure, so tests and the engine tier read the same objects):
 *
 *   root CA            self-signed ClusterIssuer -> Certificate `bulwark-mesh-root-ca` (cert-manager ns)
 *                      -> CA ClusterIssuer `bulwark-mesh-root-ca`; or your external issuer instead
 *   intermediate CA    Istio: Certificate `istio-ca` -> Secret `cacerts` in istio-system (istiod's CA)
 *                      Linkerd: Certificate `linkerd-identity-issuer` -> Secret of the same name
 *   workload certs     issued by the mesh from the intermediate, `workloadCertTtl` long
 *
 * Every key is ECDSA P-256 (Linkerd requires it; Istio accepts it) and rotated with each renewal.
 */

export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

export const certManagerNamespace = "cert-manager";
export const selfSignedIssuerName = "bulwark-selfsigned";
export const rootCaName = "bulwark-mesh-root-ca";
const managedBy = { "app.kubernetes.io/managed-by": "bulwark", "app.kubernetes.io/part-of": "bulwark-mesh-pki" };

export interface IssuerRef {
    readonly name: string;
    readonly kind: "ClusterIssuer" | "Issuer";
    readonly group: string;
}

const ecdsaP256 = { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } as const;

/** The issuer that signs the mesh's intermediate CA: the platform's root, or the stack's external issuer. */
export function intermediateIssuer(pki: MeshPkiSettings): IssuerRef {
    return pki.externalIssuer ?? { name: rootCaName, kind: "ClusterIssuer", group: "cert-manager.io" };
}

/** The self-signed root CA and the ClusterIssuer that signs with it; none with an external issuer. */
export function rootCaObjects(pki: MeshPkiSettings): KubeObject[] {
    if (pki.externalIssuer !== undefined) return [];
    return [
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: selfSignedIssuerName, labels: managedBy }, spec: { selfSigned: {} } },
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: rootCaName, namespace: certManagerNamespace, labels: managedBy },
            spec: {
                isCA: true,
                commonName: "Bulwark mesh root CA",
                subject: { organizations: ["bulwark"] },
                secretName: rootCaName,
                duration: pki.root.duration,
                renewBefore: pki.root.renewBefore,
                privateKey: ecdsaP256,
                usages: ["cert sign", "crl sign"],
                issuerRef: { name: selfSignedIssuerName, kind: "ClusterIssuer", group: "cert-manager.io" },
            },
        },
        // A CA ClusterIssuer reads its Secret from cert-manager's cluster resource namespace.
        { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: rootCaName, labels: managedBy }, spec: { ca: { secretName: rootCaName } } },
    ];
}

export interface IntermediateCa {
    readonly name: string;
    readonly namespace: string;
    readonly secretName: string;
    readonly commonName: string;
    /** Extra usages beyond signing (Linkerd's issuer also authenticates). */
    readonly extraUsages?: readonly string[];
}

/** The mesh's intermediate CA Certificate, signed by {@link intermediateIssuer}. */
export function intermediateCaCertificate(pki: MeshPkiSettings, ca: IntermediateCa): KubeObject {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: ca.name, namespace: ca.namespace, labels: managedBy },
        spec: {
            isCA: true,
            commonName: ca.commonName,
            subject: { organizations: ["bulwark"] },
            secretName: ca.secretName,
            duration: pki.intermediate.duration,
            renewBefore: pki.intermediate.renewBefore,
            privateKey: ecdsaP256,
            usages: ["cert sign", "crl sign", ...(ca.extraUsages ?? [])],
            issuerRef: { ...intermediateIssuer(pki) },
        },
    };
}
