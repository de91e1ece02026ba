import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../../chartRelease";
import { PlatformSettings } from "../../settings";
import { installedTraceLogBackends } from "../../settings/backendPlacement";
import { lokiChartRelease, lokiRelease, tempoChartRelease, tempoRelease } from "./chartValues";
import { TraceLogEndpoints, traceLogEndpoints } from "./endpoints";

export interface TraceLogBackendsArgs {
    /** Resolved platform settings (`observability.tempo`, `observability.loki`, install). */
    readonly settings: PlatformSettings;
    /** Namespaces created by PodSecurity, by name (typed inputs, never strings). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * The trace store (Tempo) and the log store (Loki): each installed from its pinned chart into its
 * own `restricted` namespace, unless the stack names it as external. Either way `endpoints` is where
 * the collector sends and Grafana reads, derived once (endpoints.ts).
 */
export class TraceLogBackends extends pulumi.ComponentResource {
    /** The endpoints the collector and Grafana use. */
    readonly endpoints: TraceLogEndpoints;
    /** The Helm releases, by store, for the stores this stack installs. */
    readonly releases: Readonly<Partial<Record<"tempo" | "loki", k8s.helm.v3.Release>>>;

    constructor(name: string, args: TraceLogBackendsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:observability:TraceLogBackends", name, {}, opts);
        const { settings } = args;
        const installed = installedTraceLogBackends(settings);
        const namespaceOf = (namespace: string): k8s.core.v1.Namespace => {
            const created = args.namespaces[namespace];
            if (created === undefined) throw new pulumi.ResourceError(`namespace '${namespace}' is not planned by PodSecurity`, this);
            return created;
        };
        const childOptions = { parent: this, provider: args.provider };
        const releases: Partial<Record<"tempo" | "loki", k8s.helm.v3.Release>> = {};
        if (installed.tempo) {
            const namespace = namespaceOf(settings.observability.tempo.namespace);
            releases.tempo = installChart(`${name}-tempo`, tempoRelease, namespace.metadata.name, tempoChartRelease(settings.observability.tempo), childOptions);
        }
        if (installed.loki) {
            const namespace = namespaceOf(settings.observability.loki.namespace);
            releases.loki = installChart(`${name}-loki`, lokiRelease, namespace.metadata.name, lokiChartRelease(settings.observability.loki), childOptions);
        }
        this.endpoints = traceLogEndpoints(settings);
        this.releases = releases;
        this.registerOutputs({ endpoints: this.endpoints });
    }
}
