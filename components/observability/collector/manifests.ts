import * as yaml from "js-yaml";
import { PlatformSettings } from "../../settings";
import { versions } from "../../versions";
import { traceLogEndpoints } from "../backends/endpoints";
import { memoryBudget } from "./memory";
import { CollectorRole, collectorConfig, collectorPorts, queueDirectory } from "./pipeline";

/*
 * Install method: typed Kubernetes resources built here, not the collector chart or the Operator.
 * The platform configures the collector deeply (the pipeline is generated data), and typed resources
 * keep every object visible to CrossGuard at `pulumi preview` (a Helm release hides its children) and
 * in `render`; the Operator would add a controller, CRDs and a webhook to the critical path of every
 * signal for a config we already generate.
 */

type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

export const collectorConfigKey = "config.yaml";
const configMountPath = "/etc/otelcol";

export function collectorName(role: CollectorRole): string {
    return `otel-${role}`;
}

/** The OTLP endpoint tenants send to: the agent on their own node (Service with internalTrafficPolicy Local). */
export function agentOtlpEndpoint(namespace: string): { grpc: string; http: string } {
    const host = `${collectorName("agent")}.${namespace}.svc.cluster.local`;
    return { grpc: `http://${host}:${collectorPorts.otlpGrpc}`, http: `http://${host}:${collectorPorts.otlpHttp}` };
}

/** Agents balance over every gateway pod (a headless Service and gRPC round-robin), not one pinned connection. */
export function gatewayOtlpEndpoint(namespace: string): string {
    return `dns:///${collectorName("gateway")}-headless.${namespace}.svc.cluster.local:${collectorPorts.otlpGrpc}`;
}

/** Serialises a collector config deterministically (sorted keys; list order is meaning and is kept). */
export function serializeCollectorConfig(config: Record<string, unknown>): string {
    return yaml.dump(config, { sortKeys: true, lineWidth: -1, noRefs: true });
}

export function roleConfig(settings: PlatformSettings, role: CollectorRole): Record<string, unknown> {
    const collector = settings.observability.collector;
    const config = collectorConfig({ role, settings: collector, gatewayEndpoint: gatewayOtlpEndpoint(collector.namespace), backends: traceLogEndpoints(settings) });
    if (role === "agent") {
        const exporters = config.exporters as Record<string, Record<string, unknown>>;
        exporters["otlp_grpc/gateway"].balancer_name = "round_robin";
    }
    return config;
}

function labels(role: CollectorRole): Record<string, string> {
    return { "app.kubernetes.io/name": collectorName(role), "app.kubernetes.io/component": role, "app.kubernetes.io/part-of": "bulwark-telemetry" };
}

