/**
 * Every pinned version the platform renders, in one place. Bump here, never inline.
 */
export const versions = {
    /**
     * Pod Security Standards version pinned into the `*-version` namespace labels. Pinning keeps a
     * control-plane upgrade from silently tightening or loosening admission.
     */
    podSecurityStandards: "v1.37",
    /** Kyverno Helm chart (app v1.16: policies.kyverno.io/v1 ValidatingPolicy). */
    kyvernoChart: "3.6.3",
    /** OPA Gatekeeper Helm chart; the same release as the gator binary the engine tier builds. */
    gatekeeperChart: "3.23.1",
    /** Flux (fluxcd-community flux2 chart), for policies delivered from Git. */
    fluxChart: "2.17.0",
    /**
     * OpenTelemetry Collector image: the contrib distribution at the release line the engine tier builds
     * (tools/engines/versions.env OTELCOL_VERSION); stacks that require digests set their own mirror.
     */
    otelcolImage: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.155.0",
} as const;

/** Chart repositories, pinned beside their versions. */
export const chartRepositories = {
    kyverno: "https://kyverno.github.io/kyverno/",
    gatekeeper: "https://open-policy-agent.github.io/gatekeeper/charts",
    flux: "https://fluxcd-community.github.io/helm-charts",
} as const;
