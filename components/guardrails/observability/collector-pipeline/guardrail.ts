import { CrossObjectGuardrailDefinition, ObjectRef } from "../../cross-object";
import { collectorPipelineRego } from "./rego";
import { asCollectorConfig, CollectorConfig, memoryViolations, pipelineViolations } from "./rules";

type Container = { name?: string; env?: { name?: string }[]; resources?: { limits?: { memory?: unknown } }; volumeMounts?: { name?: string }[] };
type Workload = {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
    spec?: { template?: { spec?: { volumes?: { name?: string; configMap?: { name?: string } }[]; containers?: Container[] } } };
};

const workloadKinds = ["Deployment", "DaemonSet", "StatefulSet"];

/** Containers of workloads in `namespace` that mount the ConfigMap `name`. */
function containersMounting(objects: readonly ObjectRef[], namespace: string | undefined, name: string | undefined): { workload: string; container: Container }[] {
    if (namespace === undefined || name === undefined) return [];
    const found: { workload: string; container: Container }[] = [];
    for (const { object } of objects) {
        const workload = object as Workload;
        if (!workloadKinds.includes(String(workload.kind)) || workload.metadata?.namespace !== namespace) continue;
        const podSpec = workload.spec?.template?.spec;
        for (const volume of podSpec?.volumes ?? []) {
            if (volume.configMap?.name !== name) continue;
            for (const container of podSpec?.containers ?? []) {
                if ((container.volumeMounts ?? []).some((mount) => mount.name === volume.name)) found.push({ workload: `${workload.kind} ${workload.metadata?.name}`, container });
            }
        }
    }
    return found;
}

function configsOf(object: Record<string, unknown>): { where: string; config: CollectorConfig }[] {
    if (object.kind === "ConfigMap") {
        const data = (object.data ?? {}) as Record<string, unknown>;
        return Object.keys(data)
            .sort()
            .flatMap((key) => {
                const config = asCollectorConfig(data[key]);
                return config === undefined ? [] : [{ where: `data.${key}`, config }];
            });
    }
    if (object.kind === "OpenTelemetryCollector") {
        const config = asCollectorConfig((object.spec as { config?: unknown } | undefined)?.config);
        return config === undefined ? [] : [{ where: "spec.config", config }];
    }
    return [];
}

export const collectorPipeline: CrossObjectGuardrailDefinition = {
    id: "collector-pipeline",
    title: "Collector pipelines start with memory_limiter, remove PII, batch, and fit their memory limit",
    rationale:
        "A collector without memory_limiter first is OOM-killed under load and drops everything in flight; without PII removal it ships customers' data to vendors; without batching it overloads backends; a memory_limiter above the container limit never fires; a detailed debug exporter prints every attribute into logs.",
    severity: "high",
    capability: 8,
    kinds: ["ConfigMap", "OpenTelemetryCollector"],
    check: (objects) => {
        const violations: { index: number; message: string }[] = [];
        objects.forEach(({ object }, index) => {
            for (const { where, config } of configsOf(object)) {
                for (const message of pipelineViolations(config)) violations.push({ index, message: `${where}: ${message}` });
                const metadata = object.metadata as { name?: string; namespace?: string } | undefined;
                if (object.kind === "OpenTelemetryCollector") {
                    const spec = (object.spec ?? {}) as Container;
                    for (const message of memoryViolations(config, { ...spec, name: "collector" })) violations.push({ index, message: `${where}: ${message}` });
                } else {
                    // A ConfigMap alone says nothing about memory; the workloads mounting it (in the same input or the cluster) do.
                    for (const { workload, container } of containersMounting(objects, metadata?.namespace, metadata?.name)) {
                        for (const message of memoryViolations(config, container)) violations.push({ index, message: `${where}: ${workload}: ${message}` });
                    }
                }
            }
        });
        return violations;
    },
    gatekeeper: {
        rego: collectorPipelineRego,
        sync: workloadKinds.map((kind) => ({ group: "apps", version: "v1", kind })),
    },
    notExpressibleElsewhere:
        "A ConfigMap holds the collector config as a YAML string, which CEL (ValidatingAdmissionPolicy, Kyverno's CEL policies) cannot parse, and the memory rule needs the workload that mounts it. CrossGuard and check run this TypeScript; Gatekeeper runs the same rules in Rego (yaml.unmarshal, synced workloads). Pod Security Admission has no say in collector configs.",
    fixturesDir: __dirname,
};
