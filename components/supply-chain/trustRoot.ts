import { crypto as sigstoreCrypto, pem } from "@sigstore/core";
import { PublicKey, TrustedRoot } from "@sigstore/protobuf-specs";
import { KeyFinderFunc, toTrustMaterial, TrustMaterial } from "@sigstore/verify";
import { createHash, createPublicKey } from "crypto";
import { TrustRootSettings } from "../settings";

const epoch = "1970-01-01T00:00:00Z";

/** Splits a PEM bundle into DER blocks. */
export function pemBlocks(text: string, label = "CERTIFICATE"): Buffer[] {
    const pattern = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, "g");
    return (text.match(pattern) ?? []).map((block) => pem.toDER(block));
}

/**
 * The Sigstore public-good trusted root as shipped (as a TUF seed) in the pinned `@sigstore/tuf`
 * package: read from disk, so verification never calls the public-good instance.
 */
export function publicGoodTrustedRoot(): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const seeds = require("@sigstore/tuf/seeds.json") as Record<string, { targets: Record<string, string> }>;
    const target = seeds["https://tuf-repo-cdn.sigstore.dev"]?.targets["trusted_root.json"];
    if (target === undefined) throw new Error("@sigstore/tuf's seeds.json carries no trusted_root.json");
    return JSON.parse(Buffer.from(target, "base64").toString("utf8"));
}

/**
 * A Sigstore TrustedRoot (protobuf-specs JSON) for a trust root of the stack: its CA chain as the
 * one certificate authority and its transparency-log keys as logs, each valid since the epoch
 * (the stack, not a TUF repository, says what is trusted).
 */
export function trustedRootFor(root: TrustRootSettings): TrustedRoot {
    if (root.publicGood) return TrustedRoot.fromJSON(publicGoodTrustedRoot());
    const certificates = pemBlocks(root.certificateChain ?? "");
    const json = {
        mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        certificateAuthorities: [
            { subject: { organization: root.name, commonName: root.name }, uri: `bulwark:${root.name}`, certChain: { certificates: certificates.map((der) => ({ rawBytes: der.toString("base64") })) }, validFor: { start: epoch } },
        ],
        tlogs: root.transparencyLogKeys.map((key) => {
            const der = createPublicKey(key).export({ format: "der", type: "spki" });
            return {
                baseUrl: `bulwark:${root.name}`,
                hashAlgorithm: "SHA2_256",
                publicKey: { rawBytes: der.toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: epoch } },
                logId: { keyId: createHash("sha256").update(der).digest("base64") },
            };
        }),
        ctlogs: [],
        timestampAuthorities: [],
    };
    return TrustedRoot.fromJSON(json);
}

/** Trust material for keyless verification against one trust root. */
export function keylessTrustMaterial(root: TrustRootSettings): TrustMaterial {
    return toTrustMaterial(trustedRootFor(root));
}

/**
 * Trust material for a public key: the key itself, found by any hint (cosign's classic layout
 * carries no key id), plus the transparency-log keys of every stack trust root.
 */
export function keyTrustMaterial(publicKeyPem: string, logKeys: readonly string[]): TrustMaterial {
    const tlogOnly = trustedRootFor({ name: "keys", certificateChain: "", transparencyLogKeys: [...logKeys] } as TrustRootSettings);
    const key = sigstoreCrypto.createPublicKey(publicKeyPem);
    const finder: KeyFinderFunc = () => ({ publicKey: key, validFor: () => true });
    return toTrustMaterial({ ...tlogOnly, certificateAuthorities: [] }, finder);
}

export type { PublicKey };
