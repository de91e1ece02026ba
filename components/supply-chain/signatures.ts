import { Bundle, bundleFromJSON } from "@sigstore/bundle";
import { pem } from "@sigstore/core";
import { createHash } from "crypto";
import { RegistryClient } from "./registry";

/** One signature found for an image digest, as a Sigstore bundle plus the signed artifact. */
export interface FoundSignature {
    /** Where it came from, for messages: `sha256-<hex>.sig` or `referrers`. */
    readonly layout: "classic" | "bundle";
    readonly bundle: Bundle;
    /** The signed bytes for a message signature (cosign's simple-signing payload). */
    readonly payload?: Buffer;
}

export const simpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
export const sigstoreBundleArtifactTypes = ["application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.dev.sigstore.bundle+json;version=0.3"];

interface Descriptor {
    readonly mediaType?: string;
    readonly digest: string;
    readonly size?: number;
    readonly artifactType?: string;
    readonly annotations?: Record<string, string>;
}

/** cosign's `dev.sigstore.cosign/bundle` annotation (a Rekor entry with its signed entry timestamp). */
interface RekorBundleAnnotation {
    readonly SignedEntryTimestamp: string;
    readonly Payload: { readonly body: string; readonly integratedTime: number; readonly logIndex: number; readonly logID: string };
}

/**
 * cosign's classic layout (one `sha256-<hex>.sig` manifest whose layers are simple-signing payloads
 * with the signature, certificate and Rekor bundle in annotations), restated as a Sigstore bundle
 * so that `@sigstore/verify` can check it. The libraries read Sigstore bundles only; this mapping
 * of cosign's annotations is ours.
 */
export function classicToBundle(layer: Descriptor, payload: Buffer): Bundle {
    const annotations = layer.annotations ?? {};
    const signature = annotations["dev.cosignproject.cosign/signature"] ?? "";
    const certificate = annotations["dev.sigstore.cosign/certificate"];
    const chain = annotations["dev.sigstore.cosign/chain"];
    const tlogEntries: unknown[] = [];
    const rekor = annotations["dev.sigstore.cosign/bundle"];
    if (rekor !== undefined) {
        const parsed = JSON.parse(rekor) as RekorBundleAnnotation;
        const body = JSON.parse(Buffer.from(parsed.Payload.body, "base64").toString("utf8")) as { kind?: string; apiVersion?: string };
        tlogEntries.push({
            logIndex: String(parsed.Payload.logIndex),
            logId: { keyId: Buffer.from(parsed.Payload.logID, "hex").toString("base64") },
            kindVersion: { kind: body.kind ?? "", version: body.apiVersion ?? "" },
            integratedTime: String(parsed.Payload.integratedTime),
            inclusionPromise: { signedEntryTimestamp: parsed.SignedEntryTimestamp },
            canonicalizedBody: parsed.Payload.body,
        });
    }
    const certificates = [certificate, chain]
        .filter((text): text is string => text !== undefined && text.includes("BEGIN CERTIFICATE"))
        .flatMap((text) => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((block) => ({ rawBytes: pem.toDER(block).toString("base64") })));
    return bundleFromJSON({
        mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
        verificationMaterial: {
            ...(certificates.length > 0 ? { x509CertificateChain: { certificates } } : { publicKey: { hint: "" } }),
            tlogEntries,
            timestampVerificationData: { rfc3161Timestamps: [] },
        },
        messageSignature: { messageDigest: { algorithm: "SHA2_256", digest: createHash("sha256").update(payload).digest("base64") }, signature },
    });
}

/** The classic-layout signature tag of a digest: `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
    return `${digest.replace(":", "-")}.sig`;
}

/**
 * Every signature of `digest`: the classic tag layout first (one manifest plus one payload blob),
 * then, when it has none, OCI 1.1 referrers (the API, or the `sha256-<hex>` fallback tag) carrying
 * Sigstore bundles.
 */
export async function findSignatures(client: RegistryClient, registry: string, repository: string, digest: string): Promise<FoundSignature[]> {
    const found: FoundSignature[] = [];
    const classic = await client.manifest(registry, repository, signatureTag(digest));
    if (classic !== undefined) {
        const manifest = JSON.parse(classic.body.toString("utf8")) as { layers?: Descriptor[] };
        for (const layer of manifest.layers ?? []) {
            if (layer.mediaType !== simpleSigningMediaType) continue;
            const payload = await client.blob(registry, repository, layer.digest);
            found.push({ layout: "classic", bundle: classicToBundle(layer, payload), payload });
        }
        if (found.length > 0) return found;
    }
    let index = await client.referrers(registry, repository, digest);
    if (index === undefined) {
        const fallback = await client.manifest(registry, repository, digest.replace(":", "-"));
        index = fallback === undefined ? undefined : JSON.parse(fallback.body.toString("utf8"));
    }
    for (const referrer of index?.manifests ?? []) {
        if (!sigstoreBundleArtifactTypes.includes(referrer.artifactType ?? "")) continue;
        const artifact = await client.manifest(registry, repository, referrer.digest);
        if (artifact === undefined) continue;
        const manifest = JSON.parse(artifact.body.toString("utf8")) as { layers?: Descriptor[]; subject?: Descriptor };
        if (manifest.subject?.digest !== digest) continue;
        for (const layer of manifest.layers ?? []) {
            const bytes = await client.blob(registry, repository, layer.digest);
            found.push({ layout: "bundle", bundle: bundleFromJSON(JSON.parse(bytes.toString("utf8"))) });
        }
    }
    return found;
}
