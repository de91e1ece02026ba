// Type-only import: `check` runs this policy without loading the policy SDK at run time.
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { SupplyChainSettings } from "../../../settings";
// Type-only as well: the verifier (and sigstore under it) loads when a policy first verifies, so
// `check` without `--verify-signatures` never pays for it.
import type { ImageSignatureVerifier, ImageSignatureVerifierOptions, Verdict } from "../../../supply-chain/verifier";
import { GuardrailMetadata } from "../../types";

/**
 * `image-signature-verified`: every container image is signed by an authority the stack's trust
 * policy names. Not CEL: it needs the registry and Sigstore verification, so it runs as async
 * TypeScript in CrossGuard and `check --verify-signatures`, and as the engine's own image verifier
 * at admission (Kyverno ImageValidatingPolicy or sigstore policy-controller).
 */
export const imageSignatureVerified: GuardrailMetadata & { readonly kinds: readonly string[]; readonly fixturesDir: string } = {
    id: "image-signature-verified",
    title: "Every image is signed by an authority the stack's trust policy names",
    rationale:
        "A signature ties the image to the CI identity or key that built it and proves it was not changed after signing; verifying before `pulumi up` catches what admission would reject, without admission's time budget.",
    severity: "critical",
    capability: 4,
    kinds: ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
    fixturesDir: __dirname,
};

/** The policy's config: the stack's `supplyChain` settings (policy-pack/config/<stack>.json). */
export interface ImageSignatureConfig {
    readonly supplyChain?: SupplyChainSettings;
}

export const imageSignatureConfigSchema: PolicyConfigSchema = { properties: { supplyChain: { type: "object" } } };

interface PodSpecLike {
    readonly containers?: readonly { readonly image?: string }[];
    readonly initContainers?: readonly { readonly image?: string }[];
    readonly ephemeralContainers?: readonly { readonly image?: string }[];
}

/** Every container image of a workload object (containers, init and ephemeral containers). */
export function imagesOf(object: Record<string, unknown>): string[] {
    const spec = object.spec as Record<string, any> | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    const podSpec: PodSpecLike | undefined = object.kind === "Pod" ? spec : object.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    const images = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? []), ...(podSpec?.ephemeralContainers ?? [])]
        .map((container) => container.image)
        .filter((image): image is string => typeof image === "string" && image !== "");
    return [...new Set(images)];
}

/** Violation messages for one object's images. */
export async function signatureMessages(verifier: ImageSignatureVerifier, object: Record<string, unknown>): Promise<string[]> {
    if (!imageSignatureVerified.kinds.includes(String(object.kind))) return [];
    const images = imagesOf(object);
    if (images.length === 0) return [];
    const verdicts: Map<string, Verdict> = await verifier.verifyAll(images);
    return [...verdicts.values()].filter((verdict) => !verdict.ok).map((verdict) => verdict.message);
}

/**
 * The CrossGuard policy: one verifier per policy config (the pack's config is one object per run),
 * so every resource of a preview shares the registry client, the in-flight requests and the cache.
 */
export function imageSignaturePolicy(options: ImageSignatureVerifierOptions = {}): ResourceValidationPolicy {
    const verifiers = new WeakMap<object, ImageSignatureVerifier>();
    return {
        name: imageSignatureVerified.id,
        description: `${imageSignatureVerified.title}. ${imageSignatureVerified.rationale}`,
        enforcementLevel: "mandatory",
        configSchema: imageSignatureConfigSchema,
        validateResource: async (args, reportViolation) => {
            if (!args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/")) return;
            const config = args.getConfig<ImageSignatureConfig>();
            if (config.supplyChain === undefined) {
                if (imagesOf(args.props as Record<string, unknown>).length > 0) reportViolation("no supplyChain trust policy is configured for this stack (policy-pack/config/<stack>.json), so no image can be verified");
                return;
            }
            let verifier = verifiers.get(config);
            if (verifier === undefined) {
                const { ImageSignatureVerifier: Verifier } = require("../../../supply-chain/verifier") as typeof import("../../../supply-chain/verifier");
                verifier = new Verifier(config.supplyChain, options);
                verifiers.set(config, verifier);
            }
            for (const message of await signatureMessages(verifier, args.props as Record<string, unknown>)) reportViolation(message);
        },
    };
}
