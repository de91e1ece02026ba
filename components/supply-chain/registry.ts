import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";

/*
 * A small OCI distribution client: tag -> digest, manifests, blobs, referrers, with Bearer/Basic
 * auth from the Docker config file, bounded concurrency and per-request timeouts. Hand-rolled:
 * the maintained npm OCI clients either shell out to a CLI or pull whole images, and
 * `@sigstore/oci` only pushes; verification needs four read-only calls with request counting.
 */

export const manifestMediaTypes = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

export interface RegistryClientOptions {
    /** Extra CA certificates (PEM) to trust for registry TLS, besides Node's defaults and NODE_EXTRA_CA_CERTS. */
    readonly ca?: string;
    /** Timeout of one request. @default 10000 */
    readonly timeoutMs?: number;
    /** Requests in flight at once. @default 8 */
    readonly concurrency?: number;
    /** Path of a Docker config.json. @default $DOCKER_CONFIG/config.json or ~/.docker/config.json */
    readonly dockerConfigFile?: string;
}

export interface RegistryResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: Buffer;
}

/** A registry could not be asked (network error, timeout, 5xx, auth failure): the caller fails closed. */
export class RegistryError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RegistryError";
    }
}

/** Basic credentials per registry host from the Docker config file (`auths.<host>.auth`). */
export function dockerCredentials(file?: string): Map<string, string> {
    const configFile = file ?? path.join(process.env["DOCKER_CONFIG"] ?? path.join(os.homedir(), ".docker"), "config.json");
    const credentials = new Map<string, string>();
    let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    try {
        config = JSON.parse(fs.readFileSync(configFile, "utf8"));
    } catch {
        return credentials;
    }
    // Credential helpers (credsStore/credHelpers) run external programs; only inline auths are read.
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
        const host = key.replace(/^https?:\/\//, "").split("/")[0].toLowerCase();
        const auth = entry.auth ?? (entry.username !== undefined ? Buffer.from(`${entry.username}:${entry.password ?? ""}`).toString("base64") : undefined);
        if (auth !== undefined) credentials.set(host === "index.docker.io" ? "docker.io" : host, auth);
    }
    return credentials;
}

/** Keeps at most `limit` tasks running. */
class Semaphore {
    private active = 0;
    private readonly waiting: (() => void)[] = [];
    constructor(private readonly limit: number) {}
    async run<T>(task: () => Promise<T>): Promise<T> {
        if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.active++;
        try {
            return await task();
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
    const [scheme, ...rest] = header.split(" ");
    const params: Record<string, string> = {};
    for (const match of rest.join(" ").matchAll(/(\w+)="([^"]*)"/g)) params[match[1]] = match[2];
    return { scheme: scheme.toLowerCase(), params };
}

export class RegistryClient {
    /** HTTP requests sent so far (the benchmark and tests read it). */
    requestCount = 0;
    private readonly agent: https.Agent;
    private readonly semaphore: Semaphore;
    private readonly timeoutMs: number;
    private readonly credentials: Map<string, string>;
    private readonly tokens = new Map<string, string>();

    constructor(options: RegistryClientOptions = {}) {
        this.timeoutMs = options.timeoutMs ?? 10000;
        this.semaphore = new Semaphore(options.concurrency ?? 8);
        // An extra CA goes into one TLS context made here. Given as `ca`, Node's agent would build a new
        // context per connection and join all ~150 root certificates into the key it computes for
        // every request (most of the cold verification time for 200 images).
        const secureContext = options.ca === undefined ? undefined : tls.createSecureContext({ ca: [...tls.rootCertificates, options.ca] });
        this.agent = new https.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 8, ...(secureContext ? { secureContext } : {}) });
        this.credentials = dockerCredentials(options.dockerConfigFile);
    }

    close(): void {
        this.agent.destroy();
    }

    private send(url: URL, method: string, headers: Record<string, string>): Promise<RegistryResponse> {
        return this.semaphore.run(
            () =>
                new Promise<RegistryResponse>((resolve, reject) => {
                    this.requestCount++;
                    const request = https.request(url, { method, headers, agent: this.agent }, (response) => {
                        const chunks: Buffer[] = [];
                        response.on("data", (chunk: Buffer) => chunks.push(chunk));
                        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
                        response.on("error", (error) => reject(new RegistryError(`${url.host}: ${error.message}`)));
                    });
                    request.setTimeout(this.timeoutMs, () => request.destroy(new RegistryError(`${url.host}: no answer within ${this.timeoutMs} ms`)));
                    request.on("error", (error) => reject(error instanceof RegistryError ? error : new RegistryError(`${url.host} unreachable: ${error.message}`)));
                    request.end();
                }),
        );
    }

