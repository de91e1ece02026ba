import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../settings";
import { chartRepositories, versions } from "../versions";
import { istioObjects, istioReleases, MeshRelease } from "./istio";
import { linkerdIdentityIssuer, linkerdIssuerSecret, linkerdNamespace, linkerdReleases, linkerdScrapeObjects, linkerdTrustRoots } from "./linkerd";
import { certManagerNamespace, KubeObject, rootCaObjects } from "./pki";
import { installChart } from "../chartRelease";

export interface ServiceMeshArgs {
    /** Resolved settings: `mesh` (provider, PKI, Prometheus identity), tenants, platform namespace. */
    readonly settings: PlatformSettings;
    /** Namespace objects by name, from the Pod Security component (the mesh's namespaces are planned there). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /**
     * Install cert-manager and the mesh's charts. False creates only the configuration layer (PKI
     * Certificates, mesh-wide STRICT policy, scrape authorizations) for a mesh managed elsewhere.
     * @default settings.install
     */
    readonly install?: boolean;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/** cert-manager's chart values (through @pulumi/kubernetes-cert-manager); the engine tier renders the same. */
export function certManagerValues(): Record<string, unknown> {
    return {
        installCRDs: true,
        // Its controllers run at Pod Security baseline in their own namespace.
        prometheus: { enabled: true },
    };
}

/**
 * Capability 5: a service mesh with strict mutual TLS for every workload namespace, its PKI issued
 * by cert-manager. Third-party controllers are Helm releases (their values are visible in `render`);
 * everything the platform configures deeply (PKI, STRICT policy, scrape authorization) is a typed
 * custom resource, so CrossGuard and `check` see each one.
 */
export class ServiceMesh extends pulumi.ComponentResource {
    /** The provider that carries workload traffic (`none`: no mesh). */
    readonly provider: string;

    constructor(name: string, args: ServiceMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:mesh:ServiceMesh", name, {}, opts);
        const { settings } = args;
        const mesh = settings.mesh;
        this.provider = mesh.provider;
        if (mesh.provider === "none") {
            this.registerOutputs({ provider: this.provider });
            return;
        }
        const install = args.install ?? settings.install;
        const childOptions = { parent: this, provider: args.provider };
        const namespaceOf = (namespace: string): pulumi.Input<string> => args.namespaces[namespace]?.metadata.name ?? namespace;
        const custom = (object: KubeObject, dependsOn: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${object.kind.toLowerCase()}-${object.metadata.namespace ?? "cluster"}-${object.metadata.name}`,
                { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace === undefined ? undefined : namespaceOf(object.metadata.namespace) } } as k8s.apiextensions.CustomResourceArgs,
                { ...childOptions, dependsOn },
            );
        const release = (spec: MeshRelease, dependsOn: pulumi.Resource[]) =>
            installChart(`${name}-${spec.name}`, spec.name, namespaceOf(spec.namespace), spec, { ...childOptions, dependsOn });

        const certManagerReady: pulumi.Resource[] = [];
        if (install) {
            certManagerReady.push(
                new certmanager.CertManager(
                    `${name}-cert-manager`,
                    {
                        ...certManagerValues(),
                        helmOptions: { name: "cert-manager", namespace: namespaceOf(certManagerNamespace), version: versions.certManagerChart, repositoryOpts: { repo: chartRepositories.certManager } },
                    },
                    { parent: this, providers: args.provider === undefined ? undefined : [args.provider] },
                ),
            );
        }
        const root = rootCaObjects(mesh.pki).map((object) => custom(object, certManagerReady));

        if (mesh.provider === "istio") {
            const [base, istiod, cni] = istioReleases(mesh);
            const [caCertificate, peerAuthentication] = istioObjects(mesh);
            const ca = custom(caCertificate, [...certManagerReady, ...root]);
            const baseRelease = install ? [release(base, [])] : [];
            custom(peerAuthentication, baseRelease);
            if (install) {
                // The CNI agent is up before istiod injects pods that rely on it; istiod starts with its CA.
                const cniRelease = release(cni, baseRelease);
                release(istiod, [...baseRelease, cniRelease, ca]);
            }
        } else {
            const [crds, controlPlane, cni] = linkerdReleases(mesh);
            const crdsRelease = install ? [release(crds, [])] : [];
            for (const tenant of settings.tenants) {
                for (const object of linkerdScrapeObjects(mesh, tenant.name, settings.platformNamespace)) custom(object, crdsRelease);
            }
            if (install) {
                // `up` waits until cert-manager has issued the identity issuer (its Secret then exists).
                const issuerObject = linkerdIdentityIssuer(mesh);
                const waitForReady = { ...issuerObject.metadata, annotations: { "pulumi.com/waitFor": "condition=Ready" } };
                const issuer = custom({ ...issuerObject, metadata: waitForReady } as KubeObject, [...certManagerReady, ...root]);
                // The trust anchor is the CA that signed the issuer: cert-manager writes it to the issuer
                // Secret's ca.crt. Read after the Certificate is Ready (its id is unknown in a first
                // preview, which defers the read) and publish it where Linkerd reads trust anchors.
                const issuerSecret = k8s.core.v1.Secret.get(
                    `${name}-linkerd-issuer-secret`,
                    issuer.id.apply(() => `${linkerdNamespace}/${linkerdIssuerSecret}`),
                    childOptions,
                );
                const trustAnchorPem = pulumi.unsecret(issuerSecret.data.apply((data) => Buffer.from(data?.["ca.crt"] ?? "", "base64").toString("utf8")));
                const trustRoots = linkerdTrustRoots("");
                const roots = new k8s.core.v1.ConfigMap(
                    `${name}-linkerd-trust-roots`,
                    { metadata: { ...trustRoots.metadata, namespace: namespaceOf(linkerdNamespace) }, data: { "ca-bundle.crt": trustAnchorPem } },
                    childOptions,
                );
                const cniRelease = release(cni, []);
                release(controlPlane, [...crdsRelease, cniRelease, issuer, roots]);
            } else {
                // Config-only: the issuer Certificate is configuration; publishing its trust anchor to
                // the control plane is part of installing Linkerd, which happens elsewhere.
                custom(linkerdIdentityIssuer(mesh), root);
            }
        }
        this.registerOutputs({ provider: this.provider });
    }
}
