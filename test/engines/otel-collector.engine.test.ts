// Engine test: the generated agent and gateway configs on the real collector (tools/engines/otelcol).
// Only listen addresses, the queue directory, and exporter endpoints are changed (see localise()): the
// exporters send to a local sink, a second collector of the same build that writes what it receives
// to JSON-lines files, and k8s_attributes reads a real API server through a kubeconfig.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { roleConfig, serializeCollectorConfig } from "../../components/observability/collector/manifests";
import { parsePlatformSettings, PlatformSettings } from "../../components/settings";
import { stackConfig, stackNames } from "../support/render";
import { ApiServer, startApiServer } from "./harness/apiserver";
import { ensureEngines, runProcess, skipOrFail } from "./harness/engines";
import { attributeMap, localPorts, localise, metricSum, rssMiB, rssPartsMiB, RunningCollector, sinkConfig, sinkSpans, startCollector, tempDir, writeConfig } from "./harness/otelcol";

function stackSettings(stack: string): PlatformSettings {
    return parsePlatformSettings(stackConfig(stack).values["bulwark:platform"], stack, stack);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await sleep(500);
    }
}

describe("engine tier: the generated collector pipeline on the real collector", function () {
    let bin: { otelcol: string; "otelcol-loadgen": string };
    let api: ApiServer;
    const started: RunningCollector[] = [];
    const dirs: string[] = [];

    before(async function () {
        try {
            bin = await ensureEngines(["otelcol", "otelcol-loadgen"]);
            api = await startApiServer();
        } catch (error) {
            skipOrFail(this, error);
        }
    });

    after(async () => {
        for (const collector of started) await collector.stop("SIGKILL");
        await api?.stop();
        for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });

    function dir(prefix: string): string {
        const created = tempDir(prefix);
        dirs.push(created);
        return created;
    }

    /** The sink on fixed ports (so it can be stopped and started again at the same address). */
    async function sink(ports: { grpc: number; http: number; health: number; metrics: number }, output: string): Promise<RunningCollector> {
        const collector = await startCollector(bin.otelcol, writeConfig(output, "sink", sinkConfig({ ...ports, dir: output })), ports.health);
        started.push(collector);
        return collector;
    }

    /** The stack's gateway (or agent), localised, on `storageDir`. */
    async function gateway(settings: PlatformSettings, sinkPorts: { grpc: number; http: number }, storageDir: string, role: "gateway" | "agent" = "gateway") {
        const ports = await localPorts();
        const config = localise(roleConfig(settings, role), { ports, storageDir, sinkGrpc: sinkPorts.grpc, sinkHttp: sinkPorts.http, kubeconfig: true });
        const file = writeConfig(dir("config"), role, config);
        const start = async () => {
            const collector = await startCollector(bin.otelcol, file, ports.health, { KUBECONFIG: api.kubeconfigPath, K8S_NODE_NAME: "node-a", GOMEMLIMIT: `${config.processors.memory_limiter.limit_mib}MiB` });
            started.push(collector);
            return collector;
        };
        return { ports, start };
    }

    async function loadgen(args: string[]): Promise<{ acceptedItems: number; refusedItems: number; itemsPerSecond: number; firstError?: string }> {
        const result = await runProcess(bin["otelcol-loadgen"], args, { timeoutMs: 600_000 });
        assert.strictEqual(result.code, 0, result.stderr);
        return JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
    }

    it("`otelcol validate` accepts the agent and gateway config of every stack", async function () {
        const rows: string[] = [];
        for (const stack of stackNames) {
            for (const role of ["agent", "gateway"] as const) {
                const file = path.join(dir("validate"), `${stack}-${role}.yaml`);
                fs.writeFileSync(file, serializeCollectorConfig(roleConfig(stackSettings(stack), role)));
                // K8S_NODE_NAME: the agent DaemonSet sets it from spec.nodeName; validate refuses the node filter without it.
                const result = await runProcess(bin.otelcol, ["validate", `--config=${file}`], { timeoutMs: 120_000, env: { ...process.env, K8S_NODE_NAME: "node-a" } });
                assert.strictEqual(result.code, 0, `${stack} ${role}: ${result.stderr}`);
                rows.push(`${stack}/${role}`);
            }
        }
        console.log(`      validated: ${rows.join(", ")}`);
    });

    it("removes PII from traces, logs and metrics while trace IDs, span IDs and service names survive", async function () {
        const sinkPorts = await localPorts();
        const output = dir("pii-sink");
        await sink(sinkPorts, output);
        const { ports, start } = await gateway(stackSettings("prod"), sinkPorts, dir("pii-queue"));
        await start();
        const traceId = "5b8efff798038103d269b633813fc60c";
        const spanId = "eee19b7ec3c1b174";
        const resource = { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] };
        const payloads = dir("pii-payloads");
        const traces = {
            resourceSpans: [{ resource, scopeSpans: [{ spans: [{
                traceId, spanId, name: "POST /pay", kind: 2, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000001000000000",
                attributes: [
                    { key: "user.email", value: { stringValue: "alice@example.com" } },
                    { key: "http.request.header.authorization", value: { stringValue: "Bearer eyJhbGciOiJIUzI1NiJ9.secret" } },
                    { key: "payment.card", value: { stringValue: "4111 1111 1111 1111" } },
                    { key: "url.full", value: { stringValue: "https://shop.example/pay?token=s3cr3t-t0ken&page=2" } },
                    { key: "note", value: { stringValue: "contact bob@example.org" } },
                ],
            }] }] }],
        };
        const logs = {
            resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{
                timeUnixNano: "1700000000000000000", traceId, spanId,
                body: { stringValue: "payment by alice@example.com with card 4111111111111111 accepted" },
                attributes: [{ key: "user.email", value: { stringValue: "alice@example.com" } }],
            }] }] }],
        };
        const metrics = {
            resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [{ name: "payments", sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{
                asInt: "1", timeUnixNano: "1700000000000000000", attributes: [{ key: "user.email", value: { stringValue: "alice@example.com" } }],
            }] } }] }] }],
        };
        for (const [signal, payload] of Object.entries({ traces, logs, metrics })) {
            fs.writeFileSync(path.join(payloads, `${signal}.json`), JSON.stringify(payload));
            const sent = await loadgen([`--endpoint=127.0.0.1:${ports.grpc}`, `--signal=${signal}`, `--payload=${path.join(payloads, `${signal}.json`)}`]);
            assert.strictEqual(sent.refusedItems, 0, sent.firstError);
        }
        await waitFor("all three signals at the sink", () => ["traces", "logs", "metrics"].every((signal) => fs.existsSync(path.join(output, `${signal}.jsonl`)) && fs.statSync(path.join(output, `${signal}.jsonl`)).size > 0), 60_000);

        const [span] = sinkSpans(output);
        assert.strictEqual(span.traceId, traceId);
        assert.strictEqual(span.spanId, spanId);
        assert.strictEqual(span.service, "checkout");
        assert.ok(!("http.request.header.authorization" in span.attributes), "Authorization header deleted");
        assert.match(String(span.attributes["user.email"]), /^[0-9a-f]{64}$/, "email hashed (SHA-256)");
        assert.ok(!String(span.attributes["payment.card"]).includes("4111"), `card masked: ${span.attributes["payment.card"]}`);
        assert.strictEqual(span.attributes["url.full"], "https://shop.example/pay?token=REDACTED&page=REDACTED");
        assert.ok(!String(span.attributes.note).includes("bob@example.org"), `email in free text masked: ${span.attributes.note}`);

        const logLine = JSON.parse(fs.readFileSync(path.join(output, "logs.jsonl"), "utf8").split("\n")[0]);
        const record = logLine.resourceLogs[0].scopeLogs[0].logRecords[0];
        assert.strictEqual(record.traceId, traceId);
        assert.strictEqual(record.spanId, spanId);
        assert.strictEqual(attributeMap(logLine.resourceLogs[0].resource.attributes)["service.name"], "checkout");
        const body = String(record.body.stringValue);
        assert.ok(!body.includes("alice@example.com") && !body.includes("4111111111111111"), `log body cleaned: ${body}`);
        const metricText = fs.readFileSync(path.join(output, "metrics.jsonl"), "utf8");
        assert.ok(metricText.includes("payments") && !metricText.includes("alice@example.com"), "metric data point attribute hashed");
        const everything = ["traces", "logs", "metrics"].map((signal) => fs.readFileSync(path.join(output, `${signal}.jsonl`), "utf8")).join("\n");
        for (const secret of ["alice@example.com", "bob@example.org", "eyJhbGciOiJIUzI1NiJ9", "s3cr3t-t0ken", "4111 1111 1111 1111", "4111111111111111"]) assert.ok(!everything.includes(secret), `${secret} reached the sink`);
    });

    it("loses no span while the backend is down for 60 s", async function () {
        const sinkPorts = await localPorts();
        const first = dir("outage-sink-1");
        const second = dir("outage-sink-2");
        const sinkBefore = await sink(sinkPorts, first);
        const { ports, start } = await gateway(stackSettings("prod"), sinkPorts, dir("outage-queue"));
        await start();
        // One request of 50 spans every 2 s for 75 s: before, all through and after the outage.
        let phase: "before" | "during" | "after" = "before";
        const perPhase = { before: 0, during: 0, after: 0 };
        const results: Awaited<ReturnType<typeof loadgen>>[] = [];
        const sending = (async () => {
            const until = Date.now() + 75_000;
            while (Date.now() < until) {
                const result = await loadgen([`--endpoint=127.0.0.1:${ports.grpc}`, "--signal=traces", "--items=50", "--requests=1"]);
                results.push(result);
                perPhase[phase] += result.acceptedItems;
                await sleep(2_000);
            }
        })();
        await sleep(5_000);
        await sinkBefore.stop();
        phase = "during";
        const downAt = Date.now();
        await sleep(60_000);
        await sink(sinkPorts, second);
        phase = "after";
        console.log(`      backend down for ${((Date.now() - downAt) / 1000).toFixed(0)} s`);
        await sending;
        const sent = { acceptedItems: results.reduce((sum, result) => sum + result.acceptedItems, 0), refusedItems: results.reduce((sum, result) => sum + result.refusedItems, 0), firstError: results.find((result) => result.firstError)?.firstError };
        assert.strictEqual(sent.refusedItems, 0, sent.firstError);
        assert.ok(perPhase.during > 0, `spans were sent while the backend was down (${JSON.stringify(perPhase)})`);
        const received = () => new Set([...sinkSpans(first), ...sinkSpans(second)].map((span) => span.spanId)).size;
        await waitFor(`${sent.acceptedItems} spans at the sink`, () => received() >= sent.acceptedItems, 180_000);
        console.log(`      sent ${sent.acceptedItems} spans (${perPhase.before} before, ${perPhase.during} during, ${perPhase.after} after the outage), received ${received()} distinct`);
        assert.strictEqual(received(), sent.acceptedItems);
    });

    it("delivers queued spans after SIGKILL and a restart on the same storage directory", async function () {
        const sinkPorts = await localPorts();
        const output = dir("crash-sink");
        const storage = dir("crash-queue");
        const { ports, start } = await gateway(stackSettings("prod"), sinkPorts, storage);
        const first = await start();
        // The sink is down, so everything accepted waits in the persistent queue.
        const sent = await loadgen([`--endpoint=127.0.0.1:${ports.grpc}`, "--signal=traces", "--items=100", "--requests=50"]);
        assert.strictEqual(sent.refusedItems, 0, sent.firstError);
        await sleep(2_000);
        await first.stop("SIGKILL");
        await sink(sinkPorts, output);
        await start();
        const received = () => new Set(sinkSpans(output).map((span) => span.spanId)).size;
        await waitFor(`${sent.acceptedItems} queued spans after the restart`, () => received() >= sent.acceptedItems, 120_000);
        console.log(`      ${sent.acceptedItems} spans accepted before SIGKILL, ${received()} delivered after the restart`);
        assert.strictEqual(received(), sent.acceptedItems);
    });

    it("refuses data at twice the memory limit, visibly, and stays under the container limit", async function () {
        const containerMiB = 256;
        const settings = parsePlatformSettings({ observability: { collector: { gateway: { memoryMiB: containerMiB } } } }, "overload", "overload");
        const sinkPorts = await localPorts();
        await sink(sinkPorts, dir("overload-sink"));
        const { ports, start } = await gateway(settings, sinkPorts, dir("overload-queue"));
        const collector = await start();
        let peak = 0;
        let peakAnon = 0;
        let parts = { anon: 0, file: 0 };
        const sampler = setInterval(() => {
            const rss = rssMiB(collector.process.pid!);
            const now = rssPartsMiB(collector.process.pid!);
            peakAnon = Math.max(peakAnon, now.anon);
            if (rss > peak) [peak, parts] = [rss, now];
        }, 100);
        // 16 workers, each with a request of 10 000 spans in flight (about 1.6 MB on the wire, several times
        // that decoded): the decoded requests alone exceed the 153 MiB soft limit (limit 204 - spike 51).
        // --requests=0: without it loadgen stops after its default of one request, whatever --duration says.
        // Small spans keep the exporter's 8192-span batches under the sink's 4 MiB gRPC message limit.
        const sent = await loadgen([`--endpoint=127.0.0.1:${ports.grpc}`, "--signal=traces", "--items=10000", "--attribute-bytes=64", "--workers=16", "--requests=0", "--duration=10s", "--timeout=30s"]);
        clearInterval(sampler);
        // memory_limiter counts its own refusals; the receiver counts what its pipeline refused. The
        // collector may be slow to answer right after the load, so ask again for a while.
        let refused = 0;
        for (let tries = 0; tries < 20 && refused === 0; tries++) {
            if (tries > 0) await sleep(1_000);
            refused = (await metricSum(ports.metrics, "otelcol_processor_memory_limiter_refused_spans_total")) + (await metricSum(ports.metrics, "otelcol_receiver_refused_spans_total"));
        }
        console.log(`      accepted ${sent.acceptedItems}, refused ${sent.refusedItems} spans (${sent.firstError ?? "no error"}); collector metrics refused ${refused}; peak anonymous memory ${peakAnon.toFixed(0)} MiB of ${containerMiB} MiB; peak RSS ${peak.toFixed(0)} MiB (anonymous ${parts.anon.toFixed(0)}, file-backed ${parts.file.toFixed(0)})`);
        assert.ok(sent.refusedItems > 0, "memory_limiter refused data");
        assert.ok(refused > 0, "the refusals are visible in the collector's own metrics");
        // What gets a container OOM-killed is memory the kernel cannot reclaim: anonymous memory (the Go
        // heap, held under GOMEMLIMIT). File-backed pages (the 126 MB binary's text, the persistent
        // queue's file pages) are page cache, which the kernel reclaims or writes back under the cgroup's
        // limit before it kills anything, so they are reported, not held to the limit.
        assert.ok(peakAnon < containerMiB, `peak anonymous memory ${peakAnon.toFixed(0)} MiB under the ${containerMiB} MiB container limit`);
    });
});
