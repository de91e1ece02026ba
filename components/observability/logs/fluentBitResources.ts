import { LogsSettings } from "../../settings";
import { fluentBitConfigFile, fluentBitDefaultPaths, FluentBitConfigInput } from "./fluentBitConfig";

/** Settings resolved once: every default applied, the gateway host derived from the platform namespace. */
export interface ResolvedFluentBitArgs extends FluentBitConfigInput {
    readonly namespace: string;
    readonly image: string;
    readonly resources: LogsSettings["resources"];
}

export const fluentBitName = "fluent-bit";
export const fluentBitMetricsPort = 2020;
export const fluentBitLabels = { "app.kubernetes.io/name": fluentBitName, "app.kubernetes.io/part-of": "bulwark", "app.kubernetes.io/component": "log-forwarder" } as const;

/** Pure: the Fluent Bit arguments from the settings; the gateway defaults to the collector area's `otel-gateway` Service. */
export function resolveFluentBitArgs(logs: LogsSettings, collectorNamespace: string): ResolvedFluentBitArgs {
    return {
        namespace: logs.namespace,
        image: logs.image,
        resources: logs.resources,
        gateway: { host: logs.gateway.host ?? `otel-gateway.${collectorNamespace}.svc`, port: logs.gateway.port, tls: logs.gateway.tls },
        kubeUrl: "https://kubernetes.default.svc:443",
        bufferLimit: logs.bufferLimit,
        memBufLimit: "50MB",
        retryLimit: logs.retryLimit,
        metricsListen: "0.0.0.0",
        metricsPort: fluentBitMetricsPort,
    };
}

/**
 * The DaemonSet's pod spec: root only to read the root-owned log files, every capability dropped,
 * no privilege escalation, a read-only root filesystem; host paths are the container logs
 * (read-only) and one state directory for tail offsets and the filesystem buffer.
 */
export function fluentBitPodSpec(args: ResolvedFluentBitArgs, configMapName: string) {
    const paths = fluentBitDefaultPaths;
    return {
        serviceAccountName: fluentBitName,
        priorityClassName: "system-node-critical",
        tolerations: [{ operator: "Exists" }],
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: fluentBitName,
                image: args.image,
                args: ["--config", `${paths.configDir}/${fluentBitConfigFile}`],
                ports: [{ name: "http-metrics", containerPort: args.metricsPort, protocol: "TCP" }],
                env: [{ name: "HOSTNAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
                resources: { requests: args.resources.requests, limits: args.resources.limits },
                securityContext: {
                    runAsUser: 0,
                    runAsNonRoot: false,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                },
                livenessProbe: { httpGet: { path: "/", port: "http-metrics" } },
                readinessProbe: { httpGet: { path: "/api/v1/health", port: "http-metrics" } },
                volumeMounts: [
                    { name: "config", mountPath: paths.configDir, readOnly: true },
                    { name: "varlog", mountPath: "/var/log", readOnly: true },
                    { name: "state", mountPath: paths.stateDir },
                ],
            },
        ],
        volumes: [
            { name: "config", configMap: { name: configMapName } },
            { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
            { name: "state", hostPath: { path: paths.stateDir, type: "DirectoryOrCreate" } },
        ],
    };
}

/** Read access to pods and namespaces, for the kubernetes filter's metadata. */
export const fluentBitClusterRoleRules = [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }];
