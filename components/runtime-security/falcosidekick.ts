import { versions } from "../versions";
import { AlertDestinations, falcosidekickName, falcosidekickPort } from "./sensorReleases";
import { runtimeExemptLabel } from "./tetragonPolicies";

/**
 * falcosidekick as typed Kubernetes objects rather than the Falco chart's subchart: CrossGuard sees
 * every field, and the pod runs under Pod Security `restricted` although its namespace is privileged.
 * It receives Falco's JSON alerts over HTTP and forwards them to Alertmanager and, as OTLP logs, to
 * the collector gateway. Falco's `output_fields` (k8s.ns.name, k8s.pod.name, container.name, ...)
 * travel with each alert, so the pod, namespace and container survive into the pipeline.
 * Configuration is by falcosidekick's documented environment variables; no secret is involved.
 */
export function falcosidekickObjects(namespace: string, destinations: AlertDestinations): Record<string, unknown>[] {
    const labels = { "app.kubernetes.io/name": falcosidekickName, "app.kubernetes.io/part-of": "bulwark-runtime-security" };
    const env: Record<string, string> = {
        LISTENPORT: String(falcosidekickPort),
        ALERTMANAGER_HOSTPORT: destinations.alertmanagerUrl,
        ALERTMANAGER_MINIMUMPRIORITY: "warning",
        OTLP_LOGS_ENDPOINT: destinations.otlpLogsEndpoint,
        OTLP_LOGS_PROTOCOL: "http/protobuf",
        OTLP_LOGS_MINIMUMPRIORITY: "debug",
        OTLP_LOGS_CHECKCERT: "false",
    };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: falcosidekickName, namespace, labels }, automountServiceAccountToken: false },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: falcosidekickName, namespace, labels },
            spec: {
                replicas: 2,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels: { ...labels, [runtimeExemptLabel]: "true" } },
                    spec: {
                        serviceAccountName: falcosidekickName,
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 1234, seccompProfile: { type: "RuntimeDefault" } },
                        containers: [
                            {
                                name: falcosidekickName,
                                image: versions.falcosidekickImage,
                                ports: [{ name: "http", containerPort: falcosidekickPort, protocol: "TCP" }],
                                env: Object.entries(env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
                                readinessProbe: { httpGet: { path: "/ping", port: "http" } },
                                livenessProbe: { httpGet: { path: "/ping", port: "http" }, initialDelaySeconds: 10 },
                                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            },
                        ],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: falcosidekickName, namespace, labels },
            spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: falcosidekickPort, targetPort: "http", protocol: "TCP" }] },
        },
        {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: falcosidekickName, namespace, labels },
            spec: { minAvailable: 1, selector: { matchLabels: labels } },
        },
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: falcosidekickName, namespace, labels },
            spec: { selector: { matchLabels: labels }, endpoints: [{ port: "http", path: "/metrics", interval: "30s" }] },
        },
    ];
}
