// A real, throw-away Kubernetes API server for engine tests: etcd plus
// kube-apiserver (no controllers, no nodes, no scheduler), both bound to
// 127.0.0.1 on free ports, with all state in one mkdtemp directory.
//
//   const api = await startApiServer();
//   const res = await api.apply(pod, { dryRun: true });   // POST, ?dryRun=All
//   await api.stop();
//
// Admission is the default kube-apiserver plugin set (so PodSecurity and
// ValidatingAdmissionPolicy are on) minus ServiceAccount, which would need the
// token controller.  Authentication is a static bearer token for an admin in
// group system:masters; authorization is RBAC.
//
// Every started server is also stopped when the Node process exits or gets
// SIGINT/SIGTERM/SIGHUP, and each engine runs under a tiny bash watchdog that
// kills it if this Node process disappears (even by SIGKILL).

import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { EngineUnavailableError, ensureEngines, isCI } from "./engines";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string | undefined; generateName?: string | undefined; namespace?: string | undefined; [k: string]: unknown };
    [k: string]: unknown;
}

export interface ApiResponse<T = any> {
    status: number;
    /** Parsed JSON body; the raw text if the body is not JSON. */
    body: T;
}

export interface RequestOptions {
    /** Server-side dry run: adds ?dryRun=All. */
    dryRun?: boolean | undefined;
    /** Content-Type for bodies (default application/json). */
    contentType?: string | undefined;
    /** Extra query parameters. */
    query?: Record<string, string> | undefined;
}

export interface ApplyOptions {
    dryRun?: boolean | undefined;
    /** Namespace for namespaced objects without metadata.namespace (default "default"). */
    namespace?: string | undefined;
    /**
     * Use server-side apply (PATCH application/apply-patch+yaml, force) instead
     * of a POST create; needs metadata.name.
     */
    serverSide?: boolean | undefined;
}

export interface ResourceInfo {
    /** Plural resource name, e.g. "pods". */
    name: string;
    namespaced: boolean;
    kind: string;
    groupVersion: string;
}

export interface ApiServer {
    /** https://127.0.0.1:<port> */
    url: string;
    /** Bearer token of the admin user (group system:masters). */
    token: string;
    /** PEM of the serving certificate (self-signed). */
    caPem: string;
    /** A kubeconfig for the admin user, for tools that want one. */
    kubeconfigPath: string;
    /** etcd client URL. */
    etcdUrl: string;
    /** Temporary directory holding etcd data, keys, logs. Removed by stop(). */
    dir: string;
    request<T = any>(method: string, urlPath: string, body?: unknown, opts?: RequestOptions): Promise<ApiResponse<T>>;
    /** Resolves a kind to its resource via API discovery (works for CRDs). */
    resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo>;
    /** Collection path (for POST) of an object's kind. */
    collectionPath(obj: KubeObject, namespace?: string): Promise<string>;
    /** Creates obj (POST to its collection) or server-side applies it. */
    apply<T = any>(obj: KubeObject, opts?: ApplyOptions): Promise<ApiResponse<T>>;
    /** GET an object; status 404 if it does not exist. */
    get<T = any>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<ApiResponse<T>>;
    /** Polls until the object exists (and predicate holds). Returns it. */
    waitForResource<T = any>(
        apiVersion: string,
        kind: string,
        name: string,
        opts?: { namespace?: string | undefined; timeoutMs?: number | undefined; predicate?: ((obj: T) => boolean) | undefined },
    ): Promise<T>;
    /** Kills both processes and removes the temp dir. Idempotent. */
    stop(): Promise<void>;
}

export interface StartOptions {
    /** Extra kube-apiserver flags (--name=value). */
    extraApiServerArgs?: string[] | undefined;
    /** How long to wait for /readyz (default 180 s). */
    readyTimeoutMs?: number | undefined;
}

// ---------------------------------------------------------------------------
// process bookkeeping and cleanup

interface Running {
    procs: ChildProcess[];
    dir: string;
}
const running = new Set<Running>();
let cleanupInstalled = false;

function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
    if (p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
    try {
        process.kill(-p.pid, signal); // detached => own process group
    } catch {
        try {
            p.kill(signal);
        } catch {
            /* already gone */
        }
    }
}

