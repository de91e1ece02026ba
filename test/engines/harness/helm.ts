// Real Helm (helm.sh/helm/v3, built by tools/engines/build.sh from the same wrapper module as
// kube-apiserver) renders the pinned upstream charts in ../shared/charts with the exact values a
// stack passes.  Helm ignores a value the chart does not read, so tests assert on the rendered
// objects that each setting took effect; this module only renders.
//
//   const objects = await helmTemplate({ chart: "kyverno-3.6.3", release: "kyverno", namespace: "kyverno", values });
//
// `helm template` validates the values against the chart's values.schema.json where it has one
// and fails on a violation, so a rendered chart is also a schema-checked set of values.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { chartsDir } from "../../support/shared";
import { engineVersion, ensureEngines, runProcess } from "./engines";

export interface HelmTemplateOptions {
    /** Folder name under ../shared/charts, `<chart>-<version>` (or an absolute path to a chart folder). */
    readonly chart: string;
    /** Release name, as the platform's helm.v3.Release names it. */
    readonly release: string;
    /** Namespace the release installs into. */
    readonly namespace: string;
    /** The values the stack passes (a plain JSON object). */
    readonly values: unknown;
    /**
     * Values layered over `values` as a second `--values` file, for the few switches a test must set
     * apart from the stack's (so the stack's own values file stays exactly what the stack passes).
     */
    readonly overrides?: unknown;
    /** Render the chart's CRDs too (`--include-crds`). @default false */
    readonly includeCrds?: boolean;
    /** Extra `--api-versions` the chart may test for (for example monitoring.coreos.com/v1). */
    readonly apiVersions?: readonly string[];
}

/** One rendered Kubernetes object. */
export type RenderedObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [key: string]: unknown }; [key: string]: unknown };

/** Path of the helm binary, building it if missing (see engines.ts for the CI/skip policy). */
export async function helmBinary(): Promise<string> {
    return (await ensureEngines(["helm"] as const)).helm;
}

/** The folder of a pinned chart copy; throws naming the folder when it is absent. */
export function chartDir(chart: string): string {
    const dir = path.isAbsolute(chart) ? chart : path.join(chartsDir, chart);
    if (!fs.existsSync(path.join(dir, "Chart.yaml"))) throw new Error(`${dir}/Chart.yaml is missing: the pinned chart copy '${chart}' is not in ${chartsDir}`);
    return dir;
}

/** The Kubernetes version the engine tier's API server runs, which Helm reports to the chart. */
export function kubeVersion(): string {
    return engineVersion("kube-apiserver");
}

/** `helm template` of a pinned chart with the given values; returns the rendered objects in order. */
export async function helmTemplate(opts: HelmTemplateOptions): Promise<RenderedObject[]> {
    const helm = await helmBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-helm-"));
    try {
        const valuesFile = path.join(dir, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(opts.values ?? {}));
        const args = ["template", opts.release, chartDir(opts.chart), "--namespace", opts.namespace, "--values", valuesFile, "--kube-version", kubeVersion()];
        if (opts.overrides !== undefined) {
            const overridesFile = path.join(dir, "overrides.json");
            fs.writeFileSync(overridesFile, JSON.stringify(opts.overrides));
            args.push("--values", overridesFile);
        }
        if (opts.includeCrds) args.push("--include-crds");
        for (const apiVersion of opts.apiVersions ?? []) args.push("--api-versions", apiVersion);
        // HOME and the helm folders point into the scratch dir, so no user repository or plugin
        // configuration changes what renders.
        const env = { ...process.env, HELM_CACHE_HOME: path.join(dir, "cache"), HELM_CONFIG_HOME: path.join(dir, "config"), HELM_DATA_HOME: path.join(dir, "data") };
        const result = await runProcess(helm, args, { env, timeoutMs: 120_000 });
        if (result.code !== 0) throw new Error(`helm ${args.join(" ")} failed (exit ${result.code}):\n${result.stderr}`);
        return yaml.loadAll(result.stdout).filter((doc): doc is RenderedObject => typeof doc === "object" && doc !== null && "kind" in doc);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function makeWritable(dir: string): void {
    fs.chmodSync(dir, 0o755);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const entryPath = path.join(dir, entry.name);
        if (entry.isDirectory()) makeWritable(entryPath);
        else fs.chmodSync(entryPath, 0o644);
    }
}

/**
 * A writable temporary copy of a pinned chart whose Chart.yaml keeps only the dependencies its
 * charts/ folder holds: Helm refuses a chart with a declared dependency missing, even when its
 * condition is off. Throws, naming them, unless the missing subcharts are exactly `expectedMissing`
 * (a copy that gained a subchart should have it rendered, not dropped). The caller removes `scratch`.
 */
export function chartCopyWithoutMissingSubcharts(source: string, expectedMissing: readonly string[]): { copy: string; scratch: string } {
    if (!fs.existsSync(path.join(source, "Chart.yaml"))) throw new Error(`${source}/Chart.yaml is missing: the pinned chart copy is not in ${chartsDir}`);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-chart-copy-"));
    const copy = path.join(scratch, path.basename(source).replace(/-[0-9][^-]*$/, ""));
    fs.cpSync(source, copy, { recursive: true });
    // The shared copy is read-only; its copy must be writable to edit Chart.yaml and to be removed.
    makeWritable(copy);
    const chartFile = path.join(copy, "Chart.yaml");
    const chart = yaml.load(fs.readFileSync(chartFile, "utf8")) as { dependencies?: { name: string }[] };
    const subcharts = path.join(copy, "charts");
    const present = new Set(fs.existsSync(subcharts) ? fs.readdirSync(subcharts) : []);
    const dependencies = chart.dependencies ?? [];
    const missing = dependencies.filter((dependency) => !present.has(dependency.name)).map((dependency) => dependency.name);
    if ([...missing].sort().join() !== [...expectedMissing].sort().join()) {
        throw new Error(`${source}: the subcharts missing from charts/ are [${missing.join(", ")}], expected [${expectedMissing.join(", ")}]; render what is there and drop only what is missing`);
    }
    chart.dependencies = dependencies.filter((dependency) => present.has(dependency.name));
    fs.writeFileSync(chartFile, yaml.dump(chart));
    return { copy, scratch };
}