function podSpec(settings: PlatformSettings, role: CollectorRole): Record<string, unknown> {
    const collector = settings.observability.collector;
    const sizing = role === "agent" ? collector.agent : collector.gateway;
    const memory = memoryBudget(sizing.memoryMiB);
    const ports = [
        { name: "otlp-grpc", containerPort: collectorPorts.otlpGrpc, protocol: "TCP" },
        { name: "otlp-http", containerPort: collectorPorts.otlpHttp, protocol: "TCP" },
        { name: "metrics", containerPort: collectorPorts.metrics, protocol: "TCP" },
        { name: "health", containerPort: collectorPorts.healthCheck, protocol: "TCP" },
    ];
    const probe = { httpGet: { path: "/", port: "health" }, periodSeconds: 10 };
    return {
        serviceAccountName: collectorName(role),
        automountServiceAccountToken: true, // k8s_attributes reads pods, namespaces and replicasets
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
        terminationGracePeriodSeconds: 30,
        containers: [
            {
                name: "otelcol",
                image: collector.image ?? versions.otelcolImage,
                args: [`--config=${configMountPath}/${collectorConfigKey}`],
                env: [
                    { name: "GOMEMLIMIT", value: memory.goMemLimit },
                    { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                    { name: "K8S_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                    { name: "OTEL_RESOURCE_ATTRIBUTES", value: `deployment.environment.name=${settings.environment ?? "unknown"}` },
                ],
                ports,
                resources: { requests: { cpu: role === "agent" ? "100m" : "250m", memory: `${sizing.memoryMiB}Mi` }, limits: { memory: `${sizing.memoryMiB}Mi` } },
                livenessProbe: probe,
                readinessProbe: probe,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [
                    { name: "config", mountPath: configMountPath, readOnly: true },
                    { name: "queue", mountPath: queueDirectory },
                ],
            },
        ],
        volumes: [
            { name: "config", configMap: { name: `${collectorName(role)}-config` } },
            // The persistent queue survives container restarts (OOM kill, crash) on the same pod.
            { name: "queue", emptyDir: { sizeLimit: `${sizing.queueMiB}Mi` } },
        ],
    };
}

function podTemplate(settings: PlatformSettings, role: CollectorRole, configText: string): Record<string, unknown> {
    return {
        metadata: {
            labels: labels(role),
            annotations: {
                // A config change rolls the pods.
                "bulwark.dev/config-digest": simpleDigest(configText),
                "prometheus.io/scrape": "true",
                "prometheus.io/port": String(collectorPorts.metrics),
                "prometheus.io/path": "/metrics",
            },
        },
        spec: podSpec(settings, role),
    };
}

/** FNV-1a, enough to notice a change in the config (not a security digest). */
function simpleDigest(text: string): string {
    let hash = 0x811c9dc5;
    for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, "0");
}

/** Every Kubernetes object of the collector area, in a stable order. Pure: tested without mocks. */
export function collectorObjects(settings: PlatformSettings): KubeObject[] {
    const collector = settings.observability.collector;
    const namespace = collector.namespace;
    const objects: KubeObject[] = [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "bulwark-otel-collector", labels: { "app.kubernetes.io/part-of": "bulwark-telemetry" } },
            rules: [
                { apiGroups: [""], resources: ["pods", "namespaces", "nodes"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
            ],
        },
    ];
    for (const role of ["agent", "gateway"] as const) {
        const name = collectorName(role);
        const configText = serializeCollectorConfig(roleConfig(settings, role));
        const meta = { name, namespace, labels: labels(role) };
        objects.push(
            { apiVersion: "v1", kind: "ServiceAccount", metadata: meta },
            {
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "ClusterRoleBinding",
                metadata: { name: `bulwark-${name}`, labels: labels(role) },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "bulwark-otel-collector" },
                subjects: [{ kind: "ServiceAccount", name, namespace }],
            },
            { apiVersion: "v1", kind: "ConfigMap", metadata: { ...meta, name: `${name}-config` }, data: { [collectorConfigKey]: configText } },
        );
        const servicePorts = [
            { name: "otlp-grpc", port: collectorPorts.otlpGrpc, targetPort: "otlp-grpc", protocol: "TCP", appProtocol: "grpc" },
            { name: "otlp-http", port: collectorPorts.otlpHttp, targetPort: "otlp-http", protocol: "TCP" },
            { name: "metrics", port: collectorPorts.metrics, targetPort: "metrics", protocol: "TCP" },
        ];
        if (role === "agent") {
            objects.push(
                { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta, spec: { selector: { matchLabels: labels(role) }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } }, template: podTemplate(settings, role, configText) } },
                // Node-local: a tenant's spans go to the agent on its own node, with no hostPort or hostNetwork.
                { apiVersion: "v1", kind: "Service", metadata: meta, spec: { selector: labels(role), internalTrafficPolicy: "Local", ports: servicePorts } },
            );
        } else {
            const gateway = collector.gateway;
            objects.push(
                { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { replicas: gateway.replicas, selector: { matchLabels: labels(role) }, template: podTemplate(settings, role, configText) } },
                { apiVersion: "v1", kind: "Service", metadata: meta, spec: { selector: labels(role), ports: servicePorts } },
                { apiVersion: "v1", kind: "Service", metadata: { ...meta, name: `${name}-headless` }, spec: { selector: labels(role), clusterIP: "None", ports: servicePorts.slice(0, 1) } },
            );
            if (gateway.replicas >= 2) {
                objects.push(
                    {
                        apiVersion: "autoscaling/v2",
                        kind: "HorizontalPodAutoscaler",
                        metadata: meta,
                        spec: {
                            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
                            minReplicas: gateway.replicas,
                            maxReplicas: gateway.maxReplicas ?? gateway.replicas * 2,
                            metrics: [
                                { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 60 } } },
                                { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
                            ],
                        },
                    },
                    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: labels(role) } } },
                );
            }
        }
    }
    // How tenants find the agent: every tenant namespace gets the standard OpenTelemetry SDK variables.
    for (const tenant of settings.tenants) {
        const endpoint = agentOtlpEndpoint(namespace);
        objects.push({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "otel-exporter", namespace: tenant.name, labels: { "app.kubernetes.io/part-of": "bulwark-telemetry" } },
            data: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.grpc, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
        });
    }
    return objects;
}
