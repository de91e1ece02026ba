import { z } from "zod";
import { versions } from "../versions";
import { supplyChainSchema } from "./supplyChain";

export * from "./supplyChain";
import { mutationSettingsSchema } from "./mutations";
import { runtimeSecurityNamespaces, runtimeSecuritySchema } from "./runtimeSecurity";
import { meshSchema } from "./mesh";
import { observabilitySchema } from "./observability";
import { installedTraceLogBackends } from "./backendPlacement";

/**
 * The schema of the `bulwark:platform` stack config key. Every object is strict: an unknown key is
 * an error, because a typo that is silently ignored is a guardrail that silently is not there.
 */

/** A Kubernetes namespace name: an RFC 1123 DNS label. */
export const dnsLabel = z
    .string()
    .max(63, "must be at most 63 characters (an RFC 1123 DNS label)")
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be an RFC 1123 DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit");

const labelValue = z
    .string()
    .max(63)
    .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, "must be a valid Kubernetes label value");

const labelKey = z
    .string()
    .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
        "must be a valid Kubernetes label key ([prefix/]name)",
    );

export { podSecurityLevels } from "./levels";
export type { PodSecurityLevel } from "./levels";

/**
 * The enforcement ramp. One setting moves CrossGuard levels, admission-engine actions and Pod
 * Security labels together.
 * - `audit`: CrossGuard advisory; admission engines warn and audit; PSA warns and audits at the
 *   target level and enforces the `baseline` floor.
 * - `enforce`: CrossGuard mandatory; admission engines deny; PSA enforces the target level.
 */
export const enforcementModes = ["audit", "enforce"] as const;
export type EnforcementMode = (typeof enforcementModes)[number];

const tenantSchema = z.strictObject({
    /** Namespace name of the tenant. */
    name: dnsLabel,
    /** Extra labels on the tenant namespace (Pod Security labels are managed and cannot be set here). */
    labels: z
        .record(labelKey, labelValue)
        .refine((labels) => !Object.keys(labels).some((key) => key.startsWith("pod-security.kubernetes.io/")), {
            message: "must not set pod-security.kubernetes.io/* labels: Bulwark manages them (declare an exception instead)",
        })
        .default({}),
});

const exceptionSchema = z.strictObject({
    /** Namespace that runs below `restricted` (platform default `baseline` is not an exception). */
    namespace: dnsLabel,
    /** The Pod Security level this namespace enforces instead. */
    level: z.enum(["privileged", "baseline"]),
    /** Why: recorded as an annotation on the Namespace and shown in reviews. */
    reason: z
        .string({ error: "is required: every Pod Security exception needs a written reason" })
        .trim()
        .min(20, "must explain the exception in at least 20 characters"),
});

const podSecuritySchema = z.strictObject({
    /** The Pod Security Standards version pinned into the `*-version` labels. */
    version: z
        .string()
        .regex(/^(latest|v1\.[0-9]+)$/, "must be 'latest' or a Kubernetes minor version such as 'v1.35'")
        .default(versions.podSecurityStandards),
    /** Namespaces running below `restricted`, each with a written reason. */
    exceptions: z.array(exceptionSchema).default([]),
});

/** A registry host (optionally with port) or a repository prefix: `ghcr.io/acme`, `registry.k8s.io`. */
const registryPrefix = z
    .string()
    .regex(
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([-a-z0-9._]*[a-z0-9])?)*$/,
        "must be a lower-case registry host or repository prefix such as 'ghcr.io/acme' (no scheme, tag or trailing '/')",
    )
    .refine((prefix) => prefix.split("/")[0].includes(".") || prefix.split("/")[0].includes(":") || prefix.startsWith("localhost"), {
        message: "must start with a registry host (for Docker Hub write 'docker.io/library' or 'docker.io/<org>')",
    });

export const policyEngines = ["kyverno", "gatekeeper", "vap"] as const;
export type PolicyEngine = (typeof policyEngines)[number];

const fluxSchema = z.strictObject({
    /** Install Flux's controllers (false: use a Flux that is already installed). @default true */
    install: z.boolean().default(true),
    /** The Git repository holding `policies/` (this repository). */
    url: z.string().regex(/^(https:\/\/|ssh:\/\/)[^\s]+$/, "must be an https:// or ssh:// Git URL"),
    /** Branch to follow. @default "main" */
    branch: z.string().min(1).default("main"),
    /** How often Flux polls Git. @default "5m" */
    interval: z.string().regex(/^[0-9]+(s|m|h)$/, "must be a duration such as '1m' or '5m'").default("5m"),
});

