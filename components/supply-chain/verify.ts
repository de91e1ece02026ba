import { crypto as sigstoreCrypto, X509Certificate } from "@sigstore/core";

const createPublicKey = sigstoreCrypto.createPublicKey;
import { toSignedEntity, TrustMaterial, Verifier } from "@sigstore/verify";
// Not re-exported by the package root: the same chain check `Verifier` runs at a tlog timestamp.
import { verifyCertificateChain } from "@sigstore/verify/dist/key/certificate";
import { SigningAuthority, SupplyChainSettings, TrustPolicyEntry, TrustRootSettings } from "../settings";
import { FoundSignature } from "./signatures";
import { keylessTrustMaterial, keyTrustMaterial } from "./trustRoot";

const fulcioIssuerV1 = "1.3.6.1.4.1.57264.1.1";
const fulcioIssuerV2 = "1.3.6.1.4.1.57264.1.8";

export type SignatureCheck = { readonly ok: true; readonly signer: string } | { readonly ok: false; readonly reason: string };

/** Trust material is built once per trust root / key (certificate parsing is not free). */
export class TrustMaterialCache {
    private readonly materials = new Map<string, TrustMaterial>();
    constructor(private readonly settings: SupplyChainSettings) {}
    private get logKeys(): string[] {
        return this.settings.trustRoots.flatMap((root) => root.transparencyLogKeys);
    }
    forRoot(root: TrustRootSettings): TrustMaterial {
        const key = `root:${root.name}`;
        if (!this.materials.has(key)) this.materials.set(key, keylessTrustMaterial(root));
        return this.materials.get(key)!;
    }
    forKey(publicKey: string): TrustMaterial {
        const key = `key:${publicKey}`;
        if (!this.materials.has(key)) this.materials.set(key, keyTrustMaterial(publicKey, this.logKeys));
        return this.materials.get(key)!;
    }
    root(name: string): TrustRootSettings | undefined {
        return this.settings.trustRoots.find((root) => root.name === name);
    }
}

function issuerOf(certificate: X509Certificate): string | undefined {
    const v2 = certificate.extension(fulcioIssuerV2);
    if (v2) return v2.valueObj.subs?.[0]?.value.toString("ascii");
    return certificate.extension(fulcioIssuerV1)?.value.toString("ascii");
}

/**
 * The identity match, by hand: `@sigstore/verify`'s policy check treats the expected subject as an
 * unanchored regular expression, so `acme/app` would also accept `evil/acme/app-fork`.
 */
function identityMismatch(certificate: X509Certificate, keyless: Extract<SigningAuthority, { keyless: unknown }>["keyless"]): string | undefined {
    const subject = certificate.subjectAltName;
    const issuer = issuerOf(certificate);
    const subjectOk = subject !== undefined && (keyless.subject !== undefined ? subject === keyless.subject : new RegExp(`^(?:${keyless.subjectRegExp})$`).test(subject));
    if (!subjectOk) return `certificate subject '${subject ?? "(none)"}' does not match ${keyless.subject !== undefined ? `'${keyless.subject}'` : `/${keyless.subjectRegExp}/`}`;
    if (issuer !== keyless.issuer) return `certificate issuer '${issuer ?? "(none)"}' is not '${keyless.issuer}'`;
    return undefined;
}

/**
 * What the signature says it signed. cosign's simple-signing payload (classic layout) and the
 * in-toto statement of a DSSE bundle are cosign formats the Sigstore libraries do not interpret.
 */
function signedDigest(signature: FoundSignature): string | undefined {
    if (signature.payload !== undefined) {
        const payload = JSON.parse(signature.payload.toString("utf8")) as { critical?: { image?: { "docker-manifest-digest"?: string }; type?: string } };
        if (payload.critical?.type !== "cosign container image signature") return undefined;
        return payload.critical.image?.["docker-manifest-digest"];
    }
    if (signature.bundle.content.$case === "dsseEnvelope") {
        const statement = JSON.parse(Buffer.from(signature.bundle.content.dsseEnvelope.payload).toString("utf8")) as { subject?: { digest?: { sha256?: string } }[] };
        const sha = statement.subject?.[0]?.digest?.sha256;
        return sha === undefined ? undefined : `sha256:${sha}`;
    }
    return undefined;
}

function describeError(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    if (/TLOG|tlog|SET|inclusion/i.test(text)) return `transparency-log evidence is invalid (${text})`;
    if (/CERTIFICATE|certificate|chain/i.test(text)) return `certificate is expired or does not chain to the trust root (${text})`;
    if (/signature verification failed|SIGNATURE/i.test(text)) return "signature does not verify over the payload (wrong key or tampered payload)";
    return text;
}

/** Checks one signature against one authority of a trust-policy entry. */
export function checkSignature(signature: FoundSignature, digest: string, entry: TrustPolicyEntry, authority: SigningAuthority, trust: TrustMaterialCache, now: Date = new Date()): SignatureCheck {
    const tlogRequired = entry.transparencyLog === undefined;
    let entity;
    try {
        if (signature.layout === "bundle" && signature.bundle.content.$case === "messageSignature") {
            return { ok: false, reason: "bundle carries a message signature over the manifest; only DSSE bundles are read in the referrers layout" };
        }
        entity = toSignedEntity(signature.bundle, signature.payload);
    } catch (error) {
        return { ok: false, reason: `malformed signature (${describeError(error)})` };
    }
    if (tlogRequired && entity.tlogEntries.length === 0) return { ok: false, reason: "no transparency-log evidence (no signed entry timestamp or bundle), which the trust policy requires" };
    const options = { tlogThreshold: tlogRequired ? 1 : 0, ctlogThreshold: 0, timestampThreshold: tlogRequired ? 1 : 0 };
    try {
        if ("key" in authority) {
            if (authority.key.publicKey === undefined) return { ok: false, reason: "KMS keys are verified at admission only (no KMS access at deploy time)" };
            if (entity.key.$case !== "public-key") return { ok: false, reason: "signed with a certificate, but the trust policy expects a key" };
            new Verifier(trust.forKey(authority.key.publicKey), options).verify(entity);
        } else {
            const root = trust.root(authority.keyless.trustRoot);
            if (root === undefined) return { ok: false, reason: `trust root '${authority.keyless.trustRoot}' is not configured` };
            if (entity.key.$case !== "certificate") return { ok: false, reason: "signed with a key, but the trust policy expects a keyless certificate" };
            const material = trust.forRoot(root);
            if (entity.timestamps.length === 0) {
                // Without a timestamp the Verifier checks no chain (and fails on the empty path), so
                // check the chain at the current time and the signature with the leaf's key here.
                verifyCertificateChain(now, entity.key.certificate, material.certificateAuthorities);
                if (!entity.signature.verifySignature(createPublicKey(entity.key.certificate.publicKey))) throw new Error("signature verification failed");
            } else {
                new Verifier(material, options).verify(entity);
            }
            const mismatch = identityMismatch(entity.key.certificate, authority.keyless);
            if (mismatch !== undefined) return { ok: false, reason: mismatch };
        }
    } catch (error) {
        return { ok: false, reason: describeError(error) };
    }
    const signed = signedDigest(signature);
    if (signed === undefined) return { ok: false, reason: "signed payload names no image digest (not a cosign image signature)" };
    if (signed !== digest) return { ok: false, reason: `signed payload names ${signed}, not ${digest} (tag moved after signing or payload copied)` };
    return { ok: true, signer: "key" in authority ? "key" : `${authority.keyless.issuer} ${entity.key.$case === "certificate" ? entity.key.certificate.subjectAltName : ""}` };
}
