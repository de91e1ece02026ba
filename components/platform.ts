import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceMesh } from "./mesh/serviceMesh";
import { OtelCollector } from "./observability/collector/collector";
import { AdmissionGuardrails } from "./policy/admissionGuardrails";
import { FluentBit } from "./observability/logs/fluentBit";
import { TraceLogBackends } from "./observability/backends/traceLogBackends";
import { Metrics } from "./observability/metrics/metrics";
import { PodSecurity } from "./pod-security/podSecurity";
import { RuntimeSecurity } from "./runtime-security/runtimeSecurity";
import { ImageSignatureAdmission } from "./supply-chain/imageSignatureAdmission";
import { PlatformSettings } from "./settings";

/*
 * The capability areas the Platform composes, each a component in its own folder. Areas not listed
 * as built are not implemented yet and are not faked; their settings are rejected by the schema
 * until they exist.
 *
 *   pod-security/      built: namespaces, Pod Security Admission labels, exceptions (capability 6)
 *   policy/            built: admission engine and GitOps-delivered guardrails (capabilities 2, 3)
 *   supply-chain/      built: cosign signature verification at deploy time, and the sigstore
 *                      policy-controller with its ClusterImagePolicies on gatekeeper/vap stacks (capability 4)
 *   mesh/              built: Istio or Linkerd, STRICT mTLS, cert-manager PKI (capability 5)
 *   runtime-security/  built: Falco or Tetragon with typed detection rules (capability 7)
 *   observability/     Prometheus, Fluent Bit, OpenTelemetry Collector, and the trace and log stores
 *                      (Tempo, Loki: installed or external, one endpoint source) (capabilities 1, 8)
 *
 * Each area receives the namespace it runs in as a typed input from `podSecurity`, never a string.
 */

export interface PlatformArgs {
    /** Resolved settings (see `parsePlatformSettings`). */
    readonly settings: PlatformSettings;
    /** Kubernetes provider for the target cluster. @default the ambient provider */
    readonly provider?: k8s.Provider;
    /**
     * Install third-party controllers and CRDs; false creates only the configuration layer, for
     * clusters whose add-ons are managed elsewhere.
     * @default settings.install (true unless the stack says otherwise)
     */
    readonly install?: boolean;
}

/** A secure, observable Kubernetes platform for one cluster. */
export class Platform extends pulumi.ComponentResource {
    readonly podSecurity: PodSecurity;
    readonly admissionGuardrails: AdmissionGuardrails;
    /** The sigstore policy-controller and its ClusterImagePolicies (gatekeeper/vap stacks with a trust policy). */
    readonly imageSignatureAdmission: ImageSignatureAdmission;
    readonly runtimeSecurity: RuntimeSecurity;
    readonly serviceMesh: ServiceMesh;
    /** The OpenTelemetry Collector agent and gateway (absent when disabled or not installing). */
    readonly otelCollector?: OtelCollector;
    readonly platformNamespace: pulumi.Output<string>;
    readonly tenantNamespaces: pulumi.Output<string>[];
    /** Prometheus, Grafana, alert rules and monitors (observability.metrics). */
    readonly metrics: Metrics;
    /** The log forwarder, when installed (observability.logs). */
    readonly fluentBit?: FluentBit;
    /** Tempo and Loki (observability.tempo, observability.loki): installed, or external, with the endpoints the collector and Grafana share. */
    readonly traceLogBackends: TraceLogBackends;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:platform:Platform", name, {}, opts);
        // One effective value, so namespace planning and every area agree on what is installed.
        const settings = args.install === undefined ? args.settings : { ...args.settings, install: args.install };
        const install = settings.install;
        this.podSecurity = new PodSecurity(
            `${name}-pod-security`,
            { settings, install, provider: args.provider },
            { parent: this },
        );
        this.admissionGuardrails = new AdmissionGuardrails(
            `${name}-guardrails`,
            { settings, stack: pulumi.getStack(), namespaces: this.podSecurity.namespaces, install, provider: args.provider },
            { parent: this },
        );
        this.imageSignatureAdmission = new ImageSignatureAdmission(
            `${name}-image-signatures`,
            { settings, namespaces: this.podSecurity.namespaces, install, provider: args.provider },
            { parent: this },
        );
        this.runtimeSecurity = new RuntimeSecurity(
            `${name}-runtime-security`,
            { settings, namespaces: this.podSecurity.namespaces, install, provider: args.provider },
            { parent: this },
        );
        this.serviceMesh = new ServiceMesh(
            `${name}-mesh`,
            { settings, namespaces: this.podSecurity.namespaces, install, provider: args.provider },
            { parent: this },
        );
        this.traceLogBackends = new TraceLogBackends(`${name}-trace-log-stores`, { settings, namespaces: this.podSecurity.namespaces, provider: args.provider }, { parent: this });
        const collector = settings.observability.collector;
        if (install && collector.enabled) {
            const namespaces = this.podSecurity.namespaces;
            this.otelCollector = new OtelCollector(
                `${name}-otel`,
                {
                    settings,
                    namespace: namespaces[collector.namespace].metadata.name,
                    tenantNamespaces: Object.fromEntries(settings.tenants.map((tenant) => [tenant.name, namespaces[tenant.name].metadata.name])),
                    provider: args.provider,
                },
                { parent: this },
            );
        }
        this.metrics = new Metrics(`${name}-metrics`, { settings, namespaces: this.podSecurity.namespaces, install, provider: args.provider }, { parent: this });
        const logs = settings.observability.logs;
        if (install && logs.enabled) {
            this.fluentBit = new FluentBit(
                `${name}-logs`,
                { logs, namespace: this.podSecurity.namespaces[logs.namespace].metadata.name, collectorNamespace: settings.observability.collector.namespace, provider: args.provider },
                { parent: this },
            );
        }
        this.platformNamespace = this.podSecurity.platformNamespace;
        this.tenantNamespaces = this.podSecurity.tenantNamespaces;
        this.registerOutputs({ platformNamespace: this.platformNamespace, tenantNamespaces: this.tenantNamespaces });
    }
}
