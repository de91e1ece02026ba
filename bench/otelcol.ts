/*
 * Collector benchmark: the generated prod gateway pipeline against the collector's stock OTLP-to-OTLP
 * config (otlp receiver, batch, otlp exporter), with the same binary, the same load generator and load,
 * on the same machine, in one run. Both export to the same local sink collector.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { roleConfig } from "../components/observability/collector/manifests";
import { parsePlatformSettings } from "../components/settings";
import { localPorts, localise, rssMiB, sinkConfig, startCollector, tempDir, writeConfig } from "../test/engines/harness/otelcol";
import { readStackConfig, defaultStackConfigPath } from "../cli/stackConfig";
import { runProcess } from "../cli/local/processes";
import { engineBuildScript } from "../cli/local/engines";


function enginePaths(): { otelcol: string; loadgen: string } | undefined {
    const printed = execFileSync(engineBuildScript, ["--print-paths", "otelcol", "otelcol-loadgen"], { encoding: "utf8" }).trim().split("\n");
    const [otelcol, loadgen] = printed;
    return fs.existsSync(otelcol) && fs.existsSync(loadgen) ? { otelcol, loadgen } : undefined;
}

function stockConfig(ports: { grpc: number; http: number; health: number; metrics: number }, sinkGrpc: number): Record<string, unknown> {
    return {
        receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.grpc}` }, http: { endpoint: `127.0.0.1:${ports.http}` } } } },
        processors: { batch: {} },
        exporters: { otlp_grpc: { endpoint: `127.0.0.1:${sinkGrpc}`, tls: { insecure: true } } },
        extensions: { health_check: { endpoint: `127.0.0.1:${ports.health}` } },
        service: {
            extensions: ["health_check"],
            telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "127.0.0.1", port: ports.metrics } } } }] } },
            pipelines: { traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["otlp_grpc"] } },
        },
    };
}

async function measure(name: string, bin: { otelcol: string; loadgen: string }, config: Record<string, unknown>, ports: { grpc: number; health: number }, dir: string, env: NodeJS.ProcessEnv) {
    const collector = await startCollector(bin.otelcol, writeConfig(dir, name, config), ports.health, env);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(collector.process.pid!))), 100);
    const seconds = Number(process.env.BULWARK_BENCH_COLLECTOR_SECONDS ?? 20);
    // --requests=0: send until --duration ends (loadgen's default is a single request).
    // Spawned asynchronously, so the RSS sampler above keeps running while the load is on.
    const result = await runProcess(bin.loadgen, [`--endpoint=127.0.0.1:${ports.grpc}`, "--signal=traces", "--items=200", "--workers=4", "--requests=0", `--duration=${seconds}s`], { timeoutMs: (seconds + 120) * 1000 });
    clearInterval(sampler);
    await collector.stop();
    const summary = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as { acceptedItems: number; refusedItems: number; itemsPerSecond: number };
    return { name, spansPerSecond: summary.itemsPerSecond, refused: summary.refusedItems, peakRss: peak };
}

export async function benchCollector(): Promise<void> {
    const bin = enginePaths();
    if (bin === undefined) {
        console.log("collector: skipped (otelcol/otelcol-loadgen not built; run tools/engines/build.sh otelcol otelcol-loadgen)");
        return;
    }
    const dirs = [tempDir("bench-sink"), tempDir("bench-queue"), tempDir("bench-config")];
    try {
        const sinkPorts = await localPorts();
        const sink = await startCollector(bin.otelcol, writeConfig(dirs[2], "sink", sinkConfig({ ...sinkPorts, dir: dirs[0] })), sinkPorts.health);
        const settings = parsePlatformSettings(readStackConfig(defaultStackConfigPath("prod")).values["bulwark:platform"], "prod", "prod");
        const generatedPorts = await localPorts();
        // k8s_attributes needs an API server; the benchmark runs without one, so it associates nothing (passthrough).
        const generated = localise(roleConfig(settings, "gateway"), { ports: generatedPorts, storageDir: dirs[1], sinkGrpc: sinkPorts.grpc, sinkHttp: sinkPorts.http, kubeconfig: false });
        generated.processors.k8s_attributes = { passthrough: true };
        // Where the difference goes: the same generated pipeline with its queues in memory (not what
        // Bulwark ships: a restart would lose them), which isolates the cost of the persistent queue.
        const memoryPorts = await localPorts();
        const inMemory = localise(roleConfig(settings, "gateway"), { ports: memoryPorts, storageDir: dirs[1], sinkGrpc: sinkPorts.grpc, sinkHttp: sinkPorts.http, kubeconfig: false });
        inMemory.processors.k8s_attributes = { passthrough: true };
        for (const exporter of Object.values(inMemory.exporters) as { sending_queue?: { storage?: string } }[]) delete exporter.sending_queue?.storage;
        const stockPorts = await localPorts();
        const memoryLimit = { GOMEMLIMIT: `${generated.processors.memory_limiter.limit_mib}MiB` };
        const rows = [
            await measure("stock", bin, stockConfig(stockPorts, sinkPorts.grpc), stockPorts, dirs[2], {}),
            await measure("generated", bin, generated, generatedPorts, dirs[2], memoryLimit),
            await measure("generated, queue in memory (not shipped)", bin, inMemory, memoryPorts, dirs[2], memoryLimit),
        ];
        await sink.stop();
        for (const row of rows) console.log(`collector ${row.name.padEnd(42)} ${row.spansPerSecond.toFixed(0).padStart(8)} spans/s  peak RSS ${row.peakRss.toFixed(0)} MiB  refused ${row.refused}`);
        console.log(`collector ratio generated/stock ${(rows[1].spansPerSecond / rows[0].spansPerSecond).toFixed(2)} (target >= 0.9)`);
        console.log(`collector ratio generated with its queue in memory/stock ${(rows[2].spansPerSecond / rows[0].spansPerSecond).toFixed(2)} (the persistent queue's share of the gap)`);
    } finally {
        for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
}