function cleanupSync(): void {
    for (const r of running) {
        for (const p of r.procs) killGroup(p, "SIGKILL");
        try {
            fs.rmSync(r.dir, { recursive: true, force: true });
        } catch {
            /* best effort */
        }
    }
    running.clear();
}

function installCleanup(): void {
    if (cleanupInstalled) return;
    cleanupInstalled = true;
    process.on("exit", cleanupSync);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        const handler = (): void => {
            cleanupSync();
            process.removeListener(sig, handler);
            // If nobody else (e.g. mocha) handles the signal, die of it as usual.
            if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
        };
        process.on(sig, handler);
    }
}

// Runs "$@" and kills it when the parent Node process ($1) is gone; then, if
// the parent is gone, also removes the run's temp dir ($2).  "Gone" is checked
// as "this watchdog was re-parented" (works even while the dead parent is an
// unreaped zombie), falling back to kill -0 where /proc is unavailable.
const WATCHDOG = [
    "parent=$1; dir=$2; shift 2",
    "parent_alive() {",
    '  if [ -r /proc/$$/stat ]; then read -r _ _ _ pp _ < /proc/$$/stat; [ "$pp" = "$parent" ];',
    '  else kill -0 "$parent" 2>/dev/null; fi',
    "}",
    '"$@" & child=$!',
    "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT HUP",
    'while parent_alive && kill -0 "$child" 2>/dev/null; do sleep 1; done',
    'kill -TERM "$child" 2>/dev/null',
    'wait "$child"; rc=$?',
    'if ! parent_alive; then sleep 2; rm -rf -- "$dir"; fi',
    "exit $rc",
].join("\n");

function spawnEngine(bin: string, args: string[], logFile: string, dir: string): ChildProcess {
    const fd = fs.openSync(logFile, "a");
    try {
        return spawn("bash", ["-c", WATCHDOG, "bulwark-engine-watchdog", String(process.pid), dir, bin, ...args], {
            detached: true,
            stdio: ["ignore", fd, fd],
        });
    } finally {
        fs.closeSync(fd);
    }
}

function exited(p: ChildProcess): Promise<void> {
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => p.once("exit", () => resolve()));
}

async function stopProcs(procs: ChildProcess[]): Promise<void> {
    for (const p of procs) killGroup(p, "SIGTERM");
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10_000).unref());
    if ((await Promise.race([Promise.all(procs.map(exited)), timeout])) === "timeout") {
        for (const p of procs) killGroup(p, "SIGKILL");
        await Promise.all(procs.map(exited));
    }
}

// ---------------------------------------------------------------------------
// helpers

/** n distinct free loopback ports (all held open until all are found). */
async function freePorts(n: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        const ports: number[] = [];
        for (let i = 0; i < n; i++) {
            const srv = net.createServer();
            servers.push(srv);
            ports.push(
                await new Promise<number>((resolve, reject) => {
                    srv.once("error", reject);
                    srv.listen(0, "127.0.0.1", () => {
                        const addr = srv.address();
                        if (typeof addr === "object" && addr) resolve(addr.port);
                        else reject(new Error("no port"));
                    });
                }),
            );
        }
        return ports;
    } finally {
        await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 40): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

