// What the CLI tests share: `main` run in-process with its output captured, and the two sample
// manifests (a Pod that passes every guardrail, a Deployment with a privileged container).
import { main } from "../../cli/bulwark";

/** Runs `bulwark <args>` in this process and returns its exit code and everything it printed. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const captured = { stdout: "", stderr: "" };
    const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => ((captured.stdout += chunk), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => ((captured.stderr += chunk), true)) as typeof process.stderr.write;
    try {
        return { code: await main(args), ...captured };
    } finally {
        process.stdout.write = writes.stdout;
        process.stderr.write = writes.stderr;
    }
}

export const compliantPod = `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: ghcr.io/acme/app:1.0
      resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

export const privilegedDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, namespace: shop}
spec:
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0
          securityContext: {privileged: true}
`;
