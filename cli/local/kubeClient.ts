// A small client of the Kubernetes API (bearer token, the server's own CA): create, server-side
// apply and dry-run objects, resolve kinds through discovery, wait for objects. Hand-rolled on
// node:https because the tests and the local front door need only these calls and the exact
// status and body of each answer, with no client-side validation in between.
import * as fs from "fs";
import * as https from "https";

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
    /** The `Warning` headers of the answer (Pod Security and admission policies in Warn mode). */
    warnings?: string[];
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

/** A client of one API server, as its admin (a static bearer token). */
export interface KubeClient {
    /** https://127.0.0.1:<port> */
    url: string;
    /** Bearer token of the admin user (group system:masters). */
    token: string;
    /** PEM of the serving certificate (self-signed). */
    caPem: string;
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
    /** Closes the client's connections. */
    close(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function groupVersionPath(apiVersion: string): string {
    return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** A client of the API server at `url`, trusting exactly `caPem`. */
export function connectKube(url: string, token: string, caPem: string): KubeClient {
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
                        const header = res.headers.warning;
                        // A warning header is `299 - "text"`; several arrive joined by ", " or as an array.
                        const warnings = (Array.isArray(header) ? header : header === undefined ? [] : header.split(/,\s*(?=\d{3} )/)).map((warning) => warning.replace(/^\d{3}\s+\S+\s+"?|"$/g, ""));
                        resolve({ status: res.statusCode ?? 0, body: parsed as T, warnings });
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
                query: { fieldManager: "bulwark", force: "true" },
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

    return { url, token, caPem, request, resourceFor, collectionPath, apply, get, waitForResource, close: () => agent.destroy() };
}

/** A kubeconfig for the admin user, for tools that want one (the Pulumi Kubernetes provider). */
export function writeKubeconfig(file: string, url: string, token: string, caPem: string): void {
    fs.writeFileSync(
        file,
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

}
