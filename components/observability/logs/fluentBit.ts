import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LogsSettings } from "../../settings";
import { fluentBitConfigFiles } from "./fluentBitConfig";
import { fluentBitClusterRoleRules, fluentBitLabels, fluentBitName, fluentBitPodSpec, resolveFluentBitArgs } from "./fluentBitResources";

export interface FluentBitArgs {
    /** Resolved `observability.logs` settings. */
    readonly logs: LogsSettings;
    /** Namespace of the DaemonSet (privileged, with its reason), from PodSecurity. */
    readonly namespace: pulumi.Input<string>;
    /** The namespace of the collector gateway (the default OTLP endpoint). */
    readonly collectorNamespace: string;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * Fluent Bit as typed resources rather than its chart: the platform configures it deeply (the
 * trace-context filter, the OTLP output), and typed children stay visible to the CrossGuard pack.
 * Tails container logs, enriches them with Kubernetes metadata, parses JSON, lifts trace and span
 * IDs, and forwards OTLP to the collector gateway with a filesystem buffer and retries. Its
 * PodMonitor is one of the platform monitors (metrics/monitors.ts).
 */
export class FluentBit extends pulumi.ComponentResource {
    readonly daemonSetName: pulumi.Output<string>;

    constructor(name: string, args: FluentBitArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:observability:FluentBit", name, {}, opts);
        const resolved = resolveFluentBitArgs(args.logs, args.collectorNamespace);
        const childOptions = { parent: this, provider: args.provider };
        const metadata = (suffix = "") => ({ name: `${fluentBitName}${suffix}`, namespace: args.namespace, labels: { ...fluentBitLabels } });

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: metadata() }, childOptions);
        const role = new k8s.rbac.v1.ClusterRole(`${name}-reader`, { metadata: { name: "bulwark-fluent-bit", labels: { ...fluentBitLabels } }, rules: fluentBitClusterRoleRules }, childOptions);
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-reader`,
            {
                metadata: { name: "bulwark-fluent-bit", labels: { ...fluentBitLabels } },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
            },
            childOptions,
        );
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: metadata("-config"), data: fluentBitConfigFiles(resolved) }, childOptions);
        const daemonSet = new k8s.apps.v1.DaemonSet(
            `${name}-daemonset`,
            {
                metadata: metadata(),
                spec: {
                    selector: { matchLabels: { "app.kubernetes.io/name": fluentBitName } },
                    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
                    template: { metadata: { labels: { ...fluentBitLabels } }, spec: fluentBitPodSpec(resolved, `${fluentBitName}-config`) },
                },
            },
            { ...childOptions, dependsOn: [config, account] },
        );
        this.daemonSetName = daemonSet.metadata.name;
        this.registerOutputs({ daemonSetName: this.daemonSetName });
    }
}
