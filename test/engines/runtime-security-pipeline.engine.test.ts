// Engine test: runtime-security alerts reach the pipeline's sink through the real OpenTelemetry
// Collector (tools/engines/otelcol), with severity, rule name, namespace and pod.
//
// A Falco alert in Falco's JSON output format and a Tetragon kprobe event in its JSON export format
// enter the collector's OTLP receiver as log records whose body is the sensor's JSON line, and pass the
// gateway's runtime-security transform (components/runtime-security/alertLogs.ts) into a file sink.
// The OTLP request in this test stands in for falcosidekick / the node log agent, which are the parts
// that carry these records in a cluster: falcosidekick's Go module is not served by the module proxy
// here, and no Falco or Tetragon can run on this machine (no container runtime, no kprobes).

import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { runtimeSecurityLogStatements } from "../../components/runtime-security/alertLogs";
import { outputFields } from "../../components/runtime-security/rules/check";
import { rules } from "../../components/runtime-security/rules/rules";
import { ensureEngines, skipOrFail } from "./harness/engines";
import { freePorts } from "../../cli/local/processes";

const freePort = async (): Promise<number> => (await freePorts(1))[0];

const pod = { namespace: "checkout", name: "api-7d4b9c-x2x9q", container: "api" };

/** A Falco alert as Falco's json_output writes it, for the generated crypto-miner rule. */
function falcoAlert(): Record<string, unknown> {
    const rule = rules.find((candidate) => candidate.intent === "crypto-miner")!;
    const sample: Record<string, unknown> = {
        "k8s.ns.name": pod.namespace, "k8s.pod.name": pod.name, "container.name": pod.container, "container.image.repository": "ghcr.io/acme/api",
        "proc.name": "xmrig", "proc.cmdline": "xmrig -o stratum+tcp://pool.example:3333", "proc.pname": "sh", "user.name": "app", "user.uid": 1000, "fd.name": "10.0.0.5:40000->203.0.113.7:3333",
    };
    // output_fields holds exactly the fields the rule's output prints.
    const output_fields = Object.fromEntries(outputFields(rule.output).map((field) => [field, sample[field] ?? null]));
    return { hostname: "node-1", output: `13:14:15.000000000: Critical Crypto miner detected (...)`, output_fields, priority: "Critical", rule: rule.name, source: "syscall", tags: [...rule.tags], time: "2026-11-28T13:14:15.000000000Z" };
}

/** A Tetragon kprobe event as its JSON export writes it, from the egress TracingPolicy. */
function tetragonEvent(): Record<string, unknown> {
    return {
        process_kprobe: {
            process: {
                exec_id: "bm9kZS0xOjEyMzQ1Njc4OjQyNDI=", pid: 4242, uid: 1000, binary: "/usr/bin/curl", arguments: "http://203.0.113.7:8080/",
                pod: { namespace: pod.namespace, name: pod.name, container: { id: "containerd://0f1e2d", name: pod.container, image: { id: "ghcr.io/acme/api@sha256:00", name: "ghcr.io/acme/api:1.2.3" } }, workload: "api" },
            },
            function_name: "tcp_connect",
            args: [{ sock_arg: { family: "AF_INET", type: "SOCK_STREAM", protocol: "IPPROTO_TCP", saddr: "10.0.0.5", daddr: "203.0.113.7", sport: 40000, dport: 8080 } }],
            action: "KPROBE_ACTION_POST",
            policy_name: "bulwark-unexpected-egress",
        },
        node_name: "node-1",
        time: "2026-11-28T13:14:16.000000000Z",
    };
}

type Attributes = { key: string; value: { stringValue?: string } }[];
interface LogRecord { severityText?: string; severityNumber?: number; attributes?: Attributes; body?: { stringValue?: string } }

function attribute(record: LogRecord, key: string): string | undefined {
    return record.attributes?.find((candidate) => candidate.key === key)?.value.stringValue;
}

