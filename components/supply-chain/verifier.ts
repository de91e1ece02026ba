import { SupplyChainSettings, TrustPolicyEntry } from "../settings";
import { defaultCacheDir, policyFingerprint, VerdictCache, Verdict } from "./cache";
import { matchesGlob, parseImageReference, repositoryName } from "./reference";
import { RegistryClient, RegistryClientOptions, RegistryError } from "./registry";
import { findSignatures } from "./signatures";
import { checkSignature, TrustMaterialCache } from "./verify";

export type { Verdict } from "./cache";

export interface ImageSignatureVerifierOptions extends RegistryClientOptions {
    /** Verdict cache folder. @default $BULWARK_SIGNATURE_CACHE or ~/.cache/bulwark/signatures */
    readonly cacheDir?: string;
}

/** The first trust-policy entry whose globs match the image's `registry/repository`. */
export function entryFor(settings: SupplyChainSettings, name: string): TrustPolicyEntry | undefined {
    return settings.policies.find((entry) => entry.images.some((glob) => matchesGlob(name, glob)));
}

/**
 * Deploy-time signature verification: resolves each image to a digest, finds its cosign signatures
 * and checks them against the stack's trust policy. Fails closed: every error is a failing verdict
 * whose message names the reason.
 */
export class ImageSignatureVerifier {
    readonly client: RegistryClient;
    private readonly cache: VerdictCache;
    private readonly trust: TrustMaterialCache;
    private readonly inFlight = new Map<string, Promise<Verdict>>();

    constructor(
        private readonly settings: SupplyChainSettings,
        options: ImageSignatureVerifierOptions = {},
    ) {
        this.client = new RegistryClient({ timeoutMs: settings.verification.timeoutMs, concurrency: settings.verification.concurrency, ...options });
        this.cache = new VerdictCache(options.cacheDir ?? defaultCacheDir(), settings.verification.cacheTtlSeconds);
        this.trust = new TrustMaterialCache(settings);
    }

    close(): void {
        this.client.close();
    }

    /** Verdicts for many images at once (duplicates are verified once). */
    async verifyAll(images: readonly string[]): Promise<Map<string, Verdict>> {
        const unique = [...new Set(images)];
        const verdicts = await Promise.all(unique.map((image) => this.verify(image)));
        return new Map(unique.map((image, index) => [image, verdicts[index]]));
    }

    async verify(image: string): Promise<Verdict> {
        let reference;
        try {
            reference = parseImageReference(image);
        } catch (error) {
            return { ok: false, message: `image '${image}': ${(error as Error).message}` };
        }
        const name = repositoryName(reference);
        const entry = entryFor(this.settings, name);
        if (entry === undefined) {
            return this.settings.requireAllImages
                ? { ok: false, message: `image '${image}': no supplyChain trust-policy entry matches ${name}, and every image must be signed` }
                : { ok: true, message: `image '${image}': outside the trust policy (requireAllImages is false)` };
        }
        try {
            const digest = reference.digest ?? (await this.client.resolveDigest(reference.registry, reference.repository, reference.tag ?? "latest"));
            if (digest === undefined) return { ok: false, message: `image '${image}': tag '${reference.tag}' not found at ${reference.registry}` };
            const key = `${digest} ${entry.name}`;
            let pending = this.inFlight.get(key);
            if (pending === undefined) {
                pending = this.verifyDigest(reference.registry, reference.repository, digest, entry);
                this.inFlight.set(key, pending);
            }
            const verdict = await pending;
            return { ok: verdict.ok, message: `image '${image}'${reference.digest === undefined ? ` (${digest})` : ""}: ${verdict.message}` };
        } catch (error) {
            if (error instanceof RegistryError) return { ok: false, message: `image '${image}': registry unreachable, failing closed: ${error.message}` };
            return { ok: false, message: `image '${image}': verification failed: ${(error as Error).message}` };
        }
    }

    private async verifyDigest(registry: string, repository: string, digest: string, entry: TrustPolicyEntry): Promise<Verdict> {
        const fingerprint = policyFingerprint(entry, this.settings);
        const cached = this.cache.get(digest, fingerprint);
        if (cached !== undefined) return cached;
        const verdict = await this.decide(registry, repository, digest, entry);
        this.cache.put(digest, fingerprint, verdict);
        return verdict;
    }

    private async decide(registry: string, repository: string, digest: string, entry: TrustPolicyEntry): Promise<Verdict> {
        if (entry.digests.includes(digest)) return { ok: true, message: `allowed by digest in trust-policy entry '${entry.name}'` };
        if (entry.authorities.length === 0) return { ok: false, message: `digest is not in the allowlist of trust-policy entry '${entry.name}'` };
        const signatures = await findSignatures(this.client, registry, repository, digest);
        if (signatures.length === 0) return { ok: false, message: `unsigned: no cosign signature for ${digest} (neither ${digest.replace(":", "-")}.sig nor OCI referrers)` };
        const reasons = new Set<string>();
        for (const signature of signatures) {
            for (const authority of entry.authorities) {
                const check = checkSignature(signature, digest, entry, authority, this.trust);
                if (check.ok) return { ok: true, message: `signed (${check.signer}) per trust-policy entry '${entry.name}'` };
                reasons.add(check.reason);
            }
        }
        return { ok: false, message: `signature rejected by trust-policy entry '${entry.name}': ${[...reasons].join("; ")}` };
    }
}
