import { meshComponentNamespaces } from "../mesh/enrolment";
import type { EnforcementMode, PlatformSettings, PodSecurityLevel } from "../settings";
import { installedTraceLogBackends } from "../settings/backendPlacement";
import { runtimeSecurityNamespaces } from "../settings/levels";
import { policyControllerNamespace, verifiesWithPolicyController } from "../supply-chain/policyControllerScope";

/** Where Bulwark records why a namespace runs below `restricted`. */
export const podSecurityReasonAnnotation = "bulwark.dev/pod-security-reason";
/** Which role a namespace plays: tenant, platform or exception. */
export const namespaceRoleLabel = "bulwark.dev/namespace-role";
export const podSecurityLabelPrefix = "pod-security.kubernetes.io/";
export const namespaceEnforceLabel = `${podSecurityLabelPrefix}enforce`;

export type NamespaceRole = "tenant" | "platform" | "exception";

/** A namespace the platform creates, with the Pod Security level it targets. */
export interface NamespacePlan {
    readonly name: string;
    readonly role: NamespaceRole;
    /** The level the namespace is meant to run at (enforced in `enforce` mode). */
    readonly level: PodSecurityLevel;
    /** Required for every level below `restricted`. */
    readonly reason?: string;
    readonly extraLabels: Readonly<Record<string, string>>;
}

const levelRank: Record<PodSecurityLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** True when `level` is at least as strict as `floor`. */
export function isAtLeast(level: PodSecurityLevel, floor: PodSecurityLevel): boolean {
    return levelRank[level] >= levelRank[floor];
}

/**
 * The `enforce` label for a namespace. In `audit` mode a `restricted` target is warned and audited
 * but only `baseline` is enforced, so dev still blocks privileged pods while teams fix the rest.
 */
export function enforcedLevel(level: PodSecurityLevel, mode: EnforcementMode): PodSecurityLevel {
    return mode === "audit" && level === "restricted" ? "baseline" : level;
}

/** The six Pod Security Admission labels for a namespace. */
export function podSecurityLabels(level: PodSecurityLevel, mode: EnforcementMode, version: string): Record<string, string> {
    const enforce = enforcedLevel(level, mode);
    return {
        [`${podSecurityLabelPrefix}enforce`]: enforce,
        [`${podSecurityLabelPrefix}enforce-version`]: version,
        [`${podSecurityLabelPrefix}audit`]: level,
        [`${podSecurityLabelPrefix}audit-version`]: version,
        [`${podSecurityLabelPrefix}warn`]: level,
        [`${podSecurityLabelPrefix}warn-version`]: version,
    };
}

/**
 * A namespace a platform component installs into. Platform parts run at `baseline`; a node agent that
 * needs host access (log collectors reading hostPath, eBPF sensors, CNI plugins, node-exporter) gets a
 * namespace of its own at the minimal level that works, and says why in `reason`. The namespace
 * guardrail accepts exactly the levels planned here.
 */
export interface ComponentNamespace {
    readonly name: string;
    /** What runs there, for the default baseline reason. */
    readonly purpose: string;
    /** @default "baseline" */
    readonly level?: PodSecurityLevel;
    /** Required when `level` is below baseline: why the agent needs it. */
    readonly reason?: string;
}

/** Namespaces the platform's own components install into (Pod Security `baseline` unless they say why not). */
export function componentNamespaces(settings: PlatformSettings): ComponentNamespace[] {
    const namespaces: ComponentNamespace[] = [{ name: settings.platformNamespace, purpose: "Bulwark's own platform parts" }];
    if (!settings.install) return namespaces;
    if (settings.policy.engine === "kyverno") namespaces.push({ name: "kyverno", purpose: "the Kyverno admission controller" });
    if (settings.policy.engine === "gatekeeper") namespaces.push({ name: "gatekeeper-system", purpose: "the OPA Gatekeeper admission controller" });
    if (settings.policy.delivery === "flux" && settings.policy.flux?.install) namespaces.push({ name: "flux-system", purpose: "the Flux GitOps controllers" });
    if (verifiesWithPolicyController(settings)) {
        namespaces.push({
            name: policyControllerNamespace,
            purpose: "the sigstore policy-controller (image signature verification at admission)",
            level: "restricted",
            reason: "The policy-controller webhook and its lease-cleanup hook need no host access: Bulwark's chart values run them non-root with every capability dropped and the RuntimeDefault seccomp profile.",
        });
    }
    if (settings.runtimeSecurity.sensor !== "none") {
        const sensor = settings.runtimeSecurity.sensor;
        namespaces.push({
            name: runtimeSecurityNamespaces[sensor],
            purpose: `the ${sensor === "falco" ? "Falco" : "Tetragon"} runtime-security sensor`,
            level: "privileged",
            reason: `The ${sensor === "falco" ? "Falco" : "Tetragon"} eBPF sensor loads BPF programs and reads every process on the node: it needs privileged containers, the host PID namespace and hostPath mounts of /proc, /sys and the container runtime socket, which baseline forbids.`,
        });
    }
    namespaces.push(...meshComponentNamespaces(settings));
    if (settings.observability.collector.enabled) {
        namespaces.push({
            name: settings.observability.collector.namespace,
            purpose: "the OpenTelemetry Collector agent and gateway",
            level: "restricted",
            reason: "The collector agent needs no host access: tenants reach it through a node-local Service (internalTrafficPolicy Local), not hostPort or hostNetwork.",
        });
    }
    namespaces.push(...observabilityNamespaces(settings));
    return namespaces;
}

