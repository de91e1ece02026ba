/*
 * Benchmarks (not tests): prints figures for the README. Run with `npm run bench` (compiled JS, so
 * ts-node start-up is not measured).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { checkObjects } from "../cli/check";
import { catalog, crossObjectCatalog } from "../components/guardrails/catalog";
import { parseManifests } from "../cli/input";
import { checkStreaming } from "../cli/streamCheck";
import { benchSideBySide, loadAverage } from "./side-by-side";
import { renderProgram, renderStack, writeRender } from "../cli/render";
import { defaultStackConfigPath, readStackConfig } from "../cli/stackConfig";
import { benchSignatures } from "./signatures";
import { benchCollector } from "./otelcol";

function seconds(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A mixed corpus of workload objects: compliant and violating, across every pod-spec kind. */
function workloadCorpus(count: number): string {
    const kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"];
    const documents: unknown[] = [];
    for (let index = 0; index < count; index++) {
        const kind = kinds[index % kinds.length];
        const violating = index % 4 === 0;
        const spec = {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            initContainers: index % 3 === 0 ? [{ name: "init", image: "registry.example.com/init:1.0", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }] : undefined,
            containers: [
                {
                    name: "app",
                    image: `registry.example.com/app-${index}:1.0`,
                    ports: [{ containerPort: 8080, hostPort: violating ? 8080 : undefined }],
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, privileged: violating, capabilities: { drop: ["ALL"] } },
                },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
        };
        const metadata = { name: `app-${index}`, namespace: `tenant-${index % 50}`, labels: { app: `app-${index}` } };
        const template = { metadata: { labels: metadata.labels }, spec };
        const body =
            kind === "Pod"
                ? { spec }
                : kind === "CronJob"
                  ? { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } } }
                  : { spec: { selector: { matchLabels: metadata.labels }, template } };
        const apiVersion = kind === "Pod" ? "v1" : kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
        documents.push(JSON.parse(JSON.stringify({ apiVersion, kind, metadata, ...body })));
    }
    return documents.map((document) => yaml.dump(document)).join("---\n");
}

/**
 * `check`'s two paths inside one warm process, on a mixed corpus: the default document-by-document
 * path (read, parse and evaluate, one document at a time) and, split into its phases, the in-memory
 * path that `--verify-signatures` takes.
 */
async function benchCheck(count: number): Promise<void> {
    const text = workloadCorpus(count);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-bench-check-"));
    try {
        const file = path.join(dir, "corpus.yaml");
        fs.writeFileSync(file, text);
        const warmUp = path.join(dir, "warm-up.yaml");
        fs.writeFileSync(warmUp, workloadCorpus(200));
        checkStreaming([warmUp], undefined); // warm-up: JIT
        let start = process.hrtime.bigint();
        const streamed = checkStreaming([file], undefined);
        const streamSeconds = seconds(start);
        if (streamed === undefined) throw new Error("the document-by-document path declined the bench corpus");
        start = process.hrtime.bigint();
        const objects = parseManifests(text, "corpus.yaml");
        const parseSeconds = seconds(start);
        checkObjects(objects.slice(0, 200)); // warm-up: JIT
        start = process.hrtime.bigint();
        const violations = checkObjects(objects);
        const evaluateSeconds = seconds(start);
        if (violations.length !== streamed.violations.length) throw new Error(`the two paths disagree: ${streamed.violations.length} against ${violations.length} violations`);
        console.log(`check in-process (warm): ${objects.length} mixed workload objects, ${catalog.length + crossObjectCatalog.length} guardrails, ${violations.length} violations`);
        console.log(`  document by document (the default): ${streamSeconds.toFixed(2)} s  ${(objects.length / streamSeconds).toFixed(0)} objects/s`);
        console.log(`  in memory: parse       ${parseSeconds.toFixed(2)} s  ${(objects.length / parseSeconds).toFixed(0)} objects/s`);
        console.log(`  in memory: evaluate    ${evaluateSeconds.toFixed(2)} s  ${(objects.length / evaluateSeconds).toFixed(0)} objects/s`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function benchRenderStacks(): Promise<void> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-bench-"));
    try {
        await renderStack("dev", readStackConfig(defaultStackConfigPath("dev"))); // warm-up: module loading
        for (const stack of ["dev", "staging", "prod"]) {
            const start = process.hrtime.bigint();
            const result = await renderStack(stack, readStackConfig(defaultStackConfigPath(stack)));
            writeRender(result, path.join(out, stack));
            console.log(`render ${stack.padEnd(8)} ${(seconds(start) * 1000).toFixed(0).padStart(6)} ms  ${result.resources.length} resources (target prod < 3000 ms)`);
        }
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

async function benchRenderScaling(): Promise<void> {
    const programPath = require.resolve(path.resolve(__dirname, "..", "index"));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-bench-"));
    try {
        for (const tenants of [100, 500, 1000]) {
            const settings = { enforcement: "enforce", tenants: Array.from({ length: tenants }, (_, index) => ({ name: `tenant-${index}` })) };
            const start = process.hrtime.bigint();
            const result = await renderProgram("scale", { path: "<bench>", values: { "bulwark:platform": settings }, secretKeys: [] }, async () => {
                delete require.cache[programPath];
                return await import(programPath);
            });
            writeRender(result, path.join(out, String(tenants)));
            const elapsed = seconds(start);
            console.log(`render ${String(tenants).padStart(5)} tenants ${(elapsed * 1000).toFixed(0).padStart(6)} ms  ${(elapsed * 1e6 / tenants).toFixed(0)} us/tenant`);
        }
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

async function main(): Promise<void> {
    console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), load average ${loadAverage()}`);
    await benchSideBySide();
    if (process.env.BULWARK_BENCH_ONLY_CHECK === "1") return;
    await benchCheck(Number(process.env.BULWARK_BENCH_OBJECTS ?? 10000));
    await benchRenderStacks();
    await benchRenderScaling();
    await benchSignatures();
    await benchCollector();
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
