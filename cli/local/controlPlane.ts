// A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver and, on request,
// kube-controller-manager (garbage collection and namespace deletion; no nodes, no scheduler).
// `bulwark up --local` runs it with its state under .bulwark/local/ and leaves it running; the engine
// test tier (test/engines/harness/apiserver.ts) runs throw-away ones in temporary directories.
//
//   const plane = await startControlPlane(binaries, { stateDir, persistent: true, controllers: true });
//   const res = await plane.apply(pod, { dryRun: true });   // POST, ?dryRun=All
//   await plane.stop();
//
// Admission is the default kube-apiserver plugin set (so PodSecurity and
// ValidatingAdmissionPolicy are on) minus ServiceAccount, which would need the
// token controller.  Authentication is a static bearer token for an admin in
// group system:masters; authorization is RBAC.
//
// A throw-away control plane is also stopped when the Node process exits or gets
// SIGINT/SIGTERM/SIGHUP, and each engine runs under a tiny bash watchdog that
// kills it if this Node process disappears (even by SIGKILL). A persistent one
// (`detached`) outlives the process; `bulwark down` stops it by its recorded pids.


import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ApiResponse, ApplyOptions, connectKube, KubeClient, KubeObject, RequestOptions, ResourceInfo, writeKubeconfig } from "./kubeClient";
import { freePorts, httpGetStatus, installCleanup, running, Running, spawnEngine, stopProcs, waitUntil } from "./processes";

export type { ApiResponse, ApplyOptions, KubeClient, KubeObject, RequestOptions, ResourceInfo };

export interface ApiServer extends KubeClient {
    /** A kubeconfig for the admin user, for tools that want one. */
    kubeconfigPath: string;
    /** etcd client URL. */
    etcdUrl: string;
    /** The state directory: etcd data, keys, logs (a temporary one is removed by stop()). */
    dir: string;
    /** Stops the engines (and removes a temporary state directory). Idempotent. */
    stop(): Promise<void>;
}

/** The binaries a control plane runs; kube-controller-manager only when `controllers` is asked for. */
export interface ControlPlaneBinaries {
    readonly etcd: string;
    readonly "kube-apiserver": string;
    readonly "kube-controller-manager"?: string;
}

export interface StartOptions {
    /** Extra kube-apiserver flags (--name=value). */
    extraApiServerArgs?: string[] | undefined;
    /** How long to wait for /readyz (default 180 s). */
    readyTimeoutMs?: number | undefined;
    /** Where state lives; kept across starts. @default a new temporary directory, removed by stop() */
    stateDir?: string | undefined;
    /** The engines outlive this process (no watchdog); their pids go to <stateDir>/control-plane.json. @default false */
    detached?: boolean | undefined;
    /** Also run kube-controller-manager (namespace deletion, garbage collection). @default false */
    controllers?: boolean | undefined;
    /** Keep a failed temporary start's logs for a post-mortem. @default true */
    keepLogsOnFailure?: boolean | undefined;
}

/** What a detached control plane records, so later commands can reach and stop it. */
export interface ControlPlaneRecord {
    readonly url: string;
    readonly etcdUrl: string;
    readonly ports: { readonly etcdClient: number; readonly etcdPeer: number; readonly apiServer: number };
    readonly pids: Record<string, number>;
}

export const recordFile = (stateDir: string) => path.join(stateDir, "control-plane.json");

/** Starts etcd + kube-apiserver (+ kube-controller-manager) and waits until /readyz is ok. */
export async function startControlPlane(bins: ControlPlaneBinaries, opts: StartOptions = {}): Promise<ApiServer> {
    if (!opts.detached) installCleanup();
    for (let attempt = 1; ; attempt++) {
        try {
            return await startOnce(bins, opts);
        } catch (err) {
            // A free port can be taken by someone else before etcd/kube-apiserver bind it.
            const raced = err instanceof Error && /address already in use/i.test(err.message);
            if (!raced || attempt >= 3) throw err;
        }
    }
}

async function startOnce(bins: ControlPlaneBinaries, opts: StartOptions): Promise<ApiServer> {
    const temporary = opts.stateDir === undefined;
    const dir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-apiserver-"));
    fs.mkdirSync(dir, { recursive: true });
    const entry: Running = { procs: [], dir };
    if (temporary) running.add(entry);
    try {
        return await start(bins, dir, entry, opts, temporary);
    } catch (err) {
        await stopProcs(entry.procs);
        running.delete(entry);
        if (temporary && opts.keepLogsOnFailure === false) fs.rmSync(dir, { recursive: true, force: true });
        else process.stderr.write(`control plane: start failed; logs kept in ${dir}\n`);
        throw err;
    }
}

