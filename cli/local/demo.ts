// `bulwark demo`: a small sample application, one good workload and several bad ones, put through
// the layers that guard a cluster. First the policy pack's own policies, as CrossGuard runs them in
// `pulumi preview` (evaluated here in-process, exactly as `bulwark check` does, because the sample
// app is plain YAML, not a Pulumi program); then the real API server of `bulwark up --local`, where
// Pod Security Admission and the stack's admission policies answer.
import * as path from "path";
import { checkObjects, CheckViolation } from "../check";
import { CliError } from "../errors";
import { defaultStackConfigPath, readStackSettings } from "../stackConfig";
import { attachControlPlane } from "./controlPlane";
import { KubeObject } from "./kubeClient";
import { repositoryRoot } from "./engines";

const digest = `sha256:${"4f".repeat(32)}`;

/** The sample app in a tenant namespace, with images from the stack's first allowed registry. */
export function demoApp(namespace: string, registry: string): { object: KubeObject; expectation: string }[] {
    const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    const pod = (name: string, container: Record<string, unknown>, podSecurity: Record<string, unknown> = { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } }): KubeObject => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { app: "storefront-demo" } },
        spec: {
            securityContext: podSecurity,
            containers: [{ name: "app", image: `${registry}/storefront:1.4.2@${digest}`, resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } }, securityContext: restricted, ...container }],
        },
    });
    return [
        { object: pod("storefront", {}), expectation: "good: passes every layer" },
        { object: pod("debug-shell", { securityContext: { ...restricted, privileged: true, allowPrivilegeEscalation: true } }), expectation: "privileged container" },
        { object: pod("nightly", { image: `${registry}/storefront:latest` }), expectation: "unpinned :latest image" },
        { object: pod("legacy-root", { securityContext: { capabilities: { drop: ["ALL"] } } }, {}), expectation: "may run as root, escalate, no seccomp" },
        {
            object: { apiVersion: "v1", kind: "Service", metadata: { name: "storefront-public", namespace }, spec: { type: "NodePort", selector: { app: "storefront-demo" }, ports: [{ port: 80 }] } },
            expectation: "NodePort outside the namespaces allowed to expose",
        },
    ];
}

/** Which layer answered, from the API server's message. */
export function layerOf(message: string): string {
    if (/violates PodSecurity/.test(message)) return "Pod Security Admission";
    if (/ValidatingAdmissionPolicy/.test(message)) return "admission policy (ValidatingAdmissionPolicy)";
    if (/admission webhook/.test(message)) return "admission webhook";
    return "API server";
}

const short = (text: string, width = 150) => (text.length > width ? `${text.slice(0, width - 3)}...` : text);

export async function demo(options: { stack: string; stateDir?: string; out?: NodeJS.WritableStream }): Promise<number> {
    const out = options.out ?? process.stdout;
    const clusterDir = path.join(options.stateDir ?? path.join(repositoryRoot, ".bulwark", "local"), "cluster");
    const plane = await attachControlPlane(clusterDir);
    if (plane === undefined) throw new CliError("no local control plane is running: run `npm start` (bulwark up --local) first");
    try {
        const settings = readStackSettings(defaultStackConfigPath(options.stack), options.stack);
        const tenant = settings.tenants[0]?.name;
        if (tenant === undefined) throw new CliError(`stack ${options.stack} declares no tenant namespace to run the demo in`);
        const app = demoApp(tenant, settings.policy.images.allowedRegistries[0]);
        const preview = checkObjects(
            app.map(({ object }, index) => ({ file: "demo", documentIndex: String(index), object: object as unknown as Record<string, unknown> })),
            { settings },
        );
        out.write(`demo: the sample app in tenant namespace ${tenant} (stack ${options.stack}, enforcement ${settings.enforcement})\n`);
        for (const [index, { object, expectation }] of app.entries()) {
            const name = `${object.kind}/${object.metadata?.name}`;
            out.write(`\n${name} (${expectation})\n`);
            const found: CheckViolation[] = preview.filter((violation) => violation.documentIndex === String(index));
            if (found.length === 0) out.write("  CrossGuard (preview): no violation\n");
            for (const violation of found) out.write(`  CrossGuard (preview): [${violation.enforcementLevel}] ${violation.guardrail}: ${short(violation.message)}\n`);
            const answer = await plane.apply(object, { serverSide: true });
            if (answer.status >= 200 && answer.status < 300) {
                out.write(`  API server: admitted${answer.warnings?.length ? " with warnings" : ""}\n`);
            } else {
                const message = String(answer.body?.message ?? JSON.stringify(answer.body));
                out.write(`  API server: REJECTED by ${layerOf(message)}: ${short(message, 400)}\n`);
            }
            for (const warning of answer.warnings ?? []) out.write(`    warning (${/PodSecurity/.test(warning) ? "Pod Security Admission" : "admission policy"}): ${short(warning)}\n`);
        }
        out.write(`\nWith enforcement ${settings.enforcement}, mandatory CrossGuard violations stop \`pulumi preview\`; advisory ones and admission warnings are reported only.\n`);
        return 0;
    } finally {
        plane.close();
    }
}
