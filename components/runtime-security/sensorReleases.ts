import { chartRepositories, versions } from "../versions";
import { RuntimeSecuritySettings, runtimeSecurityNamespaces } from "../settings";
import { runtimeExemptLabel } from "./tetragonPolicies";
import { ChartRelease } from "../chartRelease";

/** Where the sensors' alerts go; resolved once (see `resolveRuntimeSecurityArgs`). */
export interface AlertDestinations {
    /** Alertmanager base URL falcosidekick posts to. */
    readonly alertmanagerUrl: string;
    /** OTLP/HTTP logs endpoint of the collector gateway. */
    readonly otlpLogsEndpoint: string;
}

/** Pure description of a sensor's Helm release (testable without resource wiring). */
export interface SensorRelease extends ChartRelease {
    readonly sensor: "falco" | "tetragon";
    readonly name: string;
    readonly namespace: string;
}

export const falcoRulesFile = "bulwark-rules.yaml";
export const falcosidekickName = "falcosidekick";
export const falcosidekickPort = 2801;

/**
 * Falco: the modern_ebpf driver (built into Falco, no kernel module or driver download), JSON
 * output to stdout (the log path) and over HTTP to falcosidekick (the alert path), the project's
 * rules mounted as a rules file, metrics exposed and scraped through a ServiceMonitor, and the
 * upstream default rules pinned (installed once, never followed).
 */
export function falcoRelease(rulesYaml: string): SensorRelease {
    const namespace = runtimeSecurityNamespaces.falco;
    return {
        sensor: "falco",
        name: "falco",
        namespace,
        chart: "falco",
        version: versions.falcoChart,
        repository: chartRepositories.falco,
        values: {
            driver: { enabled: true, kind: "modern_ebpf" },
            podLabels: { [runtimeExemptLabel]: "true" },
            customRules: { [falcoRulesFile]: rulesYaml },
            falco: {
                json_output: true,
                json_include_output_property: true,
                json_include_tags_property: true,
                stdout_output: { enabled: true },
                http_output: { enabled: true, url: `http://${falcosidekickName}.${namespace}.svc:${falcosidekickPort}/` },
            },
            // falcosidekick runs beside the chart as typed resources (see falcosidekick.ts).
            falcosidekick: { enabled: false },
            falcoctl: {
                artifact: { install: { enabled: true }, follow: { enabled: false } },
                config: { artifact: { install: { refs: [versions.falcoRulesArtifact] }, follow: { refs: [versions.falcoRulesArtifact] } } },
            },
            metrics: { enabled: true, interval: "1m", outputRule: false },
            serviceMonitor: { create: true, interval: "30s" },
        },
    };
}

/**
 * Tetragon: the agent in its own namespace, events exported as JSON to a file that the chart's
 * export-stdout container prints (so the node's log collector ships them), process credentials and
 * namespaces in every event, metrics scraped through a ServiceMonitor.
 */
export function tetragonRelease(): SensorRelease {
    return {
        sensor: "tetragon",
        name: "tetragon",
        namespace: runtimeSecurityNamespaces.tetragon,
        chart: "tetragon",
        version: versions.tetragonChart,
        repository: chartRepositories.tetragon,
        values: {
            podLabels: { [runtimeExemptLabel]: "true" },
            export: { mode: "stdout" },
            tetragon: {
                exportFilename: "tetragon.log",
                enableProcessCred: true,
                enableProcessNs: true,
                prometheus: { enabled: true, serviceMonitor: { enabled: true } },
            },
            tetragonOperator: { prometheus: { enabled: true, serviceMonitor: { enabled: true } } },
        },
    };
}

/** The release for the chosen sensor, or undefined for `none`. */
export function sensorRelease(settings: RuntimeSecuritySettings, rulesYaml: string): SensorRelease | undefined {
    if (settings.sensor === "falco") return falcoRelease(rulesYaml);
    if (settings.sensor === "tetragon") return tetragonRelease();
    return undefined;
}
