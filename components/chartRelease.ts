import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A pinned third-party chart and the values an area gives it: pure data, rendered by real Helm in the engine tier. */
export interface ChartRelease {
    readonly chart: string;
    readonly version: string;
    readonly repository: string;
    readonly values: Record<string, unknown>;
}

/**
 * The one way the areas install a third-party chart: an atomic `helm.v3.Release` (its chart, version and
 * values stay visible to `render` and CrossGuard's stack policies; see the README on Release vs Chart).
 */
export function installChart(resourceName: string, releaseName: string, namespace: pulumi.Input<string>, release: ChartRelease, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        resourceName,
        { name: releaseName, namespace, chart: release.chart, version: release.version, repositoryOpts: { repo: release.repository }, values: release.values, atomic: true },
        opts,
    );
}