/** Reads a file, or writes what `make` returns first (state that must survive restarts). */
function keep(file: string, make: () => string, mode = 0o600): string {
    if (!fs.existsSync(file)) fs.writeFileSync(file, make(), { mode });
    return fs.readFileSync(file, "utf8");
}

async function start(bins: ControlPlaneBinaries, dir: string, entry: Running, opts: StartOptions, temporary: boolean): Promise<ApiServer> {
    const detached = opts.detached === true;
    const previous = temporary ? undefined : readRecord(dir);
    // A persistent control plane keeps its ports when they are free, so its kubeconfig stays valid.
    const [etcdClientPort, etcdPeerPort, port] = previous !== undefined && (await portsFree([previous.ports.etcdClient, previous.ports.etcdPeer, previous.ports.apiServer]))
        ? [previous.ports.etcdClient, previous.ports.etcdPeer, previous.ports.apiServer]
        : ((await freePorts(3)) as [number, number, number]);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcdLog = path.join(dir, "etcd.log");
    const etcd = spawnEngine(
        bins.etcd,
        [
            "--name=bulwark",
            `--data-dir=${path.join(dir, "etcd-data")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=${etcdPeerUrl}`,
            `--initial-advertise-peer-urls=${etcdPeerUrl}`,
            `--initial-cluster=bulwark=${etcdPeerUrl}`,
            "--initial-cluster-state=new",
            "--unsafe-no-fsync", // local, disposable data: skip fsyncs, much faster on CI disks
            "--log-level=warn",
        ],
        etcdLog,
        dir,
        detached,
    );
    entry.procs.push(etcd);
    await waitUntil("etcd /health", async () => (await httpGetStatus(`${etcdUrl}/health`)) === 200, [{ name: "etcd", proc: etcd, log: etcdLog }], 60_000);

    // --- credentials (kept in a persistent state directory, so a restart keeps its clients valid)
    const tokenFile = path.join(dir, "tokens.csv");
    const token = keep(tokenFile, () => `${crypto.randomBytes(24).toString("hex")},bulwark-admin,bulwark-admin-uid,"system:masters"\n`).split(",")[0];
    const saKey = path.join(dir, "sa.key");
    const saPub = path.join(dir, "sa.pub");
    if (!fs.existsSync(saKey) || !fs.existsSync(saPub)) {
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
        fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    }
    // Serving cert: kube-apiserver generates a self-signed one for
    // 127.0.0.1/localhost into --cert-dir when no --tls-cert-file is given.
    const certDir = path.join(dir, "certs");

    // --- kube-apiserver
    const url = `https://127.0.0.1:${port}`;
    const apiLog = path.join(dir, "kube-apiserver.log");
    const api = spawnEngine(
        bins["kube-apiserver"],
        [
            `--etcd-servers=${etcdUrl}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${port}`,
            `--cert-dir=${certDir}`,
            `--token-auth-file=${tokenFile}`,
            "--authorization-mode=RBAC",
            "--disable-admission-plugins=ServiceAccount",
            "--allow-privileged=true", // else privileged Pods fail validation before PodSecurity sees them
            "--service-cluster-ip-range=10.0.0.0/24", // a config value only; nothing is routed
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${saPub}`,
            `--service-account-signing-key-file=${saKey}`,
            "--api-audiences=https://kubernetes.default.svc.cluster.local",
            "--profiling=false",
            "--endpoint-reconciler-type=none",
            "--v=1",
            ...(opts.extraApiServerArgs ?? []),
        ],
        apiLog,
        dir,
        detached,
    );
    entry.procs.push(api);

    const procs = [
        { name: "etcd", proc: etcd, log: etcdLog },
        { name: "kube-apiserver", proc: api, log: apiLog },
    ];
    const certFile = path.join(certDir, "apiserver.crt");
    await waitUntil("the kube-apiserver serving certificate", async () => fs.existsSync(certFile), procs, 60_000);
    const caPem = fs.readFileSync(certFile, "utf8");
    const client = connectKube(url, token, caPem);
    await waitUntil(
        "kube-apiserver /readyz",
        async () => {
            try {
                return (await client.request("GET", "/readyz")).status === 200;
            } catch {
                return false;
            }
        },
        procs,
        opts.readyTimeoutMs ?? 180_000,
    );
    const kubeconfigPath = path.join(dir, "kubeconfig");
    writeKubeconfig(kubeconfigPath, url, token, caPem);

    // --- kube-controller-manager: only the controllers deletion needs (namespace lifecycle and the
    // garbage collector, which also finishes foreground deletion); no nodes exist to manage.
    const controllerManager = opts.controllers ? bins["kube-controller-manager"] : undefined;
    if (opts.controllers && controllerManager === undefined) throw new Error("controllers: true needs the kube-controller-manager binary");
    if (controllerManager !== undefined) {
        const kcmLog = path.join(dir, "kube-controller-manager.log");
        const kcm = spawnEngine(
            controllerManager,
            [
                `--kubeconfig=${kubeconfigPath}`,
                "--controllers=namespace-controller,garbage-collector-controller",
                "--leader-elect=false",
                "--secure-port=0", // serves nothing; it only talks to the API server
                `--service-account-private-key-file=${saKey}`,
                "--v=1",
            ],
            kcmLog,
            dir,
            detached,
        );
        entry.procs.push(kcm);
        // It has no health endpoint without serving: give it a moment to fail on bad flags.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await waitUntil("kube-controller-manager to start", async () => true, [{ name: "kube-controller-manager", proc: kcm, log: kcmLog }], 1000);
    }

    if (detached) {
        const record: ControlPlaneRecord = {
            url,
            etcdUrl,
            ports: { etcdClient: etcdClientPort, etcdPeer: etcdPeerPort, apiServer: port },
            pids: Object.fromEntries(entry.procs.map((proc, index) => [["etcd", "kube-apiserver", "kube-controller-manager"][index], proc.pid ?? 0])),
        };
        fs.writeFileSync(recordFile(dir), `${JSON.stringify(record, null, 2)}\n`);
    }

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
        stopping ??= (async () => {
            client.close();
            await stopProcs(entry.procs);
            running.delete(entry);
            if (temporary) fs.rmSync(dir, { recursive: true, force: true });
            else fs.rmSync(recordFile(dir), { force: true });
        })();
        return stopping;
    };
    return { ...client, kubeconfigPath, etcdUrl, dir, stop };
}

async function portsFree(ports: readonly number[]): Promise<boolean> {
    for (const port of ports) if ((await httpGetStatus(`http://127.0.0.1:${port}/`)) !== 0) return false;
    return true;
}

export function readRecord(stateDir: string): ControlPlaneRecord | undefined {
    try {
        return JSON.parse(fs.readFileSync(recordFile(stateDir), "utf8")) as ControlPlaneRecord;
    } catch {
        return undefined;
    }
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/**
 * The detached control plane recorded in `stateDir`, when all its engines still run and it answers
 * /readyz; undefined otherwise (then start a new one on the same state).
 */
export async function attachControlPlane(stateDir: string): Promise<ApiServer | undefined> {
    const record = readRecord(stateDir);
    if (record === undefined || !Object.values(record.pids).every((pid) => pid > 0 && alive(pid))) return undefined;
    const token = fs.readFileSync(path.join(stateDir, "tokens.csv"), "utf8").split(",")[0];
    const caPem = fs.readFileSync(path.join(stateDir, "certs", "apiserver.crt"), "utf8");
    const client = connectKube(record.url, token, caPem);
    try {
        if ((await client.request("GET", "/readyz")).status !== 200) throw new Error("not ready");
    } catch {
        client.close();
        return undefined;
    }
    const stop = async () => {
        client.close();
        await stopRecordedControlPlane(stateDir);
    };
    return { ...client, kubeconfigPath: path.join(stateDir, "kubeconfig"), etcdUrl: record.etcdUrl, dir: stateDir, stop };
}

/** Stops the engines recorded in `stateDir` (each runs in its own process group); true if any ran. */
export async function stopRecordedControlPlane(stateDir: string): Promise<boolean> {
    const record = readRecord(stateDir);
    if (record === undefined) return false;
    const pids = Object.values(record.pids).filter((pid) => pid > 0 && alive(pid));
    // Controllers first, etcd last, as a cluster is taken down.
    for (const pid of [...pids].reverse()) {
        try {
            process.kill(-pid, "SIGTERM");
        } catch {
            /* already gone */
        }
    }
    const deadline = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of pids.filter(alive)) process.kill(-pid, "SIGKILL");
    fs.rmSync(recordFile(stateDir), { force: true });
    return pids.length > 0;
}