    /** A registry API call with auth negotiation; follows blob redirects. */
    async request(registry: string, apiPath: string, options: { method?: string; accept?: string[]; scope: string }): Promise<RegistryResponse> {
        const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
        let url = new URL(`https://${host}${apiPath}`);
        const tokenKey = `${registry} ${options.scope}`;
        const headers = (): Record<string, string> => {
            const result: Record<string, string> = {};
            if (options.accept) result["Accept"] = options.accept.join(", ");
            const token = this.tokens.get(tokenKey);
            const basic = this.credentials.get(registry);
            if (token !== undefined) result["Authorization"] = `Bearer ${token}`;
            else if (basic !== undefined) result["Authorization"] = `Basic ${basic}`;
            return result;
        };
        let response = await this.send(url, options.method ?? "GET", headers());
        if (response.status === 401 && response.headers["www-authenticate"] !== undefined) {
            const challenge = parseChallenge(String(response.headers["www-authenticate"]));
            if (challenge.scheme === "bearer" && challenge.params["realm"] !== undefined) {
                await this.fetchToken(registry, tokenKey, challenge.params, options.scope);
                response = await this.send(url, options.method ?? "GET", headers());
            }
        }
        for (let hops = 0; hops < 3 && [301, 302, 303, 307, 308].includes(response.status) && response.headers.location; hops++) {
            url = new URL(response.headers.location, url);
            response = await this.send(url, "GET", {});
        }
        if (response.status >= 500 || response.status === 401 || response.status === 403 || response.status === 429) {
            throw new RegistryError(`${registry} answered ${response.status} for ${apiPath}`);
        }
        return response;
    }

    private async fetchToken(registry: string, tokenKey: string, params: Record<string, string>, scope: string): Promise<void> {
        const url = new URL(params["realm"]);
        if (params["service"]) url.searchParams.set("service", params["service"]);
        url.searchParams.set("scope", params["scope"] ?? scope);
        const basic = this.credentials.get(registry);
        const response = await this.send(url, "GET", basic ? { Authorization: `Basic ${basic}` } : {});
        if (response.status !== 200) throw new RegistryError(`${registry}: token endpoint answered ${response.status}`);
        const body = JSON.parse(response.body.toString("utf8")) as { token?: string; access_token?: string };
        const token = body.token ?? body.access_token;
        if (!token) throw new RegistryError(`${registry}: token endpoint returned no token`);
        this.tokens.set(tokenKey, token);
    }

    /** The digest a tag points at now (HEAD, `Docker-Content-Digest`). */
    async resolveDigest(registry: string, repository: string, tag: string): Promise<string | undefined> {
        const response = await this.request(registry, `/v2/${repository}/manifests/${tag}`, { method: "HEAD", accept: manifestMediaTypes, scope: `repository:${repository}:pull` });
        if (response.status === 404) return undefined;
        const digest = response.headers["docker-content-digest"];
        if (response.status !== 200 || typeof digest !== "string") throw new RegistryError(`${registry}/${repository}:${tag}: HEAD answered ${response.status} without a digest`);
        return digest;
    }

    /** A manifest by tag or digest, or undefined when there is none. A digest reference is checked against the bytes. */
    async manifest(registry: string, repository: string, reference: string): Promise<{ body: Buffer; mediaType: string } | undefined> {
        const response = await this.request(registry, `/v2/${repository}/manifests/${reference}`, { accept: manifestMediaTypes, scope: `repository:${repository}:pull` });
        if (response.status === 404) return undefined;
        if (response.status !== 200) throw new RegistryError(`${registry}/${repository}: manifest ${reference} answered ${response.status}`);
        if (reference.startsWith("sha256:")) assertDigest(response.body, reference, `manifest ${reference}`);
        return { body: response.body, mediaType: String(response.headers["content-type"] ?? "") };
    }

    /** A blob, checked against its digest. */
    async blob(registry: string, repository: string, digest: string): Promise<Buffer> {
        const response = await this.request(registry, `/v2/${repository}/blobs/${digest}`, { scope: `repository:${repository}:pull` });
        if (response.status !== 200) throw new RegistryError(`${registry}/${repository}: blob ${digest} answered ${response.status}`);
        assertDigest(response.body, digest, `blob ${digest}`);
        return response.body;
    }

    /** The OCI 1.1 referrers index of a digest, or undefined when the registry has no referrers API. */
    async referrers(registry: string, repository: string, digest: string): Promise<{ manifests?: { digest: string; artifactType?: string; mediaType?: string }[] } | undefined> {
        const response = await this.request(registry, `/v2/${repository}/referrers/${digest}`, { accept: ["application/vnd.oci.image.index.v1+json"], scope: `repository:${repository}:pull` });
        if (response.status !== 200) return undefined;
        return JSON.parse(response.body.toString("utf8"));
    }
}

export function sha256Digest(bytes: Buffer): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function assertDigest(bytes: Buffer, digest: string, what: string): void {
    if (sha256Digest(bytes) !== digest) throw new RegistryError(`${what}: content does not match its digest`);
}

export { http };
