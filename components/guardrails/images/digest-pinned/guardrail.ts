import { namingContainers } from "../../pod-security/pod-spec";
import { podSpecGuardrail } from "../../pod-spec-guardrail";
import { hasDigest } from "../reference";

export const imageDigestPinned = podSpecGuardrail({
    id: "image-digest-pinned",
    title: "Images are pinned by digest where the stack requires it",
    rationale: "Only a digest names exactly the image whose signature was verified; a tag can be moved after verification (enabled per stack, on in prod).",
    severity: "high",
    capability: 4,
    usesData: true,
    validations: [
        {
            expression: `!('require-digest' in variables.guardrailData) || variables.guardrailData['require-digest'] != 'true' || variables.containers.all(c, has(c.image) && ${hasDigest("c.image")})`,
            message: "images must be pinned by digest (image@sha256:...)",
            messageExpression: namingContainers("image is not pinned by digest in container(s)", `!(has(c.image) && ${hasDigest("c.image")})`),
        },
    ],
    fixturesDir: __dirname,
});
