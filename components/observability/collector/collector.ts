import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../../settings";
import { collectorObjects } from "./manifests";

export interface OtelCollectorArgs {
    /** Resolved platform settings; `observability.collector` drives the pipeline. */
    readonly settings: PlatformSettings;
    /** The collector namespace, created (and Pod Security labelled) by PodSecurity. */
    readonly namespace: pulumi.Input<string>;
    /** Tenant namespaces that receive the `otel-exporter` ConfigMap, by name. */
    readonly tenantNamespaces?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Kubernetes provider. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

type Manifest = ReturnType<typeof collectorObjects>[number];

function create(name: string, manifest: Manifest, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const args = manifest as never;
    switch (manifest.kind) {
        case "ClusterRole": return new k8s.rbac.v1.ClusterRole(name, args, opts);
        case "ClusterRoleBinding": return new k8s.rbac.v1.ClusterRoleBinding(name, args, opts);
        case "ServiceAccount": return new k8s.core.v1.ServiceAccount(name, args, opts);
        case "ConfigMap": return new k8s.core.v1.ConfigMap(name, args, opts);
        case "Service": return new k8s.core.v1.Service(name, args, opts);
        case "DaemonSet": return new k8s.apps.v1.DaemonSet(name, args, opts);
        case "Deployment": return new k8s.apps.v1.Deployment(name, args, opts);
        case "HorizontalPodAutoscaler": return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, args, opts);
        case "PodDisruptionBudget": return new k8s.policy.v1.PodDisruptionBudget(name, args, opts);
        default: throw new Error(`no typed resource for ${manifest.kind}`);
    }
}

/**
 * The OpenTelemetry Collector agent (DaemonSet) and gateway (Deployment, HPA and PDB from 2 replicas),
 * as typed resources from the pure builders in manifests.ts and pipeline.ts.
 */
export class OtelCollector extends pulumi.ComponentResource {
    /** Typed children by `<kind>/<namespace>/<name>`. */
    readonly resources: Readonly<Record<string, pulumi.CustomResource>>;

    constructor(name: string, args: OtelCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:observability:OtelCollector", name, {}, opts);
        const collector = args.settings.observability.collector;
        if (collector.gateway.maxReplicas !== undefined && collector.gateway.maxReplicas < collector.gateway.replicas) {
            throw new pulumi.ResourceError(`observability.collector.gateway.maxReplicas (${collector.gateway.maxReplicas}) is below replicas (${collector.gateway.replicas})`, this);
        }
        const resources: Record<string, pulumi.CustomResource> = {};
        for (const manifest of collectorObjects(args.settings)) {
            const ns = manifest.metadata.namespace;
            // Namespaces are typed inputs (from PodSecurity), so the objects wait for their namespace.
            const namespace = ns === undefined ? undefined : ns === collector.namespace ? args.namespace : (args.tenantNamespaces?.[ns] ?? ns);
            const withNamespace = { ...manifest, metadata: { ...manifest.metadata, ...(namespace === undefined ? {} : { namespace }) } } as Manifest;
            const key = `${manifest.kind}/${ns ?? "_cluster"}/${manifest.metadata.name}`;
            resources[key] = create(`${name}-${manifest.kind.toLowerCase()}-${ns ? `${ns}-` : ""}${manifest.metadata.name}`, withNamespace, { parent: this, provider: args.provider });
        }
        this.resources = resources;
        this.registerOutputs({});
    }
}
