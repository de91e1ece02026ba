import { imageSignatureVerified, signatureMessages } from "../components/guardrails/images/signature-verified/guardrail";
import { PlatformSettings } from "../components/settings";
import { ImageSignatureVerifier, ImageSignatureVerifierOptions } from "../components/supply-chain/verifier";
import { CheckViolation, enforcementLevelOf } from "./check";
import { CliError } from "./errors";
import { ManifestObject } from "./input";

/**
 * `check --verify-signatures`: the `image-signature-verified` guardrail over every workload in the
 * input, against the stack's trust policy (so it needs `--stack` or `--config`). Registry requests
 * run concurrently across objects; verdicts are cached on disk.
 */
export async function signatureViolations(objects: readonly ManifestObject[], settings: PlatformSettings | undefined, options: ImageSignatureVerifierOptions = {}): Promise<CheckViolation[]> {
    if (settings === undefined) throw new CliError("--verify-signatures needs the stack's trust policy: pass --stack or --config");
    const verifier = new ImageSignatureVerifier(settings.supplyChain, options);
    const enforcementLevel = enforcementLevelOf(settings);
    try {
        const perObject = await Promise.all(objects.map(({ object }) => signatureMessages(verifier, object)));
        return perObject.flatMap((messages, index) => {
            const { object, file, documentIndex } = objects[index];
            const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
            return messages.map((message) => ({ guardrail: imageSignatureVerified.id, enforcementLevel, kind: String(object.kind), namespace: metadata.namespace ?? null, name: metadata.name ?? "", file, documentIndex, message }));
        });
    } finally {
        verifier.close();
    }
}
