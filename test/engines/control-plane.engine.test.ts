// Engine test: the local control plane `bulwark up --local` runs (cli/local/controlPlane.ts), on its
// own: with kube-controller-manager a deleted namespace really goes away with its contents (what
// `pulumi destroy` needs), and a persistent, detached control plane outlives its starter, is found
// again from its state folder, keeps its data across a restart, and stops by its recorded pids.

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { attachControlPlane, readRecord, startControlPlane, stopRecordedControlPlane } from "../../cli/local/controlPlane";
import { ApiServer, startApiServer } from "./harness/apiserver";
import { ensureEngines, skipOrFail } from "./harness/engines";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitGone(api: ApiServer, apiVersion: string, kind: string, name: string, namespace?: string, timeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
        if ((await api.get(apiVersion, kind, name, namespace)).status === 404) return Date.now() - started;
        await sleep(500);
    }
    throw new Error(`${kind} ${name} still exists after ${timeoutMs} ms`);
}

describe("local control plane (etcd, kube-apiserver, kube-controller-manager)", function () {
    this.timeout(600_000);

    it("with kube-controller-manager, deleting a namespace removes it and its contents", async function () {
        let api: ApiServer;
        try {
            api = await startApiServer({ controllers: true });
        } catch (error) {
            skipOrFail(this, error);
        }
        try {
            assert.strictEqual((await api!.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } })).status, 201);
            assert.strictEqual((await api!.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "inside", namespace: "doomed" }, data: { a: "b" } })).status, 201);
            // Foreground deletion, as the Pulumi Kubernetes provider deletes.
            const deletion = await api!.request("DELETE", "/api/v1/namespaces/doomed", { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" });
            assert.ok(deletion.status === 200 || deletion.status === 202, JSON.stringify(deletion.body));
            const millis = await waitGone(api!, "v1", "Namespace", "doomed");
            assert.strictEqual((await api!.get("v1", "ConfigMap", "inside", "doomed")).status, 404);
            console.log(`      namespace deletion finished in ${millis} ms`);
        } finally {
            await api!.stop();
        }
    });

    it("a detached control plane is found again from its state folder, keeps its data across a restart and stops by its pids", async function () {
        let binaries: Record<"etcd" | "kube-apiserver" | "kube-controller-manager", string>;
        try {
            binaries = await ensureEngines(["etcd", "kube-apiserver", "kube-controller-manager"] as const);
        } catch (error) {
            skipOrFail(this, error);
        }
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-local-"));
        try {
            const first = await startControlPlane(binaries!, { stateDir, detached: true, controllers: true });
            assert.strictEqual((await first.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kept", namespace: "default" }, data: { a: "b" } })).status, 201);
            first.close();
            const record = readRecord(stateDir);
            assert.ok(record && Object.keys(record.pids).length === 3, JSON.stringify(record));
            const attached = await attachControlPlane(stateDir);
            assert.ok(attached, "attach to the running control plane");
            assert.strictEqual(attached.url, first.url);
            attached.close();
            assert.strictEqual(await stopRecordedControlPlane(stateDir), true);
            assert.strictEqual(await attachControlPlane(stateDir), undefined, "nothing to attach to once stopped");
            // This test process is the processes' parent, so each lingers as a zombie until Node reaps it on a
            // later tick (`bulwark down` runs in a process of its own, where init reaps them): give it 5 s.
            const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch { return true; } };
            const reapDeadline = Date.now() + 5_000;
            while (Object.values(record.pids).some((pid) => !gone(pid)) && Date.now() < reapDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
            for (const pid of Object.values(record.pids)) assert.ok(gone(pid), `pid ${pid} is gone`);
            // Started again on the same state: the data is still there, and the same token works.
            const started = Date.now();
            const second = await startControlPlane(binaries!, { stateDir, detached: true, controllers: true });
            const restart = Date.now() - started;
            try {
                assert.strictEqual(second.token, first.token);
                assert.strictEqual((await second.get("v1", "ConfigMap", "kept", "default")).status, 200);
                console.log(`      restart on existing state: ${restart} ms`);
            } finally {
                await second.stop();
            }
        } finally {
            await stopRecordedControlPlane(stateDir);
            fs.rmSync(stateDir, { recursive: true, force: true });
        }
    });
});
