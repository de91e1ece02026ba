import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../settings";
import { renderClusterImagePolicies, renderSigstoreTrustRoots } from "./admission";
import { policyControllerRelease, verifiesWithPolicyController } from "./policyController";
import { installChart } from "../chartRelease";

/*
 * Why this lives in supply-chain/ and not in policy/: the sigstore policy-controller is the admission
 * verifier of capability 4 on Gatekeeper and native-VAP stacks, configured only by the supply-chain
 * trust policy, and unrelated to the guardrail engine the policy area installs. Kyverno stacks need
 * no such component: Kyverno verifies with its own ImageValidatingPolicy, which the policy area creates.
 */

export interface ImageSignatureAdmissionArgs {
    /** Resolved settings: the engine, the trust policy (`supplyChain.policies`), replicas and enforcement ramp. */
    readonly settings: PlatformSettings;
    /** Namespace objects by name, from the Pod Security component (the policy-controller's `cosign-system`). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /**
     * Install the sigstore policy-controller. False: only its ClusterImagePolicies are created, as
     * configuration for a policy-controller installed elsewhere.
     * @default settings.install
     */
    readonly install?: boolean;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * Capability 4 at admission on Gatekeeper and native-VAP stacks: the pinned sigstore policy-controller
 * (fail closed, tenant namespaces opt in) and one ClusterImagePolicy per trust-policy entry. Creates
 * nothing on Kyverno stacks or without a trust policy. With Flux delivery the ClusterImagePolicies come
 * from `policies/<engine>/<stack>` in Git, so only the controller is installed here (one owner per object).
 */
export class ImageSignatureAdmission extends pulumi.ComponentResource {
    /** The policy-controller release, when installed. */
    readonly release?: k8s.helm.v3.Release;
    /** The ClusterImagePolicies this component created, by trust-policy entry name. */
    readonly clusterImagePolicies: Readonly<Record<string, k8s.apiextensions.CustomResource>>;

    constructor(name: string, args: ImageSignatureAdmissionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:supply-chain:ImageSignatureAdmission", name, {}, opts);
        const { settings } = args;
        const install = args.install ?? settings.install;
        const childOptions = { parent: this, provider: args.provider };
        const clusterImagePolicies: Record<string, k8s.apiextensions.CustomResource> = {};

        if (verifiesWithPolicyController(settings)) {
            if (install) {
                const release = policyControllerRelease(settings);
                const namespace = args.namespaces[release.namespace];
                if (namespace === undefined) {
                    throw new pulumi.ResourceError(`the policy-controller namespace '${release.namespace}' is not among the planned namespaces (componentNamespaces)`, this);
                }
                this.release = installChart(`${name}-policy-controller`, release.name, namespace.metadata.name, release, childOptions);
            }
            if (settings.policy.delivery !== "flux") {
                // The Release brings the CRDs and the webhook that validates these objects; the
                // ClusterImagePolicies name the TrustRoots, so those come first.
                const afterRelease = this.release === undefined ? [] : [this.release];
                const trustRoots = renderSigstoreTrustRoots(settings.supplyChain).map(
                    (root) => new k8s.apiextensions.CustomResource(`${name}-trustroot-${(root.metadata as { name: string }).name}`, root as k8s.apiextensions.CustomResourceArgs, { ...childOptions, dependsOn: afterRelease }),
                );
                for (const policy of renderClusterImagePolicies(settings.supplyChain, settings.enforcement)) {
                    const metadata = policy.metadata as { name: string; annotations: Record<string, string> };
                    clusterImagePolicies[metadata.annotations["bulwark.dev/trust-policy-entry"]] = new k8s.apiextensions.CustomResource(
                        `${name}-clusterimagepolicy-${metadata.name}`,
                        policy as k8s.apiextensions.CustomResourceArgs,
                        { ...childOptions, dependsOn: [...afterRelease, ...trustRoots] },
                    );
                }
            }
        }
        this.clusterImagePolicies = clusterImagePolicies;
        this.registerOutputs({ clusterImagePolicies: Object.keys(clusterImagePolicies) });
    }
}
