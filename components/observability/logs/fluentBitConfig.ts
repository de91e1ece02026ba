import * as yaml from "js-yaml";
import { traceCorrelation } from "../correlation";
import { redactEmailLuaFunction, traceContextLua, traceContextLuaFunction } from "./traceContextLua";

/** Where the DaemonSet mounts things; the engine tier swaps these for temporary paths. */
export interface FluentBitPaths {
    /** Glob of the container log files (CRI format). */
    readonly containerLogs: string;
    /** Directory of the generated config files (ConfigMap mount). */
    readonly configDir: string;
    /** Host directory for the tail offsets database and the filesystem buffer. */
    readonly stateDir: string;
}

export const fluentBitDefaultPaths: FluentBitPaths = {
    containerLogs: "/var/log/containers/*.log",
    configDir: "/fluent-bit/etc/bulwark",
    stateDir: "/var/fluent-bit/state",
};

/** What the config needs from the resolved settings. */
export interface FluentBitConfigInput {
    /** Collector gateway OTLP/HTTP endpoint. */
    readonly gateway: { readonly host: string; readonly port: number; readonly tls: boolean };
    /** The Kubernetes API the kubernetes filter asks for pod metadata. */
    readonly kubeUrl: string;
    /** Cap of the output's filesystem buffer (`storage.total_limit_size`), e.g. "2G". */
    readonly bufferLimit: string;
    /** Memory buffer of the tail input before it pauses (`mem_buf_limit`). */
    readonly memBufLimit: string;
    /** Retries per chunk before it is dropped (counted by fluentbit_output_retries_failed_total). */
    readonly retryLimit: number;
    /** Address and port of the HTTP server (health and Prometheus metrics). */
    readonly metricsListen: string;
    readonly metricsPort: number;
}

export const fluentBitConfigFile = "fluent-bit.yaml";
export const fluentBitLuaFile = "bulwark-filters.lua";
/** Output alias: the `name` label of its metrics, which the alerts and dashboard group by. */
export const fluentBitOutputAlias = "otlp_gateway";
export const fluentBitTailAlias = "containers";

/** Every plugin the generated config uses, as FLB_<X> build options (compared with versions.env in a test). */
export const fluentBitPlugins = ["IN_TAIL", "IN_STORAGE_BACKLOG", "FILTER_KUBERNETES", "FILTER_PARSER", "FILTER_LUA", "OUT_OPENTELEMETRY"] as const;

/** The Fluent Bit configuration (YAML format) as a plain object; pure. */
export function fluentBitConfigObject(input: FluentBitConfigInput, paths: FluentBitPaths = fluentBitDefaultPaths) {
    return {
        service: {
            flush: 1,
            log_level: "info",
            http_server: "on",
            http_listen: input.metricsListen,
            http_port: input.metricsPort,
            health_check: "on",
            "storage.path": `${paths.stateDir}/buffer`,
            "storage.sync": "normal",
            "storage.backlog.mem_limit": "16M",
            "storage.metrics": "on",
        },
        parsers: [{ name: "bulwark_json", format: "json" }],
        pipeline: {
            inputs: [
                {
                    name: "tail",
                    alias: fluentBitTailAlias,
                    tag: "kube.*",
                    path: paths.containerLogs,
                    "multiline.parser": "cri",
                    db: `${paths.stateDir}/tail.db`,
                    "db.locking": true,
                    mem_buf_limit: input.memBufLimit,
                    skip_long_lines: "on",
                    refresh_interval: 5,
                    // A file seen for the first time (no offset in the database) is read from its start: the
                    // first deployment forwards what is already on the node instead of skipping it.
                    read_from_head: "true",
                    // Chunks survive a restart and a gateway outage on the node's disk.
                    "storage.type": "filesystem",
                },
            ],
            filters: [
                {
                    name: "kubernetes",
                    match: "kube.*",
                    kube_url: input.kubeUrl,
                    kube_tag_prefix: `kube.${paths.containerLogs.replace(/\/\*\.log$/, "").replace(/^\//, "").replace(/\//g, ".")}.`,
                    merge_log: "off",
                    labels: "on",
                    annotations: "off",
                },
                // Application JSON goes to the top level; a line that is not JSON stays as it is.
                { name: "parser", match: "kube.*", key_name: "log", parser: "bulwark_json", reserve_data: "on", preserve_key: "off" },
                { name: "lua", match: "kube.*", script: `${paths.configDir}/${fluentBitLuaFile}`, call: traceContextLuaFunction },
                { name: "lua", match: "kube.*", script: `${paths.configDir}/${fluentBitLuaFile}`, call: redactEmailLuaFunction },
            ],
            outputs: [
                {
                    name: "opentelemetry",
                    alias: fluentBitOutputAlias,
                    match: "kube.*",
                    host: input.gateway.host,
                    port: input.gateway.port,
                    tls: input.gateway.tls ? "on" : "off",
                    logs_uri: "/v1/logs",
                    // The body is the line's message (the output's default body keys, `$log` then `$message`),
                    // and every other field of the record (level, the application's own fields, the
                    // Kubernetes metadata, the lifted trace/span IDs) becomes a LogRecord attribute. Without
                    // this the output keeps only the matched key and silently drops the rest of the record.
                    logs_body_key_attributes: "on",
                    logs_trace_id_message_key: traceCorrelation.recordTraceIdKey,
                    logs_span_id_message_key: traceCorrelation.recordSpanIdKey,
                    retry_limit: input.retryLimit,
                    "storage.total_limit_size": input.bufferLimit,
                },
            ],
        },
    };
}

/** The files of the Fluent Bit ConfigMap, serialised with sorted keys. */
export function fluentBitConfigFiles(input: FluentBitConfigInput, paths: FluentBitPaths = fluentBitDefaultPaths): Record<string, string> {
    return {
        [fluentBitConfigFile]: yaml.dump(fluentBitConfigObject(input, paths), { sortKeys: true, lineWidth: -1 }),
        [fluentBitLuaFile]: traceContextLua(),
    };
}
