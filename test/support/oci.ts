/*
 * Test helpers that talk the OCI distribution API to a real registry: push small real images
 * (config, layer and manifest) and attach cosign signatures in cosign's classic layout
 * (`sha256-<hex>.sig`), optionally with a certificate chain and a Rekor-style signed entry
 * timestamp. Real `cosign verify` accepts what these helpers sign (see the engine tier).
 */
import { createHash, createPublicKey, KeyObject, sign } from "crypto";
import * as https from "https";

export interface Registry {
    /** `127.0.0.1:<port>` */
    readonly host: string;
    readonly ca: string;
}

const ociManifest = "application/vnd.oci.image.manifest.v1+json";

export function sha256(bytes: Buffer | string): string {
    return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

const agents = new WeakMap<Registry, https.Agent>();
function agentFor(registry: Registry): https.Agent {
    let agent = agents.get(registry);
    if (agent === undefined) {
        agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: registry.ca });
        agents.set(registry, agent);
    }
    return agent;
}

export function httpsRequest(registry: Registry, method: string, urlPath: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    return new Promise((resolve, reject) => {
        const url = urlPath.startsWith("https://") ? new URL(urlPath) : new URL(`https://${registry.host}${urlPath}`);
        const request = https.request(url, { method, headers: { ...headers, ...(body ? { "Content-Length": String(body.length) } : {}) }, agent: agentFor(registry) }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        });
        request.on("error", reject);
        request.end(body);
    });
}

export async function pushBlob(registry: Registry, repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const start = await httpsRequest(registry, "POST", `/v2/${repository}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`upload start for ${repository} answered ${start.status}: ${start.body}`);
    const location = new URL(String(start.headers["location"]), `https://${registry.host}`);
    location.searchParams.set("digest", digest);
    const put = await httpsRequest(registry, "PUT", location.toString(), bytes, { "Content-Type": "application/octet-stream" });
    if (put.status !== 201) throw new Error(`blob upload for ${repository} answered ${put.status}: ${put.body}`);
    return digest;
}

export async function pushManifest(registry: Registry, repository: string, reference: string, manifest: unknown, mediaType = ociManifest): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const put = await httpsRequest(registry, "PUT", `/v2/${repository}/manifests/${reference}`, bytes, { "Content-Type": mediaType });
    if (put.status !== 201) throw new Error(`manifest ${repository}:${reference} answered ${put.status}: ${put.body}`);
    return sha256(bytes);
}

/** A one-file tar archive (ustar), the smallest real image layer. */
export function tarOf(name: string, content: string): Buffer {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let checksum = 0;
    for (const byte of header) checksum += byte;
    header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148);
    const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
    return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** Pushes a small real image under `repository:tag` and returns its manifest digest. */
export async function pushImage(registry: Registry, repository: string, tag: string, content = `${repository}:${tag}`): Promise<string> {
    const layer = tarOf("hello.txt", content);
    const layerDigest = await pushBlob(registry, repository, layer);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Entrypoint: ["/hello"] }, rootfs: { type: "layers", diff_ids: [layerDigest] } }));
    const configDigest = await pushBlob(registry, repository, config);
    return pushManifest(registry, repository, tag, {
        schemaVersion: 2,
        mediaType: ociManifest,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layerDigest, size: layer.length }],
    });
}

/** cosign's simple-signing payload for an image digest. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
    return Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": dockerReference }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null }));
}

/** RFC 8785-style canonical JSON for the flat objects Rekor signs (sorted keys, no spaces). */
function canonical(value: unknown): string {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        return `{${Object.keys(value as object).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

export interface TransparencyLog {
    readonly privateKey: KeyObject;
    readonly publicKeyPem: string;
}

export interface SignOptions {
    /** Signing key (for keyless: the certificate's key). */
    readonly privateKey: KeyObject;
    /** PEM of the signing certificate (keyless) and its chain up to the root. */
    readonly certificatePem?: string;
    readonly chainPem?: string;
    /** Add a Rekor-style bundle (hashedrekord body + signed entry timestamp) signed by this log key. */
    readonly log?: TransparencyLog;
    /** Sign this payload instead of the image's own (for tamper and copy cases). */
    readonly payload?: Buffer;
    /** Put a different payload in the registry than the one signed (tampered payload). */
    readonly storedPayload?: Buffer;
}

/**
 * Signs `repository@digest` the way `cosign sign` does in the classic layout: a manifest tagged
 * `sha256-<hex>.sig` with one simple-signing layer carrying the signature (and certificate, chain
 * and Rekor bundle) in annotations.
 */
export async function signImage(registry: Registry, repository: string, digest: string, options: SignOptions): Promise<string> {
    const payload = options.payload ?? simpleSigningPayload(`${registry.host}/${repository}`, digest);
    const signature = sign("sha256", payload, options.privateKey).toString("base64");
    const stored = options.storedPayload ?? payload;
    const payloadDigest = await pushBlob(registry, repository, stored);
    const annotations: Record<string, string> = { "dev.cosignproject.cosign/signature": signature };
    if (options.certificatePem) annotations["dev.sigstore.cosign/certificate"] = options.certificatePem;
    if (options.chainPem) annotations["dev.sigstore.cosign/chain"] = options.chainPem;
    if (options.log) {
        const verifier = options.certificatePem ?? createPublicKey(options.privateKey).export({ type: "spki", format: "pem" }).toString();
        const body = Buffer.from(
            canonical({
                apiVersion: "0.0.1",
                kind: "hashedrekord",
                spec: { data: { hash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") } }, signature: { content: signature, publicKey: { content: Buffer.from(verifier).toString("base64") } } },
            }),
        ).toString("base64");
        const logPublicDer = createPublicKey(options.log.privateKey).export({ type: "spki", format: "der" });
        const entry = { body, // Within the certificate's validity (openssl starts it at the second it was issued).
        integratedTime: Math.ceil(Date.now() / 1000) + 1, logID: createHash("sha256").update(logPublicDer).digest("hex"), logIndex: 1000 + Math.floor(Math.random() * 1e6) };
        const set = sign("sha256", Buffer.from(canonical(entry)), options.log.privateKey).toString("base64");
        annotations["dev.sigstore.cosign/bundle"] = JSON.stringify({ SignedEntryTimestamp: set, Payload: entry });
    }
    const config = Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: [payloadDigest] } }));
    const configDigest = await pushBlob(registry, repository, config);
    return pushManifest(registry, repository, `${digest.replace(":", "-")}.sig`, {
        schemaVersion: 2,
        mediaType: ociManifest,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
        layers: [{ mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", digest: payloadDigest, size: stored.length, annotations }],
    });
}
