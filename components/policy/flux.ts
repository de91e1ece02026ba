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

/** Flux's own sizing guidance: small requests, a 1 GiB memory limit per controller. */
const fluxResources = { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "1Gi" } };

/** The Flux controllers, when this program installs Flux. */
export function fluxRelease() {
    return {
        chart: "flux2",
        version: versions.fluxChart,
        repository: chartRepositories.flux,
        // Only the controllers policy delivery needs, each with requests and a memory limit (the chart
        // sets no limit by default, which Bulwark's resources-requests-limits guardrail rejects).
        values: {
            helmController: { create: false },
            imageAutomationController: { create: false },
            imageReflectionController: { create: false },
            kustomizeController: { resources: fluxResources },
            notificationController: { create: true, resources: fluxResources },
            sourceController: { resources: fluxResources },
            cli: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } } },
        },
    };
}
