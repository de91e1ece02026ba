import type { ChartRelease } from "../../chartRelease";
import type { LokiSettings, TempoSettings } from "../../settings/observability";
import { chartRepositories, versions } from "../../versions";
import { lokiFullname, tempoFullname } from "./endpoints";

/*
 * Helm values of the trace and log stores, as pure data (rendered by real Helm with each stack's
 * values in test/engines/charts.engine.test.ts). Both run as their chart's single binary: one
 * StatefulSet with a persistent volume, no object storage and no credentials to manage. That fits
 * a platform's own telemetry up to some tens of GB a day; a larger or highly available store runs
 * elsewhere with object storage and is named under `external` (see settings/traceLogBackends.ts).
 */

/** Release names the platform installs the stores under. */
export const tempoRelease = "tempo";
export const lokiRelease = "loki";

/** Both charts run as UID/GID 10001; the pod context adds what Pod Security `restricted` requires. */
const restrictedPod = { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, seccompProfile: { type: "RuntimeDefault" } };

/** Values of the grafana-community `tempo` chart (single binary). */
export function tempoValues(tempo: TempoSettings) {
    return {
        fullnameOverride: tempoFullname,
        replicas: tempo.replicas,
        tempo: {
            // block_retention: the compactor deletes trace blocks older than this.
            retention: tempo.retention,
            // A platform component does not report usage to a third party.
            reportingEnabled: false,
            resources: tempo.resources,
            securityContext: restrictedContainer,
        },
        securityContext: restrictedPod,
        // The WAL and blocks live on /var/tempo; without a volume a restart loses every trace.
        persistence: { enabled: true, size: tempo.storage.size, ...(tempo.storage.storageClassName === undefined ? {} : { storageClassName: tempo.storage.storageClassName }) },
    };
}

/**
 * Values of the grafana-community `loki` chart in SingleBinary mode with the filesystem store (the
 * chart refuses more than one replica on it), single-tenant (the collector sends no tenant header),
 * retention enforced by the compactor. The parts a single binary does not need are off: the nginx
 * gateway (Grafana and the collector reach the Loki Service directly), memcached caches, the canary
 * DaemonSet and its test, the rules sidecar (it needs a ClusterRole that reads every Secret), and the
 * minio and rollout-operator subcharts.
 */
export function lokiValues(loki: LokiSettings) {
    return {
        fullnameOverride: lokiFullname,
        deploymentMode: "SingleBinary",
        loki: {
            auth_enabled: false,
            commonConfig: { replication_factor: 1 },
            storage: { type: "filesystem" },
            schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }] },
            // OTLP resource and log attributes beyond the index labels land in structured metadata (trace_id among them).
            limits_config: { retention_period: loki.retention, allow_structured_metadata: true },
            compactor: { retention_enabled: true, delete_request_store: "filesystem" },
            podSecurityContext: restrictedPod,
            containerSecurityContext: restrictedContainer,
        },
        singleBinary: {
            replicas: loki.replicas,
            resources: loki.resources,
            persistence: { enabled: true, size: loki.storage.size, ...(loki.storage.storageClassName === undefined ? {} : { storageClass: loki.storage.storageClassName }) },
        },
        backend: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        sidecar: { rules: { enabled: false } },
        minio: { enabled: false },
        rollout_operator: { enabled: false },
    };
}

export function tempoChartRelease(tempo: TempoSettings): ChartRelease {
    return { chart: "tempo", version: versions.tempoChart, repository: chartRepositories.grafanaCommunity, values: tempoValues(tempo) };
}

export function lokiChartRelease(loki: LokiSettings): ChartRelease {
    return { chart: "loki", version: versions.lokiChart, repository: chartRepositories.grafanaCommunity, values: lokiValues(loki) };
}
