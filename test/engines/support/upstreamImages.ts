/**
 * The platform's own controllers run the upstream images their chart pins (reg.kyverno.io,
 * ghcr.io/fluxcd, quay.io/prometheus-operator, ...), by tag. A stack's allowedRegistries and
 * requireDigest describe its workloads' registries; mirroring the platform's images into them by
 * digest is not built yet (README, Known gaps), so these two guardrails are the listed exceptions
 * for a chart's upstream objects. Every other guardrail, Pod Security included, must pass.
 */
export const upstreamImageExceptions: Readonly<Record<string, string>> = {
    "image-registry-allowed": "upstream controller images from the chart's own registry; mirroring into the stack's registries is not built yet",
    "image-digest-pinned": "upstream controller images pinned by tag through the chart version; digest pinning of platform images is not built yet",
};
