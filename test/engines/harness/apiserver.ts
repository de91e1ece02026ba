// The engine tier's throw-away API server: the product's local control plane
// (cli/local/controlPlane.ts) in a temporary directory, on free ports, stopped
// with the test process. Engines come through this tier's engines.ts, so under
// CI=true a missing engine fails the tier and elsewhere the caller may skip.
//
//   const api = await startApiServer();
//   const res = await api.apply(pod, { dryRun: true });   // POST, ?dryRun=All
//   await api.stop();

import { ApiServer, StartOptions, startControlPlane } from "../../../cli/local/controlPlane";
import { ensureEngines, isCI } from "./engines";

export type { ApiResponse, ApiServer, ApplyOptions, KubeObject, RequestOptions, ResourceInfo, StartOptions } from "../../../cli/local/controlPlane";

/** Starts etcd + kube-apiserver (+ kube-controller-manager with `controllers: true`) and waits until /readyz is ok. */
export async function startApiServer(opts: Omit<StartOptions, "stateDir" | "detached"> = {}): Promise<ApiServer> {
    const bins = opts.controllers ? await ensureEngines(["etcd", "kube-apiserver", "kube-controller-manager"] as const) : await ensureEngines(["etcd", "kube-apiserver"] as const);
    // Keep a failed start's logs for a post-mortem unless we are in CI.
    return startControlPlane(bins, { keepLogsOnFailure: !isCI(), ...opts });
}