/** Why a tenant enforces below its level while the enforcement ramp audits. */
const auditRampReason =
    "Enforcement ramp (audit): Pod Security restricted is warned and audited here, and baseline is enforced until this stack's enforcement is 'enforce'.";

/** Every namespace the settings declare, in a stable order: platform, tenants, exceptions. */
export function planNamespaces(settings: PlatformSettings): NamespacePlan[] {
    return [
        ...componentNamespaces(settings).map(
            (namespace): NamespacePlan => {
                const level = namespace.level ?? "baseline";
                if (level === "privileged" && (namespace.reason ?? "").trim().length < 20) {
                    // A programming error in an area, not user input: every privileged namespace says why.
                    throw new Error(`component namespace '${namespace.name}' runs at privileged without a written reason`);
                }
                return {
                    name: namespace.name,
                    role: "platform",
                    level,
                    reason: namespace.reason ?? `Platform namespace for ${namespace.purpose}: platform parts run at Pod Security baseline by design.`,
                    extraLabels: {},
                };
            },
        ),
        ...settings.tenants.map(
            (tenant): NamespacePlan => ({
                name: tenant.name,
                role: "tenant",
                level: "restricted",
                // A tenant enforcing below restricted (the audit ramp) says why, like any exception.
                reason: enforcedLevel("restricted", settings.enforcement) === "restricted" ? undefined : auditRampReason,
                extraLabels: tenant.labels,
            }),
        ),
        ...settings.podSecurity.exceptions.map(
            (exception): NamespacePlan => ({ name: exception.namespace, role: "exception", level: exception.level, reason: exception.reason, extraLabels: {} }),
        ),
    ];
}

/**
 * Namespace name to the `enforce` level it may carry. This is the parameter the namespace
 * guardrail checks against; namespaces not listed must enforce `restricted`.
 */
export function allowedEnforceLevels(settings: PlatformSettings): Record<string, PodSecurityLevel> {
    const allowed: Record<string, PodSecurityLevel> = {};
    for (const plan of planNamespaces(settings)) {
        const enforce = enforcedLevel(plan.level, settings.enforcement);
        if (enforce !== "restricted") allowed[plan.name] = enforce;
    }
    return allowed;
}

/** Why the Fluent Bit namespace runs privileged (baseline forbids hostPath volumes). */
export const fluentBitNamespaceReason =
    "Fluent Bit is a node agent: it reads container logs from hostPath /var/log and keeps its tail offsets and filesystem buffer in a hostPath directory, and Pod Security baseline forbids hostPath volumes. It runs as root with every capability dropped, a read-only root filesystem and no privilege escalation.";
/** Why the node-exporter namespace runs privileged (baseline forbids host namespaces and hostPath). */
export const nodeExporterNamespaceReason =
    "node-exporter is a node agent: it reports the node's own metrics, so it runs in the host network and PID namespaces and mounts the host's root filesystem read-only (hostPath), all of which Pod Security baseline forbids. It runs as non-root with every capability dropped.";

/** Why the installed trace and log stores can run at restricted. */
function traceLogStoreReason(store: string): string {
    return `${store} needs no host access: Bulwark's chart values run its single binary as UID 10001 with every capability dropped, no privilege escalation, a read-only root filesystem and the RuntimeDefault seccomp profile; its data is on a PersistentVolumeClaim.`;
}

/** The metrics and logs namespaces: Prometheus at baseline, each node agent apart at privileged with its reason. */
function observabilityNamespaces(settings: PlatformSettings): ComponentNamespace[] {
    const { metrics, logs } = settings.observability;
    const namespaces: ComponentNamespace[] = [];
    if (metrics.enabled) {
        namespaces.push({ name: metrics.namespace, purpose: "Prometheus, Alertmanager, Grafana and kube-state-metrics" });
        namespaces.push({ name: metrics.nodeExporterNamespace, purpose: "node-exporter", level: "privileged", reason: nodeExporterNamespaceReason });
    }
    if (logs.enabled) namespaces.push({ name: logs.namespace, purpose: "Fluent Bit", level: "privileged", reason: fluentBitNamespaceReason });
    const stores = installedTraceLogBackends(settings);
    if (stores.tempo) namespaces.push({ name: settings.observability.tempo.namespace, purpose: "Tempo, the trace store", level: "restricted", reason: traceLogStoreReason("Tempo") });
    if (stores.loki) namespaces.push({ name: settings.observability.loki.namespace, purpose: "Loki, the log store", level: "restricted", reason: traceLogStoreReason("Loki") });
    return namespaces;
}