const policySchema = z.strictObject({
    /**
     * Admission engine for the guardrail catalog: `vap` (built-in ValidatingAdmissionPolicy,
     * nothing to install), `kyverno` (YAML/CEL policies), `gatekeeper` (Rego and external data).
     * @default "vap"
     */
    engine: z.enum(policyEngines).default("vap"),
    /** Who applies the admission policies: Pulumi, or Flux from `policies/` in Git. @default "pulumi" */
    delivery: z.enum(["pulumi", "flux"]).default("pulumi"),
    /** Admission controller replicas (Kyverno/Gatekeeper); 2 or more adds a PodDisruptionBudget. @default 1 */
    replicas: z.number().int("must be a whole number").min(1, "must be at least 1").max(9).default(1),
    images: z
        .strictObject({
            /** Registries (or repository prefixes) images may come from. */
            allowedRegistries: z.array(registryPrefix).min(1, "must list at least one registry").default(["registry.k8s.io"]),
            /** Require every image to be pinned by digest. @default false */
            requireDigest: z.boolean().default(false),
        })
        .prefault({}),
    /** Namespaces that may expose NodePort or LoadBalancer Services. @default [] */
    externalServiceNamespaces: z.array(dnsLabel).default([]),
    /** Flux settings; required when `delivery` is `flux`. */
    flux: fluxSchema.optional(),
});

export const platformSettingsSchema = z
    .strictObject({
        /** Environment name; defaults to the stack name. Used in labels and reports. */
        environment: dnsLabel.optional(),
        /**
         * The enforcement ramp for every guardrail.
         * @default "enforce"
         */
        enforcement: z.enum(enforcementModes).default("enforce"),
        /**
         * Whether components install their third-party controllers and CRDs. False means they create
         * only their configuration layer (namespaces, labels, custom resources, policies).
         * @default true
         */
        install: z.boolean().default(true),
        /** The namespace that holds Bulwark's own platform parts (Pod Security `baseline`). */
        platformNamespace: dnsLabel.default("bulwark-system"),
        /** Workload namespaces; every one enforces Pod Security `restricted`. */
        tenants: z.array(tenantSchema).default([]),
        podSecurity: podSecuritySchema.prefault({}),
        policy: policySchema.prefault({}),
        /** Image trust policy: who may sign which images (see supplyChain.ts). */
        supplyChain: supplyChainSchema.prefault({}),
        /** Safe defaults (mutating guardrails): default resources and per-stack off switches. */
        mutations: mutationSettingsSchema.prefault({}),
        /** The eBPF runtime sensor (`falco`, `tetragon` or `none`) and its options. @default "falco" */
        runtimeSecurity: runtimeSecuritySchema.prefault({}),
        /** Service mesh with strict mutual TLS and its cert-manager PKI (see ./mesh.ts). @default { provider: "none" } */
        mesh: meshSchema.prefault({}),
        /** Telemetry pipeline (OpenTelemetry Collector agent and gateway). */
        observability: observabilitySchema.prefault({}),
    })
    .superRefine((settings, ctx) => {
        if (settings.policy.delivery === "flux" && settings.policy.flux === undefined) {
            ctx.addIssue({ code: "custom", path: ["policy", "flux"], input: undefined, message: "is required when policy.delivery is 'flux' (the Git repository Flux syncs policies from)" });
        }
        if (settings.enforcement === "enforce" && !settings.supplyChain.requireAllImages) {
            ctx.addIssue({ code: "custom", path: ["supplyChain", "requireAllImages"], input: false, message: "must be true when enforcement is 'enforce': every image needs a signature (only an audit stack may leave images outside the trust policy)" });
        }
        const owners = new Map<string, string>();
        const claim = (name: string, owner: string, path: (string | number)[]) => {
            const previous = owners.get(name);
            if (previous !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path,
                    input: name,
                    message: `namespace '${name}' is declared twice (already declared by ${previous})`,
                });
            }
            owners.set(name, owner);
        };
        claim(settings.platformNamespace, "platformNamespace", ["platformNamespace"]);
        // Namespaces the chosen components install into belong to them.
        if (settings.install && settings.policy.engine === "kyverno") claim("kyverno", "policy.engine (kyverno)", ["policy", "engine"]);
        if (settings.install && settings.policy.engine === "gatekeeper") claim("gatekeeper-system", "policy.engine (gatekeeper)", ["policy", "engine"]);
        if (settings.install && settings.policy.delivery === "flux" && settings.policy.flux?.install) claim("flux-system", "policy.flux.install", ["policy", "flux", "install"]);
        if (settings.install && settings.runtimeSecurity.sensor !== "none") {
            claim(runtimeSecurityNamespaces[settings.runtimeSecurity.sensor], `runtimeSecurity.sensor (${settings.runtimeSecurity.sensor})`, ["runtimeSecurity", "sensor"]);
        }
        if (settings.install) for (const namespace of meshNamespaces(settings.mesh.provider)) claim(namespace, `mesh.provider (${settings.mesh.provider})`, ["mesh", "provider"]);
        if (settings.install && settings.observability.collector.enabled) claim(settings.observability.collector.namespace, "observability.collector.namespace", ["observability", "collector", "namespace"]);
        if (settings.install && settings.observability.metrics.enabled) {
            claim(settings.observability.metrics.namespace, "observability.metrics.namespace", ["observability", "metrics", "namespace"]);
            claim(settings.observability.metrics.nodeExporterNamespace, "observability.metrics.nodeExporterNamespace", ["observability", "metrics", "nodeExporterNamespace"]);
        }
        if (settings.install && settings.observability.logs.enabled) claim(settings.observability.logs.namespace, "observability.logs.namespace", ["observability", "logs", "namespace"]);
        const installedStores = installedTraceLogBackends(settings);
        if (installedStores.tempo) claim(settings.observability.tempo.namespace, "observability.tempo.namespace", ["observability", "tempo", "namespace"]);
        if (installedStores.loki) claim(settings.observability.loki.namespace, "observability.loki.namespace", ["observability", "loki", "namespace"]);
        traceLogEndpointRules(settings, ctx);
        settings.tenants.forEach((tenant, index) => claim(tenant.name, `tenants[${index}]`, ["tenants", index, "name"]));
        settings.podSecurity.exceptions.forEach((exception, index) =>
            claim(exception.namespace, `podSecurity.exceptions[${index}]`, ["podSecurity", "exceptions", index, "namespace"]),
        );
        for (const reserved of ["kube-system", "kube-public", "kube-node-lease", "default"]) {
            for (const [index, tenant] of settings.tenants.entries()) {
                if (tenant.name === reserved) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["tenants", index, "name"],
                        input: tenant.name,
                        message: `'${reserved}' is a Kubernetes system namespace and cannot be a tenant`,
                    });
                }
            }
        }
    });

