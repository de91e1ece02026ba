/*
 * Side by side: `bulwark check`, the Kyverno CLI (`kyverno apply` of the rendered ValidatingPolicies)
 * and gator (`gator test` of the rendered ConstraintTemplates and Constraints), each as a whole
 * process on the same generated corpus and the same policies under policies/<engine>/prod.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { namespaceEnforceLabel } from "../components/pod-security/labels";
import { benchNamespaces, deploymentCorpus, toYamlStream } from "./corpus";

export interface ProcessFigures {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly wallSeconds: number;
    /** User + system CPU seconds, and peak RSS, from GNU time (undefined without /usr/bin/time). */
    readonly cpuSeconds?: number;
    readonly peakRssMb?: number;
}

const gnuTime = "/usr/bin/time";

/** Runs a process to completion and measures it; output goes to files, so large reports are fine. */
export function measure(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): ProcessFigures {
    const figures = path.join(cwd, ".time");
    const out = path.join(cwd, ".stdout");
    const withTime = fs.existsSync(gnuTime);
    const started = process.hrtime.bigint();
    const result = spawnSync(withTime ? gnuTime : command, withTime ? ["-f", "%U %S %M", "-o", figures, command, ...args] : args, {
        cwd,
        env,
        encoding: "utf8",
        stdio: ["ignore", fs.openSync(out, "w"), "pipe"],
        maxBuffer: 1 << 30,
    });
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stdout = fs.readFileSync(out, "utf8");
    if (!withTime) return { code: result.status, stdout, stderr: result.stderr, wallSeconds };
    const [user, system, rssKb] = fs.readFileSync(figures, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { code: result.status, stdout, stderr: result.stderr, wallSeconds, cpuSeconds: user + system, peakRssMb: rssKb / 1024 };
}

/** Guardrail ids each object violates, keyed `namespace/name`. */
export type Verdicts = Map<string, Set<string>>;

function addVerdict(verdicts: Verdicts, key: string, guardrail: string): void {
    if (!verdicts.has(key)) verdicts.set(key, new Set());
    verdicts.get(key)!.add(guardrail);
}

/** The prod tenant namespaces as the cluster has them: labelled restricted (README "Pod Security"). */
function namespaceObjects(): Record<string, unknown>[] {
    return benchNamespaces.map((name) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "kubernetes.io/metadata.name": name, [namespaceEnforceLabel]: "restricted" } },
    }));
}

/** Writes the corpus (Namespaces, then `count` Deployments) and returns its path. */
export function writeCorpus(dir: string, count: number): string {
    const file = path.join(dir, `corpus-${count}.yaml`);
    fs.writeFileSync(file, toYamlStream([...namespaceObjects(), ...deploymentCorpus(count)]));
    return file;
}

/** `check --stack prod` on the corpus; `threads` sets BULWARK_CHECK_THREADS (1: the default single thread). */
export function runCheck(bin: string, corpus: string, dir: string, threads = 1): { figures: ProcessFigures; verdicts: Verdicts } {
    const figures = measure(process.execPath, [bin, "check", "--stack", "prod", "--format", "json", corpus], dir, { ...process.env, BULWARK_CHECK_THREADS: String(threads) });
    if (figures.code !== 0 && figures.code !== 1) throw new Error(`check exited ${figures.code}: ${figures.stderr}`);
    const verdicts: Verdicts = new Map();
    for (const violation of JSON.parse(figures.stdout) as { guardrail: string; namespace: string | null; name: string }[]) {
        addVerdict(verdicts, `${violation.namespace ?? ""}/${violation.name}`, violation.guardrail);
    }
    return { figures, verdicts };
}

/** `bulwark-<guardrail id>` is how the renderers name a Kyverno ValidatingPolicy. */
const kyvernoPolicyPrefix = "bulwark-";
/** The supply-chain trust-policy entries render as `bulwark-image-signature-<entry>` ImageValidatingPolicies. */
const signaturePolicyPrefix = "image-signature-";

export function runKyverno(bin: string, policies: string, corpus: string, dir: string): { figures: ProcessFigures; verdicts: Verdicts } {
    // The CLI reads no Namespace objects: the values file gives each namespace its labels, as the API server would.
    const values = path.join(dir, "kyverno-values.yaml");
    fs.writeFileSync(
        values,
        yaml.dump({
            apiVersion: "cli.kyverno.io/v1alpha1",
            kind: "Value",
            metadata: { name: "values" },
            namespaceSelector: namespaceObjects().map((namespace) => ({ name: (namespace.metadata as { name: string }).name, labels: (namespace.metadata as { labels: unknown }).labels })),
        }),
    );
    const figures = measure(bin, ["apply", policies, "--resource", corpus, "--values-file", values, "--policy-report", "--output-format", "json", "--remove-color"], dir);
    const verdicts: Verdicts = new Map();
    for (const line of figures.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const report = JSON.parse(line) as { results?: { policy?: string; result?: string; resources?: { name?: string; namespace?: string }[] }[] };
        for (const row of report.results ?? []) {
            // The rendered ImageValidatingPolicies ask the corpus' (unreachable) registries for signatures;
            // `check` verifies signatures only with --verify-signatures, so they are not compared.
            if (row.result !== "fail" || (row.policy ?? "").startsWith(`${kyvernoPolicyPrefix}${signaturePolicyPrefix}`)) continue;
            for (const resource of row.resources ?? []) addVerdict(verdicts, `${resource.namespace ?? ""}/${resource.name ?? ""}`, (row.policy ?? "").replace(kyvernoPolicyPrefix, ""));
        }
    }
    return { figures, verdicts };
}

export function runGator(bin: string, policies: string, corpus: string, dir: string): { figures: ProcessFigures; verdicts: Verdicts } {
    const figures = measure(bin, ["test", "--filename", policies, "--filename", corpus, "--output", "json"], dir);
    const verdicts: Verdicts = new Map();
    const text = figures.stdout.trim();
    const results = text.startsWith("[") ? (JSON.parse(text) as { constraint?: { metadata?: { name?: string } }; violatingObject?: { metadata?: { name?: string; namespace?: string } } }[]) : [];
    for (const result of results) {
        const object = result.violatingObject?.metadata;
        addVerdict(verdicts, `${object?.namespace ?? ""}/${object?.name ?? ""}`, result.constraint?.metadata?.name ?? "");
    }
    if (figures.code !== 0 && results.length === 0) throw new Error(`gator exited ${figures.code}: ${figures.stderr.slice(0, 500)}`);
    return { figures, verdicts };
}

/** Objects (of the corpus' Deployments) on which two engines report the same set of guardrails. */
export function agreement(count: number, left: Verdicts, right: Verdicts): { agreed: number; total: number; examples: string[] } {
    let agreed = 0;
    const examples: string[] = [];
    for (const object of deploymentCorpus(count)) {
        const metadata = object.metadata as { name: string; namespace: string };
        const key = `${metadata.namespace}/${metadata.name}`;
        const a = [...(left.get(key) ?? [])].sort().join(",");
        const b = [...(right.get(key) ?? [])].sort().join(",");
        if (a === b) agreed++;
        else if (examples.length < 3) examples.push(`${key}: [${a}] vs [${b}]`);
    }
    return { agreed, total: count, examples };
}
