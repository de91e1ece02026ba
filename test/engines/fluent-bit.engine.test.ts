// The real Fluent Bit (built from ../shared/sources by tools/engines/build.sh) runs the generated
// config, and the real collector (otelcol) receives its OTLP: the trace ID must survive every hop.
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { readStackSettings } from "../../cli/stackConfig";
import { collectorLiftStatements } from "../../components/observability/correlation";
import { fluentBitConfigFile, fluentBitConfigFiles, FluentBitConfigInput, FluentBitPaths } from "../../components/observability/logs/fluentBitConfig";
import { resolveFluentBitArgs } from "../../components/observability/logs/fluentBitResources";
import { redactedEmail } from "../../components/observability/logs/traceContextLua";
import { repoRoot, stackNames } from "../support/render";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { freePort, RunningProcess, startProcess, waitFor } from "./harness/servers";

const settingsOf = (stack: string) => readStackSettings(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`), stack);

/** Writes the generated files for the given paths; returns the config file. */
function writeConfig(input: FluentBitConfigInput, paths: FluentBitPaths): string {
    fs.mkdirSync(paths.configDir, { recursive: true });
    for (const [file, content] of Object.entries(fluentBitConfigFiles(input, paths))) fs.writeFileSync(path.join(paths.configDir, file), content);
    return path.join(paths.configDir, fluentBitConfigFile);
}

/** Leaf paths where two JSON values differ ("pipeline.outputs.0.port"). */
function differences(a: unknown, b: unknown, prefix = ""): string[] {
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].flatMap((key) => differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key));
    }
    return a === b ? [] : [prefix];
}

const trace = { a: "4bf92f3577b34da6a3ce929d0e0e4736", b: "0af7651916cd43dd8448eb211c80319c", c: "5b8efff798038103d269b633813fc60c", e: "a3ce929d0e0e47364bf92f3577b34da6" };
const span = { a: "00f067aa0ba902b7", b: "b7ad6b7169203331", c: "eee19b7ec3c1b174", e: "53995c3f42cd8ad8" };

/** The application's JSON lines, each with a `seq` to find it at the sink, and the IDs it must arrive with. */
const lines: { seq: string; json: Record<string, unknown>; traceId?: string; spanId?: string }[] = [
    { seq: "w3c", json: { level: "info", message: "GET /cart", traceparent: `00-${trace.a}-${span.a}-01` }, traceId: trace.a, spanId: span.a },
    { seq: "snake", json: { level: "info", message: "charged card", trace_id: trace.b, span_id: span.b }, traceId: trace.b, spanId: span.b },
    { seq: "email", json: { level: "warn", message: "password reset for jane.doe+shop@example.com requested", traceId: trace.c.toUpperCase(), spanId: span.c }, traceId: trace.c, spanId: span.c },
    { seq: "ecs", json: { level: "info", message: "search", trace: { id: trace.e }, span: { id: span.e } }, traceId: trace.e, spanId: span.e },
    { seq: "none", json: { level: "info", message: "cache warmed" } },
];

interface SinkRecord {
    traceId?: string;
    spanId?: string;
    body?: unknown;
    attributes?: unknown;
}

function readSink(file: string): SinkRecord[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .flatMap((line) => (JSON.parse(line) as { resourceLogs: { scopeLogs: { logRecords: SinkRecord[] }[] }[] }).resourceLogs)
        .flatMap((resource) => resource.scopeLogs.flatMap((scope) => scope.logRecords));
}

/** The `seq` value anywhere in an OTLP AnyValue tree. */
function seqOf(value: unknown): string | undefined {
    if (Array.isArray(value)) return value.map(seqOf).find((found) => found !== undefined);
    if (typeof value !== "object" || value === null) return undefined;
    const record = value as Record<string, unknown>;
    if (record.key === "seq") return (record.value as { stringValue?: string }).stringValue;
    return Object.values(record).map(seqOf).find((found) => found !== undefined);
}

describe("Fluent Bit (real) with the generated config", function () {
    this.timeout(600_000);
    let engines: { "fluent-bit": string; otelcol: string };
    let fluentBitBinary: string;

    before(async function () {
        try {
            fluentBitBinary = (await ensureEngines(["fluent-bit"] as const))["fluent-bit"];
        } catch (error) {
            skipOrFail(this, error);
        }
    });

    for (const stack of stackNames) {
        it(`--dry-run accepts the generated config of ${stack}`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-fb-dry-"));
            try {
                const settings = settingsOf(stack);
                // Only the config directory moves (the Lua script is loaded from it).
                const file = writeConfig(resolveFluentBitArgs(settings.observability.logs, "telemetry"), {
                    containerLogs: "/var/log/containers/*.log",
                    configDir: path.join(dir, "conf"),
                    stateDir: "/var/fluent-bit/state",
                });
                const result = await runProcess(fluentBitBinary, ["--dry-run", "-c", file], { timeoutMs: 60_000 });
                assert.strictEqual(result.code, 0, `fluent-bit --dry-run rejected the ${stack} config:\n${result.stdout}${result.stderr}`);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }

    describe("end to end: CRI log file -> Fluent Bit -> collector -> file sink", () => {
        let dir: string;
        let fluentBit: RunningProcess | undefined;
        let collector: RunningProcess | undefined;
        let sink: string;
        const logs = () => `--- fluent-bit:\n${fluentBit?.output().slice(-4000)}\n--- otelcol:\n${collector?.output().slice(-4000)}`;

        before(async function () {
            try {
                engines = await ensureEngines(["fluent-bit", "otelcol"] as const);
            } catch (error) {
                skipOrFail(this, error);
            }
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-fb-e2e-"));
            sink = path.join(dir, "sink.json");
            const otlpPort = await freePort();
            const closedPort = await freePort();
            // The collector's logs path for this test: OTLP/HTTP in, memory_limiter first, the
            // contract's lift statements, a file sink. (It stands in for the gateway's exporters.)
            const collectorConfig = {
                receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpPort}` } } } },
                processors: { memory_limiter: { check_interval: "1s", limit_mib: 256, spike_limit_mib: 64 }, transform: { log_statements: [{ context: "log", statements: collectorLiftStatements() }] } },
                exporters: { file: { path: sink } },
                service: { telemetry: { metrics: { level: "none" } }, pipelines: { logs: { receivers: ["otlp"], processors: ["memory_limiter", "transform"], exporters: ["file"] } } },
            };
            fs.writeFileSync(path.join(dir, "otelcol.yaml"), yaml.dump(collectorConfig));
            collector = startProcess("otelcol", engines.otelcol, ["--config", path.join(dir, "otelcol.yaml")]);
            await waitFor("the collector's OTLP receiver", async () => ((await fetch(`http://127.0.0.1:${otlpPort}/v1/logs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).ok ? true : undefined), 60_000, logs);

            // The stack's generated config, with only paths and endpoints changed.
            const settings = settingsOf("prod");
            const production = resolveFluentBitArgs(settings.observability.logs, "telemetry");
            const local: FluentBitConfigInput = { ...production, gateway: { host: "127.0.0.1", port: otlpPort, tls: false }, kubeUrl: `http://127.0.0.1:${closedPort}`, metricsListen: "127.0.0.1", metricsPort: await freePort() };
            const paths: FluentBitPaths = { containerLogs: path.join(dir, "containers", "*.log"), configDir: path.join(dir, "conf"), stateDir: path.join(dir, "state") };
            const changed = differences(yaml.load(fluentBitConfigFiles(production)[fluentBitConfigFile]), yaml.load(fluentBitConfigFiles(local, paths)[fluentBitConfigFile])).sort();
            assert.deepStrictEqual(changed, [
                "pipeline.filters.0.kube_tag_prefix",
                "pipeline.filters.0.kube_url",
                "pipeline.filters.2.script",
                "pipeline.filters.3.script",
                "pipeline.inputs.0.db",
                "pipeline.inputs.0.path",
                "pipeline.outputs.0.host",
                "pipeline.outputs.0.port",
                "service.http_listen",
                "service.http_port",
                "service.storage.path",
            ]);
            fs.mkdirSync(path.join(dir, "containers"), { recursive: true });
            fs.mkdirSync(paths.stateDir, { recursive: true });
            // A container log in the CRI format, named as the kubelet names it.
            const logFile = path.join(dir, "containers", `shop-7d9f_checkout_app-${"ab".repeat(32)}.log`);
            fs.writeFileSync(logFile, lines.map((line, index) => `2026-11-28T13:00:0${index}.000000000Z stdout F ${JSON.stringify({ seq: line.seq, ...line.json })}\n`).join(""));
            fluentBit = startProcess("fluent-bit", engines["fluent-bit"], ["-c", writeConfig(local, paths)], { env: { ...process.env, HOSTNAME: "fluent-bit-test" } });
            await waitFor(`${lines.length} records at the sink`, () => (readSink(sink).length >= lines.length ? true : undefined), 120_000, logs);
            // Anything late would be a duplicate: give it one flush interval more.
            await new Promise((resolve) => setTimeout(resolve, 3_000));
        });

        after(async () => {
            await fluentBit?.stop();
            await collector?.stop();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("nothing is lost or duplicated: one LogRecord per line", () => {
            const seqs = readSink(sink).map((record) => seqOf(record.body) ?? seqOf(record.attributes));
            assert.deepStrictEqual([...seqs].sort(), lines.map((line) => line.seq).sort(), logs());
        });

        for (const line of lines) {
            it(line.traceId ? `'${line.seq}' carries exactly its trace ID and span ID` : `'${line.seq}' (no trace) carries no trace ID`, () => {
                const record = readSink(sink).find((candidate) => (seqOf(candidate.body) ?? seqOf(candidate.attributes)) === line.seq);
                assert.ok(record, `no record for ${line.seq}\n${logs()}`);
                assert.strictEqual(record.traceId ?? "", line.traceId ?? "");
                assert.strictEqual(record.spanId ?? "", line.spanId ?? "");
            });
        }

        it("the body is the line's message; the line's other fields arrive as attributes", () => {
            for (const line of lines) {
                const record = readSink(sink).find((candidate) => (seqOf(candidate.body) ?? seqOf(candidate.attributes)) === line.seq);
                assert.ok(record, `no record for ${line.seq}\n${logs()}`);
                assert.deepStrictEqual(Object.keys((record.body ?? {}) as object), ["stringValue"], JSON.stringify(record.body));
                const attributes = new Map(((record.attributes ?? []) as { key: string; value: { stringValue?: string } }[]).map((attribute) => [attribute.key, attribute.value.stringValue]));
                assert.strictEqual(attributes.get("seq"), line.seq);
                assert.strictEqual(attributes.get("level"), line.json.level);
            }
        });

        it("the e-mail address is gone everywhere at the sink, masked in its message", () => {
            const text = fs.readFileSync(sink, "utf8");
            assert.doesNotMatch(text, /jane\.doe/);
            assert.doesNotMatch(text, /@example\.com/);
            const record = readSink(sink).find((candidate) => (seqOf(candidate.body) ?? seqOf(candidate.attributes)) === "email");
            assert.ok(JSON.stringify(record?.body).includes(`password reset for ${redactedEmail} requested`), JSON.stringify(record?.body));
        });
    });
});
