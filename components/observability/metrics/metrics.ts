import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings } from "../../settings";
import { chartRepositories, versions } from "../../versions";
import { platformHealthDashboard, platformHealthDashboardUid } from "../grafana/dashboard";
import { alertRules, prometheusRuleSpec } from "./alerts";
import { platformMonitors } from "./monitors";
import { kubePrometheusStackRelease, kubePrometheusStackValues } from "./stackValues";
import { installChart } from "../../chartRelease";
import { traceLogEndpoints } from "../backends/endpoints";

export interface MetricsArgs {
    /** Resolved platform settings (`observability.metrics`, the platform namespace, install). */
    readonly settings: PlatformSettings;
    /** Namespaces created by PodSecurity, by name (typed inputs, never strings). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /** Install kube-prometheus-stack. @default settings.install */
    readonly install?: boolean;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/**
 * Prometheus (with exemplars and the remote-write receiver), Alertmanager, Grafana (correlated
 * datasources and the platform health dashboard), node-exporter and kube-state-metrics from the
 * pinned kube-prometheus-stack chart, plus the platform's alert rules and monitors. Without
 * `install`, only the rules, monitors and dashboard are created (in the platform namespace), for a
 * Prometheus managed elsewhere.
 */
export class Metrics extends pulumi.ComponentResource {
    /** The namespace holding the rules and dashboard. */
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: MetricsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:observability:Metrics", name, {}, opts);
        const { settings } = args;
        const metrics = settings.observability.metrics;
        const install = (args.install ?? settings.install) && metrics.enabled;
        const namespaceOf = (namespace: string): pulumi.Output<string> => {
            const created = args.namespaces[namespace];
            if (created === undefined) throw new pulumi.ResourceError(`namespace '${namespace}' is not planned by PodSecurity`, this);
            return created.metadata.name;
        };
        const home = namespaceOf(install ? metrics.namespace : settings.platformNamespace);
        const childOptions = { parent: this, provider: args.provider };
        let ready: pulumi.Resource[] = [];
        if (install) {
            ready = [
                installChart(
                    `${name}-stack`,
                    kubePrometheusStackRelease,
                    home,
                    { chart: "kube-prometheus-stack", version: versions.kubePrometheusStackChart, repository: chartRepositories.prometheusCommunity, values: kubePrometheusStackValues(metrics, traceLogEndpoints(settings)) },
                    { ...childOptions, dependsOn: [args.namespaces[metrics.nodeExporterNamespace]].filter((n) => n !== undefined) },
                ),
            ];
        }
        const crOptions = { ...childOptions, dependsOn: ready };
        new k8s.apiextensions.CustomResource(
            `${name}-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "bulwark-platform", namespace: home, labels: { "app.kubernetes.io/managed-by": "bulwark" } },
                spec: prometheusRuleSpec(alertRules, metrics.runbookBaseUrl),
            },
            crOptions,
        );
        for (const monitor of platformMonitors(settings)) {
            const { metadata } = monitor.object;
            new k8s.apiextensions.CustomResource(
                `${name}-${metadata.name}-monitor`,
                { ...monitor.object, metadata: { ...metadata, namespace: namespaceOf(metadata.namespace) } },
                crOptions,
            );
        }
        new k8s.core.v1.ConfigMap(
            `${name}-dashboard`,
            {
                metadata: { name: platformHealthDashboardUid, namespace: home, labels: { grafana_dashboard: "1", "app.kubernetes.io/managed-by": "bulwark" } },
                data: { "platform-health.json": JSON.stringify(platformHealthDashboard(), null, 2) },
            },
            childOptions,
        );
        this.namespace = home;
        this.registerOutputs({ namespace: this.namespace });
    }
}
