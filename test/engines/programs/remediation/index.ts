import * as k8s from "@pulumi/kubernetes";

// A tenant Namespace without labels and a Deployment without any safe default: the policy pack's
// remediations (components/guardrails/mutations) must fill them in before they are created.
const namespace = new k8s.core.v1.Namespace("checkout", { metadata: { name: "checkout" } });

new k8s.apps.v1.Deployment(
    "web",
    {
        // No controllers run beside the test's API server, so the rollout is never awaited.
        metadata: { name: "web", namespace: "checkout", annotations: { "pulumi.com/skipAwait": "true" } },
        spec: {
            selector: { matchLabels: { app: "web" } },
            template: {
                metadata: { labels: { app: "web" } },
                spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: "registry.k8s.io/pause:3.10" }] },
            },
        },
    },
    { dependsOn: [namespace] },
);
