import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// One Deployment whose image the test sets per case (`pulumi config set image ...`): the policy
// pack's `image-signature-verified` must verify it against the registry before anything is created.
new k8s.apps.v1.Deployment("web", {
    // No controllers run beside the test's API server, so the rollout is never awaited.
    metadata: { name: "web", namespace: "default", annotations: { "pulumi.com/skipAwait": "true" } },
    spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
            metadata: { labels: { app: "web" } },
            spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "web", image: new pulumi.Config().require("image") }] },
        },
    },
});
