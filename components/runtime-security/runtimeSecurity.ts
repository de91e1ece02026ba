import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings, RuntimeSecuritySettings, runtimeSecurityNamespaces } from "../settings";
import { runtimeSecurityPrometheusRule } from "./alerts";
import { falcosidekickObjects } from "./falcosidekick";
import { renderFalcoRules } from "./rules/render";
import { falcoRuleSet } from "./rules/rules";
import { AlertDestinations, sensorRelease, SensorRelease } from "./sensorReleases";
import { tetragonPolicies, TracingPolicyObject } from "./tetragonPolicies";
import { installChart } from "../chartRelease";

export interface RuntimeSecurityArgs {
    /** Resolved platform settings; `runtimeSecurity` chooses the sensor. */
    readonly settings: PlatformSettings;
    /** Namespaces created by PodSecurity, by name (typed inputs, never strings). */
    readonly namespaces: Readonly<Record<string, k8s.core.v1.Namespace>>;
    /** Install the sensor's chart; false creates only its configuration layer. @default settings.install */
    readonly install?: boolean;
    /** Alertmanager base URL for falcosidekick. @default "http://alertmanager-operated.monitoring.svc:9093" */
    readonly alertmanagerUrl?: string;
    /** OTLP/HTTP logs endpoint of the collector gateway. @default "http://otel-gateway.telemetry.svc:4318/v1/logs" */
    readonly otlpLogsEndpoint?: string;
    /** Kubernetes provider. @default the ambient provider */
    readonly provider?: k8s.Provider;
}

/** Everything the component creates, decided without touching Pulumi. */
export interface RuntimeSecurityPlan {
    readonly sensor: RuntimeSecuritySettings["sensor"];
    readonly install: boolean;
    readonly rulesYaml: string;
    readonly release?: SensorRelease;
    readonly tracingPolicies: TracingPolicyObject[];
    /** Typed objects beside the release (falcosidekick, the alert rule) or, without install, the rules ConfigMap. */
    readonly objects: Record<string, unknown>[];
}

export const defaultAlertDestinations: AlertDestinations = {
    alertmanagerUrl: "http://alertmanager-operated.monitoring.svc:9093",
    otlpLogsEndpoint: "http://otel-gateway.telemetry.svc:4318/v1/logs",
};

/** Resolves defaults once: the pure plan of what runtime security creates for these settings. */
export function resolveRuntimeSecurityArgs(args: Pick<RuntimeSecurityArgs, "settings" | "install" | "alertmanagerUrl" | "otlpLogsEndpoint">): RuntimeSecurityPlan {
    const runtime = args.settings.runtimeSecurity;
    const install = args.install ?? args.settings.install;
    const tenants = args.settings.tenants.map((tenant) => tenant.name);
    const rulesYaml = renderFalcoRules(falcoRuleSet(runtime, tenants));
    const destinations: AlertDestinations = {
        alertmanagerUrl: args.alertmanagerUrl ?? defaultAlertDestinations.alertmanagerUrl,
        otlpLogsEndpoint: args.otlpLogsEndpoint ?? defaultAlertDestinations.otlpLogsEndpoint,
    };
    const plan = { sensor: runtime.sensor, install, rulesYaml, tracingPolicies: [] as TracingPolicyObject[], objects: [] as Record<string, unknown>[] };
    if (runtime.sensor === "tetragon") return { ...plan, release: install ? sensorRelease(runtime, rulesYaml) : undefined, tracingPolicies: tetragonPolicies(runtime, tenants) };
    if (runtime.sensor === "falco") {
        if (!install) {
            // A Falco managed elsewhere mounts the platform's rules from this ConfigMap.
            const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bulwark-falco-rules", namespace: args.settings.platformNamespace }, data: { "bulwark-rules.yaml": rulesYaml } };
            return { ...plan, objects: [configMap] };
        }
        const namespace = runtimeSecurityNamespaces.falco;
        return { ...plan, release: sensorRelease(runtime, rulesYaml), objects: [...falcosidekickObjects(namespace, destinations), runtimeSecurityPrometheusRule(namespace)] };
    }
    return plan;
}

type ObjectConstructor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
const typedKinds: Readonly<Record<string, ObjectConstructor>> = {
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Service": k8s.core.v1.Service,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
};

/**
 * Capability 7: an eBPF runtime sensor (Falco or Tetragon) with the project's typed detection
 * rules, its alerts sent into the observability pipeline. `none` creates nothing, and the
 * `stack-runtime-security` guardrail reports it.
 */
export class RuntimeSecurity extends pulumi.ComponentResource {
    readonly sensor: RuntimeSecuritySettings["sensor"];
    /** The generated Falco rules file (also the source of the Tetragon policies' lists). */
    readonly rulesYaml: string;

    constructor(name: string, args: RuntimeSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bulwark:runtime-security:RuntimeSecurity", name, {}, opts);
        const plan = resolveRuntimeSecurityArgs(args);
        if (args.settings.runtimeSecurity.enforce && plan.sensor !== "tetragon") {
            throw new pulumi.ResourceError(`runtimeSecurity.enforce is a Tetragon option, but the sensor is '${plan.sensor}'`, this);
        }
        const childOptions = { parent: this, provider: args.provider };
        const namespaceOf = (namespace: string): pulumi.Input<string> => args.namespaces[namespace]?.metadata.name ?? namespace;
        let ready: pulumi.Resource[] = [];
        if (plan.release !== undefined) {
            if (args.namespaces[plan.release.namespace] === undefined) {
                throw new pulumi.ResourceError(`namespace '${plan.release.namespace}' for ${plan.release.sensor} was not planned by PodSecurity`, this);
            }
            ready = [
                installChart(`${name}-${plan.release.sensor}`, plan.release.name, namespaceOf(plan.release.namespace), plan.release, childOptions),
            ];
        }
        for (const object of plan.objects) {
            const { apiVersion, kind, metadata } = object as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
            const resourceName = `${name}-${kind.toLowerCase()}-${metadata.name}`;
            const withNamespace = { ...object, metadata: { ...metadata, namespace: metadata.namespace === undefined ? undefined : namespaceOf(metadata.namespace) } };
            const typed = typedKinds[`${apiVersion}/${kind}`];
            if (typed !== undefined) new typed(resourceName, withNamespace, childOptions);
            else new k8s.apiextensions.CustomResource(resourceName, withNamespace as k8s.apiextensions.CustomResourceArgs, { ...childOptions, dependsOn: ready });
        }
        for (const policy of plan.tracingPolicies) {
            const metadata = { ...policy.metadata, namespace: policy.metadata.namespace === undefined ? undefined : namespaceOf(policy.metadata.namespace) };
            new k8s.apiextensions.CustomResource(
                `${name}-${policy.kind.toLowerCase()}-${policy.metadata.namespace ?? "cluster"}-${policy.metadata.name}`,
                { ...policy, metadata } as k8s.apiextensions.CustomResourceArgs,
                { ...childOptions, dependsOn: ready },
            );
        }
        this.sensor = plan.sensor;
        this.rulesYaml = plan.rulesYaml;
        this.registerOutputs({ sensor: this.sensor });
    }
}
