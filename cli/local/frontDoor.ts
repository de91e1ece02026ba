// `bulwark up --local`, `bulwark demo` and `bulwark down`: the platform on a local, real control
// plane with the real Pulumi engine and the policy pack. State lives in .bulwark/local/
// (git-ignored): the control plane's etcd data and keys, the Pulumi file backend and home.
import * as fs from "fs";
import * as path from "path";
import { readStackConfig, defaultStackConfigPath } from "../stackConfig";
import { CliError } from "../errors";
import { ApiServer, attachControlPlane, startControlPlane, stopRecordedControlPlane } from "./controlPlane";
import { ensureEngines, repositoryRoot } from "./engines";
import { createStandInCrds, createStandInNamespaces, standInsFor } from "./configOnly";
import { openWorkspace, policyPackArgs, policyViolations, PulumiWorkspace, selectStack, writeStackCopy } from "./pulumiWorkspace";

const localEngines = ["etcd", "kube-apiserver", "kube-controller-manager", "pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const;

export interface LocalOptions {
    readonly stack: string;
    /** @default <repository>/.bulwark/local */
    readonly stateDir?: string;
    readonly out?: NodeJS.WritableStream;
}

const stateDirOf = (options: LocalOptions) => options.stateDir ?? path.join(repositoryRoot, ".bulwark", "local");
const seconds = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;

async function controlPlane(stateDir: string, binaries: Awaited<ReturnType<typeof ensureEngines<(typeof localEngines)[number]>>>, out: NodeJS.WritableStream): Promise<ApiServer> {
    const clusterDir = path.join(stateDir, "cluster");
    const running = await attachControlPlane(clusterDir);
    if (running !== undefined) {
        out.write(`control plane: already running at ${running.url}\n`);
        return running;
    }
    await stopRecordedControlPlane(clusterDir); // a half-dead earlier one
    const started = Date.now();
    const plane = await startControlPlane(binaries, { stateDir: clusterDir, detached: true, controllers: true });
    out.write(`control plane: etcd, kube-apiserver and kube-controller-manager at ${plane.url} (${seconds(started)}; state in ${clusterDir})\n`);
    return plane;
}

async function workspaceFor(stateDir: string, stack: string, kubeconfig: string, binaries: Awaited<ReturnType<typeof ensureEngines<(typeof localEngines)[number]>>>): Promise<PulumiWorkspace> {
    const workspace = await openWorkspace({ stateDir: path.join(stateDir, "pulumi"), binaries, kubeconfig });
    const source = defaultStackConfigPath(stack);
    readStackConfig(source); // a missing or unreadable stack file is a CliError naming it
    writeStackCopy(workspace.dir, stack, fs.readFileSync(source, "utf8"));
    await selectStack(workspace, stack);
    return workspace;
}

/** `bulwark up --local`: engines, control plane, `pulumi up` with the pack, summary. */
export async function upLocal(options: LocalOptions): Promise<number> {
    const out = options.out ?? process.stdout;
    const stateDir = stateDirOf(options);
    const started = Date.now();
    const binaries = await ensureEngines(localEngines, { progress: out });
    const plane = await controlPlane(stateDir, binaries, out);
    try {
        const workspace = await workspaceFor(stateDir, options.stack, plane.kubeconfigPath, binaries);
        // Config-only mode expects the controllers' installs (their namespaces and CRDs) to exist already.
        const standIns = await standInsFor(options.stack, readStackConfig(defaultStackConfigPath(options.stack)));
        await createStandInNamespaces(plane, standIns.namespaces);
        const crds = await createStandInCrds(plane, standIns.kinds);
        if (standIns.namespaces.length + crds.length > 0) {
            out.write(`stand-ins for the installs config-only mode expects (no controllers run here): namespaces [${standIns.namespaces.join(", ")}], schema-less CRDs [${crds.join(", ")}]\n`);
        }
        out.write(`pulumi up --stack ${options.stack} ${policyPackArgs(options.stack).join(" ")} (config-only: install: false)\n`);
        // No separate preview pass: `up` runs the pack on every resource and prints the same violations.
        const up = await workspace.run(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", options.stack, ...policyPackArgs(options.stack)], { echo: out });
        out.write(`\n${await summary(plane, `${up.stdout}\n${up.stderr}`)}`);
        out.write(`\n${up.code === 0 ? "up" : "up FAILED"} in ${seconds(started)}. Next: \`bulwark demo\` (what each layer stops), \`bulwark down\` (destroy and stop).\n`);
        out.write(`kubeconfig: ${plane.kubeconfigPath}\n`);
        return up.code === 0 ? 0 : 1;
    } finally {
        plane.close();
    }
}

/** `bulwark down`: `pulumi destroy` of the stack, then the control plane stops. */
export async function downLocal(options: LocalOptions): Promise<number> {
    const out = options.out ?? process.stdout;
    const stateDir = stateDirOf(options);
    const clusterDir = path.join(stateDir, "cluster");
    const plane = await attachControlPlane(clusterDir);
    if (plane === undefined) {
        const stopped = await stopRecordedControlPlane(clusterDir);
        out.write(stopped ? "control plane: was not answering; stopped its engines\n" : "control plane: not running; nothing to destroy\n");
        return 0;
    }
    const binaries = await ensureEngines(localEngines, { progress: out });
    let code = 0;
    try {
        const workspace = await workspaceFor(stateDir, options.stack, plane.kubeconfigPath, binaries);
        const destroy = await workspace.run(["destroy", "--yes", "--non-interactive", "--stack", options.stack], { echo: out });
        code = destroy.code === 0 ? 0 : 1;
    } finally {
        await plane.stop();
    }
    out.write(`control plane: stopped (state kept in ${clusterDir}; delete .bulwark/local to start from scratch)\n`);
    return code;
}

/** Namespaces with their Pod Security labels, the admission policies in force, the guardrail results. */
export async function summary(plane: ApiServer, pulumiOutput: string): Promise<string> {
    const lines: string[] = ["summary"];
    const namespaces = (await plane.request("GET", "/api/v1/namespaces?labelSelector=app.kubernetes.io/managed-by%3Dbulwark")).body?.items ?? [];
    const psa = (await plane.request("GET", "/api/v1/namespaces")).body?.items ?? [];
    const labelled = (psa as any[]).filter((ns) => ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== undefined);
    lines.push(`  namespaces (${labelled.length} with Pod Security labels${namespaces.length > 0 ? `, ${namespaces.length} managed by bulwark` : ""}):`);
    for (const ns of labelled) {
        const labels = ns.metadata.labels as Record<string, string>;
        lines.push(`    ${ns.metadata.name.padEnd(24)} enforce=${labels["pod-security.kubernetes.io/enforce"]} warn=${labels["pod-security.kubernetes.io/warn"] ?? "-"} audit=${labels["pod-security.kubernetes.io/audit"] ?? "-"}`);
    }
    const bindings = ((await plane.request("GET", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings")).body?.items ?? []) as any[];
    const policies = ((await plane.request("GET", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies")).body?.items ?? []) as any[];
    lines.push(`  admission policies (native ValidatingAdmissionPolicy): ${policies.length} policies, ${bindings.length} bindings`);
    const byActions = new Map<string, string[]>();
    for (const binding of bindings) {
        const actions = (binding.spec?.validationActions ?? []).join("+") || "-";
        byActions.set(actions, [...(byActions.get(actions) ?? []), binding.spec?.policyName ?? binding.metadata.name]);
    }
    for (const [actions, names] of byActions) lines.push(`    ${actions}: ${names.length} (${names.slice(0, 6).join(", ")}${names.length > 6 ? ", ..." : ""})`);
    for (const [group, plural, what] of [
        ["policies.kyverno.io/v1alpha1", "validatingpolicies", "Kyverno ValidatingPolicy"],
        ["templates.gatekeeper.sh/v1", "constrainttemplates", "Gatekeeper ConstraintTemplate"],
    ]) {
        const answer = await plane.request("GET", `/apis/${group}/${plural}`);
        if (answer.status === 200) lines.push(`  ${what}: ${(answer.body?.items ?? []).length}`);
    }
    const mutating = ((await plane.request("GET", "/apis/admissionregistration.k8s.io/v1/mutatingadmissionpolicies")).body?.items ?? []) as any[];
    if (mutating.length > 0) lines.push(`  safe defaults (native MutatingAdmissionPolicy): ${mutating.map((policy) => policy.metadata.name).join(", ")}`);
    // A guardrail may report the same resource more than once (one line per finding): list each once.
    const seen = new Set<string>();
    const violations = policyViolations(pulumiOutput).filter((violation) => {
        const key = `${violation.level} ${violation.guardrail} ${violation.resource}`;
        return !seen.has(key) && seen.add(key) !== undefined;
    });
    lines.push(`  guardrail results from the policy pack: ${violations.length === 0 ? "no violations" : `${violations.length} violation(s)`}`);
    for (const violation of violations) lines.push(`    [${violation.level}] ${violation.guardrail} (${violation.resource})`);
    return `${lines.join("\n")}\n`;
}

export function requireStack(stack: string | undefined): string {
    const name = stack ?? "dev";
    if (!/^[a-z0-9-]+$/.test(name)) throw new CliError(`--stack must be a stack name such as dev (got ${JSON.stringify(name)})`);
    return name;
}