describe("runtime-security alerts through the real collector into a file sink", function () {
    let collector: ChildProcess | undefined;
    let dir = "";
    let stderr = "";

    after(() => {
        collector?.kill("SIGTERM");
        if (dir !== "") fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a Falco alert and a Tetragon event arrive with severity, rule name, namespace, pod and container", async function () {
        let otelcol: string;
        try {
            otelcol = (await ensureEngines(["otelcol"] as const)).otelcol;
        } catch (error) {
            skipOrFail(this, error);
        }
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-runtime-pipeline-"));
        const port = await freePort();
        const sink = path.join(dir, "sink.json");
        const config = {
            receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
            processors: {
                memory_limiter: { check_interval: "1s", limit_mib: 256 },
                "transform/runtime_security": { error_mode: "propagate", log_statements: [{ context: "log", statements: runtimeSecurityLogStatements() }] },
            },
            exporters: { file: { path: sink, flush_interval: "100ms" } },
            service: {
                telemetry: { metrics: { level: "none" } },
                pipelines: { logs: { receivers: ["otlp"], processors: ["memory_limiter", "transform/runtime_security"], exporters: ["file"] } },
            },
        };
        fs.writeFileSync(path.join(dir, "config.yaml"), yaml.dump(config));
        collector = spawn(otelcol!, ["--config", path.join(dir, "config.yaml")], { stdio: ["ignore", "ignore", "pipe"] });
        collector.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));

        const lines = [JSON.stringify(falcoAlert()), JSON.stringify(tetragonEvent())];
        const request = {
            resourceLogs: [{ resource: { attributes: [{ key: "k8s.node.name", value: { stringValue: "node-1" } }] }, scopeLogs: [{ scope: {}, logRecords: lines.map((line) => ({ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: line } })) }] }],
        };
        let sent = false;
        for (let attempt = 0; attempt < 120 && !sent; attempt++) {
            assert.strictEqual(collector.exitCode, null, `collector exited:\n${stderr}`);
            try {
                const response = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request) });
                assert.strictEqual(response.status, 200, `${response.status} ${await response.text()}\n${stderr}`);
                sent = true;
            } catch (error) {
                if (error instanceof assert.AssertionError) throw error;
                await new Promise((resolve) => setTimeout(resolve, 500));
            }
        }
        assert.ok(sent, `the collector never listened on ${port}:\n${stderr}`);

        let records: LogRecord[] = [];
        for (let attempt = 0; attempt < 60 && records.length < 2; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            if (!fs.existsSync(sink)) continue;
            records = fs.readFileSync(sink, "utf8").split("\n").filter((line) => line.trim() !== "")
                .flatMap((line) => (JSON.parse(line) as { resourceLogs: { scopeLogs: { logRecords: LogRecord[] }[] }[] }).resourceLogs.flatMap((resource) => resource.scopeLogs.flatMap((scope) => scope.logRecords)));
        }
        assert.strictEqual(records.length, 2, `sink holds ${records.length} records:\n${stderr}`);
        const [falco, tetragon] = records;
        assert.deepStrictEqual(
            { severityText: falco.severityText, severityNumber: falco.severityNumber, rule: attribute(falco, "security_rule.name"), ruleset: attribute(falco, "security_rule.ruleset.name"), namespace: attribute(falco, "k8s.namespace.name"), pod: attribute(falco, "k8s.pod.name"), container: attribute(falco, "k8s.container.name") },
            { severityText: "Critical", severityNumber: 21, rule: "Bulwark crypto miner", ruleset: "falco", namespace: pod.namespace, pod: pod.name, container: pod.container },
        );
        assert.deepStrictEqual(
            { severityText: tetragon.severityText, severityNumber: tetragon.severityNumber, rule: attribute(tetragon, "security_rule.name"), ruleset: attribute(tetragon, "security_rule.ruleset.name"), namespace: attribute(tetragon, "k8s.namespace.name"), pod: attribute(tetragon, "k8s.pod.name"), container: attribute(tetragon, "k8s.container.name") },
            { severityText: "WARN", severityNumber: 13, rule: "bulwark-unexpected-egress", ruleset: "tetragon", namespace: pod.namespace, pod: pod.name, container: pod.container },
        );
        // The original alert is kept whole in the body.
        assert.strictEqual(falco.body?.stringValue, lines[0]);
        console.log(`runtime pipeline: Falco -> ${falco.severityText}/${attribute(falco, "security_rule.name")}, Tetragon -> ${tetragon.severityText}/${attribute(tetragon, "security_rule.name")} in the file sink`);
    });
});