function httpGetStatus(url: string): Promise<number> {
    return new Promise((resolve) => {
        const req = http.get(url, { timeout: 2000 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** Throws if proc exits while waiting; polls check() until it is true. */
async function waitUntil(
    what: string,
    check: () => Promise<boolean>,
    procs: { name: string; proc: ChildProcess; log: string }[],
    timeoutMs: number,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        for (const { name, proc, log } of procs) {
            if (proc.exitCode !== null || proc.signalCode !== null) {
                throw new EngineUnavailableError(
                    `${name} exited (${proc.signalCode ?? `code ${proc.exitCode}`}) while waiting for ${what}; ` + `last lines of ${log}:\n${tail(log)}`,
                );
            }
        }
        if (await check()) return;
        if (Date.now() > deadline) {
            const logs = procs.map(({ name, log }) => `--- ${name} (${log}):\n${tail(log, 20)}`).join("\n");
            throw new EngineUnavailableError(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs}`);
        }
        await sleep(250);
    }
}

function groupVersionPath(apiVersion: string): string {
    return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

// ---------------------------------------------------------------------------

/** Starts etcd + kube-apiserver and waits until /readyz is ok. */
export async function startApiServer(opts: StartOptions = {}): Promise<ApiServer> {
    const bins = await ensureEngines(["etcd", "kube-apiserver"] as const);
    installCleanup();
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

async function startOnce(bins: Record<"etcd" | "kube-apiserver", string>, opts: StartOptions): Promise<ApiServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-apiserver-"));
    const entry: Running = { procs: [], dir };
    running.add(entry);
    try {
        return await start(bins, dir, entry, opts);
    } catch (err) {
        await stopProcs(entry.procs);
        running.delete(entry);
        // Keep the logs for a post-mortem unless we are in CI.
        if (!isCI()) {
            // eslint-disable-next-line no-console
            console.warn(`apiserver harness: start failed; logs kept in ${dir}`);
        } else {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        throw err;
    }
}

async function start(bins: Record<"etcd" | "kube-apiserver", string>, dir: string, entry: Running, opts: StartOptions): Promise<ApiServer> {
    // --- etcd
    const [etcdClientPort, etcdPeerPort, port] = (await freePorts(3)) as [number, number, number];
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
            "--unsafe-no-fsync", // throw-away data: skip fsyncs, much faster on CI disks
            "--log-level=warn",
        ],
        etcdLog,
        dir,
    );
    entry.procs.push(etcd);
    await waitUntil("etcd /health", async () => (await httpGetStatus(`${etcdUrl}/health`)) === 200, [{ name: "etcd", proc: etcd, log: etcdLog }], 60_000);

    // --- credentials
    const token = crypto.randomBytes(24).toString("hex");
    const tokenFile = path.join(dir, "tokens.csv");
    fs.writeFileSync(tokenFile, `${token},bulwark-admin,bulwark-admin-uid,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = path.join(dir, "sa.key");
    const saPub = path.join(dir, "sa.pub");
    fs.writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
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
    );
    entry.procs.push(api);

    const procs = [
        { name: "etcd", proc: etcd, log: etcdLog },
        { name: "kube-apiserver", proc: api, log: apiLog },
    ];
    const certFile = path.join(certDir, "apiserver.crt");
    await waitUntil("the kube-apiserver serving certificate", async () => fs.existsSync(certFile), procs, 60_000);
    const caPem = fs.readFileSync(certFile, "utf8");
    const agent = new https.Agent({ ca: caPem, keepAlive: true, maxSockets: 8 });

    const request = <T = any>(method: string, urlPath: string, body?: unknown, ropts: RequestOptions = {}): Promise<ApiResponse<T>> => {
        const u = new URL(urlPath, url);
        if (ropts.dryRun) u.searchParams.set("dryRun", "All");
        for (const [k, v] of Object.entries(ropts.query ?? {})) u.searchParams.set(k, v);
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = https.request(
                u,
                {
                    method,
                    agent,
                    headers: {
                        Authorization: `Bearer ${token}`,
                        Accept: "application/json",
                        ...(payload !== undefined
                            ? {
                                  "Content-Type": ropts.contentType ?? "application/json",
                                  "Content-Length": Buffer.byteLength(payload),
                              }
                            : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: any = text;
                        try {
                            parsed = text === "" ? undefined : JSON.parse(text);
                        } catch {
                            /* not JSON: keep the text */
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed as T });
                    });
                    res.on("error", reject);
                },
            );
            req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${u.pathname}: timed out`)));
            req.on("error", reject);
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    };

    await waitUntil(
        "kube-apiserver /readyz",
        async () => {
            try {
                return (await request("GET", "/readyz")).status === 200;
            } catch {
                return false;
            }
        },
        procs,
        opts.readyTimeoutMs ?? 180_000,
    );

    // --- discovery
    const discovery = new Map<string, ResourceInfo[]>();
    const fetchGroupVersion = async (apiVersion: string): Promise<ResourceInfo[]> => {
        const res = await request("GET", groupVersionPath(apiVersion));
        if (res.status !== 200) return [];
        const list: ResourceInfo[] = (res.body.resources ?? [])
            .filter((r: { name: string }) => !r.name.includes("/"))
            .map((r: { name: string; namespaced: boolean; kind: string }) => ({
                name: r.name,
                namespaced: r.namespaced,
                kind: r.kind,
                groupVersion: apiVersion,
            }));
        discovery.set(apiVersion, list);
        return list;
    };
    const resourceFor = async (apiVersion: string, kind: string): Promise<ResourceInfo> => {
        const find = (l: ResourceInfo[] | undefined): ResourceInfo | undefined => l?.find((r) => r.kind === kind);
        // Cached first; on a miss re-discover (a CRD may have just been established).
        const hit = find(discovery.get(apiVersion)) ?? find(await fetchGroupVersion(apiVersion));
        if (!hit) throw new Error(`no resource for ${kind} in ${apiVersion} (API discovery)`);
        return hit;
    };
    const collectionPath = async (obj: KubeObject, namespace?: string): Promise<string> => {
        const r = await resourceFor(obj.apiVersion, obj.kind);
        const base = groupVersionPath(obj.apiVersion);
        if (!r.namespaced) return `${base}/${r.name}`;
        const ns = obj.metadata?.namespace ?? namespace ?? "default";
        return `${base}/namespaces/${encodeURIComponent(ns)}/${r.name}`;
    };
    const objectPath = async (apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> =>
        `${await collectionPath({ apiVersion, kind, metadata: { namespace } }, namespace)}/${encodeURIComponent(name)}`;

    const apply = async <T = any>(obj: KubeObject, aopts: ApplyOptions = {}): Promise<ApiResponse<T>> => {
        if (aopts.serverSide) {
            const name = obj.metadata?.name;
            if (!name) throw new Error("server-side apply needs metadata.name");
            const p = await objectPath(obj.apiVersion, obj.kind, name, obj.metadata?.namespace ?? aopts.namespace);
            return request<T>("PATCH", p, obj, {
                dryRun: aopts.dryRun,
                contentType: "application/apply-patch+yaml",
                query: { fieldManager: "bulwark-engine-test", force: "true" },
            });
        }
        return request<T>("POST", await collectionPath(obj, aopts.namespace), obj, { dryRun: aopts.dryRun });
    };

    const get = async <T = any>(apiVersion: string, kind: string, name: string, namespace?: string) =>
        request<T>("GET", await objectPath(apiVersion, kind, name, namespace));

    const waitForResource = async <T = any>(
        apiVersion: string,
        kind: string,
        name: string,
        wopts: { namespace?: string | undefined; timeoutMs?: number | undefined; predicate?: ((obj: T) => boolean) | undefined } = {},
    ): Promise<T> => {
        const deadline = Date.now() + (wopts.timeoutMs ?? 60_000);
        let last = "not tried";
        for (;;) {
            try {
                const res = await get<T>(apiVersion, kind, name, wopts.namespace);
                if (res.status === 200 && (!wopts.predicate || wopts.predicate(res.body))) return res.body;
                last = `HTTP ${res.status}`;
            } catch (err) {
                last = err instanceof Error ? err.message : String(err);
            }
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${kind} ${name}: ${last}`);
            await sleep(250);
        }
    };

    const kubeconfigPath = path.join(dir, "kubeconfig");
    fs.writeFileSync(
        kubeconfigPath,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [
                {
                    name: "bulwark",
                    cluster: { server: url, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
                },
            ],
            users: [{ name: "bulwark-admin", user: { token } }],
            contexts: [{ name: "bulwark", context: { cluster: "bulwark", user: "bulwark-admin" } }],
            "current-context": "bulwark",
        }),
        { mode: 0o600 },
    );

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
        stopping ??= (async () => {
            agent.destroy();
            await stopProcs(entry.procs);
            running.delete(entry);
            fs.rmSync(dir, { recursive: true, force: true });
        })();
        return stopping;
    };

    return {
        url,
        token,
        caPem,
        kubeconfigPath,
        etcdUrl,
        dir,
        request,
        resourceFor,
        collectionPath,
        apply,
        get,
        waitForResource,
        stop,
    };
}
