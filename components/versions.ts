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
    /** kube-prometheus-stack (Prometheus Operator v0.93, Prometheus v3, Grafana, node-exporter, kube-state-metrics). */
    kubePrometheusStackChart: "88.5.3",
    /** Fluent Bit image, run as typed resources (the app version of the fluent-bit 0.58.1 chart; the engine tier builds the same source). */
    fluentBitImage: "cr.fluentbit.io/fluent/fluent-bit:5.1.1",
} as const;

/** Chart repositories, pinned beside their versions. */
export const chartRepositories = {
    kyverno: "https://kyverno.github.io/kyverno/",
    gatekeeper: "https://open-policy-agent.github.io/gatekeeper/charts",
    flux: "https://fluxcd-community.github.io/helm-charts",
    prometheusCommunity: "https://prometheus-community.github.io/helm-charts",
} as const;
