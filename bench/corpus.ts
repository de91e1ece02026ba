import * as yaml from "js-yaml";

/** The prod stack's tenant namespaces (stacks/Pulumi.prod.yaml), so `--stack prod` facts apply. */
export const benchNamespaces = ["checkout", "catalog", "search", "edge", "payments-ledger"] as const;

/** What each generated Deployment gets wrong (or nothing), cycling over the corpus. */
const faults = ["none", "none", "privileged", "host-port", "latest-tag", "foreign-registry", "no-limits", "run-as-root"] as const;

/**
 * `count` Deployments in the prod tenant namespaces: most comply with every guardrail of the prod
 * stack (digest-pinned images from an allowed registry, restricted security contexts, requests and
 * limits), every few carry one fault, so every engine has violations and passes to agree on.
 */
export function deploymentCorpus(count: number): Record<string, unknown>[] {
    const objects: Record<string, unknown>[] = [];
    for (let index = 0; index < count; index++) {
        const fault = faults[index % faults.length];
        const name = `app-${index}`;
        const image =
            fault === "latest-tag"
                ? "ghcr.io/acme/app:latest"
                : fault === "foreign-registry"
                  ? "docker.io/library/nginx@sha256:" + "a".repeat(64)
                  : `ghcr.io/acme/app-${index % 97}:1.${index % 7}@sha256:${(index % 16).toString(16).repeat(64)}`;
        const container = {
            name: "app",
            image,
            ports: [{ containerPort: 8080, ...(fault === "host-port" ? { hostPort: 8080 } : {}) }],
            resources: fault === "no-limits" ? { requests: { cpu: "100m" } } : { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            securityContext: {
                allowPrivilegeEscalation: fault === "privileged",
                privileged: fault === "privileged",
                capabilities: { drop: ["ALL"] },
                ...(fault === "run-as-root" ? { runAsUser: 0 } : {}),
            },
        };
        const labels = { app: name };
        objects.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace: benchNamespaces[index % benchNamespaces.length], labels },
            spec: {
                replicas: 2,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [container],
                    },
                },
            },
        });
    }
    return objects;
}

/** Multi-document YAML, as `helm template` writes it. */
export function toYamlStream(objects: readonly unknown[]): string {
    return objects.map((object) => yaml.dump(object, { noRefs: true })).join("---\n");
}