/**
 * One source per store: an external store is named either by its `external` block or by the older
 * pair of keys, never both, and the older keys come as a pair (the collector's ingest endpoint and
 * Grafana's query URL name the same store; one without the other is how they used to disagree).
 */
function traceLogEndpointRules(settings: PlatformSettings, ctx: z.RefinementCtx): void {
    const { tempo, loki, collector, metrics } = settings.observability;
    const stores = [
        { store: "tempo", external: tempo.external, ingest: ["collector", "backends", "traces"], ingestValue: collector.backends.traces, query: ["metrics", "grafana", "tempoUrl"], queryValue: metrics.grafana.tempoUrl },
        { store: "loki", external: loki.external, ingest: ["collector", "backends", "logs"], ingestValue: collector.backends.logs, query: ["metrics", "grafana", "lokiUrl"], queryValue: metrics.grafana.lokiUrl },
    ];
    for (const { store, external, ingest, ingestValue, query, queryValue } of stores) {
        const named = (path: string[]) => `observability.${path.join(".")}`;
        if (external !== undefined) {
            for (const [path, value] of [[ingest, ingestValue], [query, queryValue]] as const) {
                if (value !== undefined) ctx.addIssue({ code: "custom", path: ["observability", ...path], input: value, message: `must not be set together with observability.${store}.external: name the external ${store === "tempo" ? "Tempo" : "Loki"} in one place` });
            }
        } else if ((ingestValue === undefined) !== (queryValue === undefined)) {
            const [missing, present] = ingestValue === undefined ? [ingest, query] : [query, ingest];
            ctx.addIssue({
                code: "custom",
                path: ["observability", ...missing],
                input: undefined,
                message: `is required when ${named(present)} names an external ${store === "tempo" ? "Tempo" : "Loki"} (both must point at the same store; or use observability.${store}.external)`,
            });
        }
    }
}

/** Namespaces a mesh installs into (cert-manager, control plane, CNI node agent). */
export function meshNamespaces(provider: "istio" | "linkerd" | "none"): string[] {
    if (provider === "istio") return ["cert-manager", "istio-system", "istio-cni"];
    if (provider === "linkerd") return ["cert-manager", "linkerd", "linkerd-cni"];
    return [];
}

/** The raw shape a user writes in stack config. */
export type PlatformSettingsInput = z.input<typeof platformSettingsSchema>;
/** Fully resolved settings: every default applied. */
export type PlatformSettings = z.output<typeof platformSettingsSchema>;
export type TenantSettings = PlatformSettings["tenants"][number];
export type PodSecurityException = PlatformSettings["podSecurity"]["exceptions"][number];
export type PolicySettings = PlatformSettings["policy"];
export * from "./runtimeSecurity";
export type { MeshSettings, MeshPkiSettings, MeshProvider } from "./mesh";
export { meshProviders } from "./mesh";
export type { CollectorSettings, ObservabilitySettings } from "./observability";
export type { LogsSettings, MetricsSettings } from "./metricsLogs";
