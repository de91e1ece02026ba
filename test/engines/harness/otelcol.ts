import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { serializeCollectorConfig } from "../../../components/observability/collector/manifests";
import { freePort } from "./servers";

export { freePort };

export interface LocalPorts {
    readonly grpc: number;
    readonly http: number;
    readonly health: number;
    readonly metrics: number;
}

export async function localPorts(): Promise<LocalPorts> {
    return { grpc: await freePort(), http: await freePort(), health: await freePort(), metrics: await freePort() };
}

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Points a generated config at this machine, changing only where it listens, where it stores its
 * queue, and where its exporters send (the sink). Processors and pipelines stay exactly as generated.
 * The k8s_attributes processor reads a real API server through a kubeconfig instead of the in-cluster
 * service account, which exists only inside a Pod.
 */
export function localise(generated: Record<string, unknown>, opts: { ports: LocalPorts; storageDir: string; sinkGrpc: number; sinkHttp: number; kubeconfig: boolean }): Config {
    const config = JSON.parse(JSON.stringify(generated)) as Config;
    config.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${opts.ports.grpc}`;
    config.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${opts.ports.http}`;
    config.extensions.health_check.endpoint = `127.0.0.1:${opts.ports.health}`;
    for (const id of ["pprof", "zpages"]) if (config.extensions[id]) config.extensions[id].endpoint = "127.0.0.1:0";
    config.extensions["file_storage/queue"].directory = opts.storageDir;
    config.extensions["file_storage/queue"].compaction.directory = opts.storageDir;
    config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.host = "127.0.0.1";
    config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.port = opts.ports.metrics;
    for (const [id, exporter] of Object.entries(config.exporters as Record<string, Config>)) {
        if (id.startsWith("otlp_grpc/")) {
            exporter.endpoint = `127.0.0.1:${opts.sinkGrpc}`;
            exporter.tls = { insecure: true };
            delete exporter.balancer_name;
        } else if (id.startsWith("otlp_http/")) {
            exporter.endpoint = `http://127.0.0.1:${opts.sinkHttp}`;
            exporter.tls = { insecure: true };
        }
    }
    if (opts.kubeconfig) config.processors.k8s_attributes.auth_type = "kubeConfig";
    return config;
}

/**
 * The sink: a second collector (same binary) that receives OTLP and writes what it got to a JSON-lines
 * file per signal, so a test asserts on exactly what arrived.
 */
export function sinkConfig(opts: { grpc: number; http: number; health: number; metrics: number; dir: string }): Config {
    const file = (signal: string) => ({ path: path.join(opts.dir, `${signal}.jsonl`), format: "json", flush_interval: "100ms" });
    return {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${opts.grpc}` }, http: { endpoint: `127.0.0.1:${opts.http}` } } } },
        exporters: { "file/traces": file("traces"), "file/logs": file("logs"), "file/metrics": file("metrics") },
        extensions: { health_check: { endpoint: `127.0.0.1:${opts.health}` } },
        service: {
            extensions: ["health_check"],
            telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "127.0.0.1", port: opts.metrics } } } }] } },
            pipelines: Object.fromEntries(["traces", "logs", "metrics"].map((signal) => [signal, { receivers: ["otlp"], exporters: [`file/${signal}`] }])),
        },
    };
}

export function writeConfig(dir: string, name: string, config: Config): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, serializeCollectorConfig(config));
    return file;
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-${prefix}-`));
}

export function httpGet(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
        const request = http.get(url, { timeout: 2000 }, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on("error", () => resolve({ status: 0, body: "" }));
        request.on("timeout", () => request.destroy());
    });
}

export interface RunningCollector {
    readonly process: ChildProcess;
    readonly log: () => string;
    stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
});

/** Starts `otelcol --config file` and waits until health_check answers 200. */
export async function startCollector(binary: string, configFile: string, healthPort: number, env: NodeJS.ProcessEnv = {}): Promise<RunningCollector> {
    const child = spawn(binary, [`--config=${configFile}`], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
    child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const collector: RunningCollector = {
        process: child,
        log: () => output,
        stop: async (signal: NodeJS.Signals = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
            running.delete(child);
        },
    };
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`otelcol exited with ${child.exitCode}:\n${output}`);
        if ((await httpGet(`http://127.0.0.1:${healthPort}/`)).status === 200) return collector;
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await collector.stop("SIGKILL");
    throw new Error(`otelcol did not become healthy within 60 s:\n${output}`);
}

/** The value of one metric family (summed over its series) from the collector's own /metrics. */
export async function metricSum(port: number, name: string): Promise<number> {
    const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
    let sum = 0;
    for (const line of body.split("\n")) {
        if (line.startsWith("#")) continue;
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)/.exec(line);
        if (match !== null && match[1] === name) sum += Number(match[3]);
    }
    return sum;
}

/** Resident set size of a process, from /proc (kB -> MiB). */
export function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+([0-9]+) kB/.exec(status);
    return match === null ? 0 : Number(match[1]) / 1024;
}

/** Anonymous and file-backed parts of a process's resident set, from /proc (kB -> MiB). */
export function rssPartsMiB(pid: number): { anon: number; file: number } {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const part = (name: string) => Number(new RegExp(`${name}:\\s+([0-9]+) kB`).exec(status)?.[1] ?? 0) / 1024;
    return { anon: part("RssAnon"), file: part("RssFile") };
}

/** Every span the sink wrote: {traceId, spanId, service, attributes}. */
export function sinkSpans(dir: string): { traceId: string; spanId: string; service: string; attributes: Record<string, unknown> }[] {
    const file = path.join(dir, "traces.jsonl");
    if (!fs.existsSync(file)) return [];
    const spans: { traceId: string; spanId: string; service: string; attributes: Record<string, unknown> }[] = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        for (const resourceSpans of JSON.parse(line).resourceSpans ?? []) {
            const service = attributeMap(resourceSpans.resource?.attributes)["service.name"] as string;
            for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
                for (const span of scopeSpans.spans ?? []) spans.push({ traceId: span.traceId, spanId: span.spanId, service, attributes: attributeMap(span.attributes) });
            }
        }
    }
    return spans;
}

/** OTLP JSON attributes as a plain map of their (string/int/bool) values. */
export function attributeMap(attributes: { key: string; value: Record<string, unknown> }[] | undefined): Record<string, unknown> {
    return Object.fromEntries((attributes ?? []).map((attribute) => [attribute.key, Object.values(attribute.value)[0]]));
}
