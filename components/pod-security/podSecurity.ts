import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { meshEnrolment } from "../mesh/enrolment";
import { PlatformSettings } from "../settings";
import { policyControllerOptInLabel, verifiesWithPolicyController } from "../supply-chain/policyControllerScope";
import { NamespacePlan, namespaceRoleLabel, planNamespaces, podSecurityLabels, podSecurityReasonAnnotation } from "./labels";

export interface PodSecurityArgs {
    /** Resolved platform settings: tenants, exceptions, enforcement ramp and pinned PSS version. */
    readonly settings: PlatformSettings;
    /**
     * Accepted for symmetry with every Bulwark component. Pod Security Admission is built into the
     * API server, so there is nothing to install: namespaces are always created.
     * @default true
     */
    readonly install?: boolean;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * The namespaces of the platform, each labelled for Pod Security Admission: tenants `restricted`,
 * the platform namespace `baseline`, declared exceptions at their level with their reason.
 */
export class PodSecurity extends pulumi.ComponentResource {
    /** Every namespace by name. */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /** Where platform parts run (Pod Security `baseline`). */
    readonly platformNamespace: pulumi.Output<string>;
    /** Workload namespaces (Pod Security `restricted`). */
    readonly tenantNamespaces: pulumi.Output<string>[];
    /** Declared exceptions, by name, for node agents that need host access. */
    readonly exceptionNamespaces: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: PodSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:pod-security:PodSecurity", name, {}, opts);
        const { settings } = args;
        const plans = planNamespaces(settings);
        const namespaces: Record<string, k8s.core.v1.Namespace> = {};
        for (const plan of plans) {
            namespaces[plan.name] = new k8s.core.v1.Namespace(
                plan.name,
                { metadata: namespaceMetadata(plan, settings) },
                { parent: this, provider: args.provider },
            );
        }
        const nameOf = (plan: NamespacePlan) => namespaces[plan.name].metadata.name;
        this.namespaces = namespaces;
        this.platformNamespace = namespaces[settings.platformNamespace].metadata.name;
        this.tenantNamespaces = plans.filter((plan) => plan.role === "tenant").map(nameOf);
        this.exceptionNamespaces = Object.fromEntries(plans.filter((plan) => plan.role === "exception").map((plan) => [plan.name, nameOf(plan)]));
        this.registerOutputs({
            platformNamespace: this.platformNamespace,
            tenantNamespaces: this.tenantNamespaces,
            exceptionNamespaces: this.exceptionNamespaces,
        });
    }
}

/** Labels and annotations of one namespace; pure so that tests and `check --stack` share it. */
export function namespaceMetadata(plan: NamespacePlan, settings: PlatformSettings): k8s.types.input.meta.v1.ObjectMeta {
    // Workload namespaces are enrolled in the mesh; platform and exception namespaces are not.
    const mesh = plan.role === "tenant" ? meshEnrolment(settings) : { labels: {}, annotations: {} };
    // Workload namespaces opt in to the sigstore policy-controller's image checks (configuration, so in
    // config-only mode too); platform namespaces stay out, so the verifier never blocks its own install.
    const imageVerification: Record<string, string> = plan.role === "tenant" && verifiesWithPolicyController(settings) ? { [policyControllerOptInLabel]: "true" } : {};
    const annotations = { ...mesh.annotations, ...(plan.reason === undefined ? {} : { [podSecurityReasonAnnotation]: plan.reason }) };
    return {
        name: plan.name,
        labels: {
            ...plan.extraLabels,
            ...mesh.labels,
            ...imageVerification,
            "app.kubernetes.io/managed-by": "bulwark",
            [namespaceRoleLabel]: plan.role,
            "bulwark.dev/environment": settings.environment ?? "",
            ...podSecurityLabels(plan.level, settings.enforcement, settings.podSecurity.version),
        },
        annotations: Object.keys(annotations).length === 0 ? undefined : annotations,
    };
}
