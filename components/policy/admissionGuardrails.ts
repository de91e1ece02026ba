import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { guardrailDataFor } from "../guardrails/policyConfig";
import { PlatformSettings } from "../settings";
import { engineRelease } from "./engineInstall";
import { fluxNamespace, fluxPolicySync, fluxRelease } from "./flux";
import { renderAdmissionPolicies, unsupportedGuardrails } from "./render";
import { mutationContextFor } from "../guardrails/mutations/context";
import { renderMutationPolicies } from "./render/mutations";
import { installChart } from "../chartRelease";

export interface AdmissionGuardrailsArgs {
    readonly settings: PlatformSettings;
    /** Stack name: selects `policies/<engine>/<stack>` for Flux delivery. */
    readonly stack: string;
    /** Namespace objects by name, from the Pod Security component (engine and Flux namespaces). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /**
     * Install the engine's controllers (and Flux). False: only the policies are created, for an
     * engine that is already installed (a managed add-on).
     * @default settings.install
     */
    readonly install?: boolean;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * Capabilities 2 and 3: the guardrail catalog enforced at admission by the chosen engine, delivered
 * by Pulumi or by Flux from Git. Engines are Helm releases (third-party controllers this program
 * does not configure deeply); every policy is a typed resource, so CrossGuard sees each one.
 */
export class AdmissionGuardrails extends pulumi.ComponentResource {
    /** Guardrails the chosen engine cannot enforce at admission, with the reason. */
    readonly unsupported: { id: string; reason: string }[];

    constructor(name: string, args: AdmissionGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:policy:AdmissionGuardrails", name, {}, opts);
        const { settings } = args;
        const policy = settings.policy;
        // Settings built by hand (not through parsePlatformSettings) can contradict themselves.
        if (policy.delivery === "flux" && policy.flux === undefined) {
            throw new pulumi.ResourceError("policy.delivery is 'flux' but policy.flux (the Git repository Flux syncs policies from) is not set", this);
        }
        const install = args.install ?? settings.install;
        const childOptions = { parent: this, provider: args.provider };
        const namespaceOf = (namespace: string): pulumi.Input<string> => args.namespaces[namespace]?.metadata.name ?? namespace;

        const release = engineRelease(policy);
        let engineReady: pulumi.Resource[] = [];
        if (install && release !== undefined) {
            const helm = installChart(`${name}-${release.engine}`, release.engine, namespaceOf(release.namespace), release, childOptions);
            new k8s.apiextensions.CustomResource(
                `${name}-${release.engine}-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PodMonitor",
                    metadata: { name: `${release.engine}-admission`, namespace: namespaceOf(release.namespace), labels: { "app.kubernetes.io/managed-by": "bulwark" } },
                    spec: { selector: { matchLabels: release.podSelector }, podMetricsEndpoints: [{ port: release.metricsPort, interval: "30s" }] },
                },
                { ...childOptions, dependsOn: [helm] },
            );
            engineReady = [helm];
        }

        if (policy.delivery === "flux") {
            let fluxReady: pulumi.Resource[] = [];
            if (install && policy.flux?.install) {
                const flux = fluxRelease();
                fluxReady = [
                    installChart(`${name}-flux`, "flux", namespaceOf(fluxNamespace), flux, childOptions),
                ];
            }
            for (const object of fluxPolicySync(policy, args.stack)) {
                const metadata = object.metadata as { name: string; namespace: string };
                new k8s.apiextensions.CustomResource(
                    `${name}-${String(object.kind).toLowerCase()}`,
                    { ...object, metadata: { ...metadata, namespace: namespaceOf(metadata.namespace) } } as k8s.apiextensions.CustomResourceArgs,
                    { ...childOptions, dependsOn: [...fluxReady, ...engineReady] },
                );
            }
        } else {
            this.createPolicies(name, settings, childOptions, engineReady);
        }
        this.unsupported = unsupportedGuardrails(policy.engine);
        this.registerOutputs({ unsupported: this.unsupported });
    }

    /** Every admission object as a typed resource; Gatekeeper constraints wait for their templates. */
    private createPolicies(name: string, settings: PlatformSettings, childOptions: pulumi.CustomResourceOptions, engineReady: pulumi.Resource[]): void {
        // Kyverno verifies signatures itself. On gatekeeper/vap stacks the verifier is the sigstore
        // policy-controller, whose ClusterImagePolicies supply-chain/ImageSignatureAdmission creates.
        const supplyChain = settings.policy.engine === "kyverno" ? settings.supplyChain : undefined;
        // Mutations first: admission defaults an object before the validating policies see it.
        const objects = [
            ...renderMutationPolicies(settings.policy.engine, mutationContextFor(settings)),
            ...renderAdmissionPolicies(settings.policy.engine, settings.enforcement, guardrailDataFor(settings), supplyChain),
        ];
        const templates = new Map<string, pulumi.Resource>();
        for (const object of objects) {
            const metadata = object.metadata as { name: string; namespace?: string };
            const resourceName = `${name}-${String(object.kind).toLowerCase()}-${metadata.name}`;
            if (object.kind === "ValidatingAdmissionPolicy") {
                new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(resourceName, object as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs, childOptions);
            } else if (object.kind === "MutatingAdmissionPolicy") {
                new k8s.admissionregistration.v1.MutatingAdmissionPolicy(resourceName, object as unknown as k8s.admissionregistration.v1.MutatingAdmissionPolicyArgs, childOptions);
            } else if (object.kind === "MutatingAdmissionPolicyBinding") {
                new k8s.admissionregistration.v1.MutatingAdmissionPolicyBinding(resourceName, object as unknown as k8s.admissionregistration.v1.MutatingAdmissionPolicyBindingArgs, childOptions);
            } else if (object.kind === "ValidatingAdmissionPolicyBinding") {
                new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(resourceName, object as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs, childOptions);
            } else {
                const template = String(object.apiVersion).startsWith("constraints.gatekeeper.sh/") ? templates.get(String(object.kind).toLowerCase()) : undefined;
                const resource = new k8s.apiextensions.CustomResource(resourceName, object as k8s.apiextensions.CustomResourceArgs, {
                    ...childOptions,
                    dependsOn: [...engineReady, ...(template === undefined ? [] : [template])],
                });
                if (object.kind === "ConstraintTemplate") templates.set(metadata.name, resource);
            }
        }
    }
}
