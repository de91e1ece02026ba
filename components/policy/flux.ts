import { PolicySettings } from "../settings";
import { chartRepositories, versions } from "../versions";

export const fluxNamespace = "flux-system";

/** The GitRepository and Kustomization that make a cluster converge on `policies/<engine>/<stack>`. */
export function fluxPolicySync(policy: PolicySettings, stack: string): Record<string, unknown>[] {
    if (policy.flux === undefined) throw new Error("policy.flux is required for Flux delivery");
    const name = "bulwark-policies";
    return [
        {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "GitRepository",
            metadata: { name, namespace: fluxNamespace },
            spec: { url: policy.flux.url, ref: { branch: policy.flux.branch }, interval: policy.flux.interval, ignore: "/*\n!/policies/\n" },
        },
        {
            apiVersion: "kustomize.toolkit.fluxcd.io/v1",
            kind: "Kustomization",
            metadata: { name, namespace: fluxNamespace },
            spec: {
                interval: policy.flux.interval,
                path: `./policies/${policy.engine}/${stack}`,
                prune: true,
                wait: true,
                sourceRef: { kind: "GitRepository", name },
            },
        },
    ];
}

/** The Flux controllers, when this program installs Flux. */
export function fluxRelease() {
    return {
        chart: "flux2",
        version: versions.fluxChart,
        repository: chartRepositories.flux,
        // Only the controllers policy delivery needs.
        values: { helmController: { create: false }, imageAutomationController: { create: false }, imageReflectionController: { create: false }, notificationController: { create: true } },
    };
}
