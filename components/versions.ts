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
    gatekeeperChart: "3.23.0",
    /** Flux (fluxcd-community flux2 chart), for policies delivered from Git. */
    fluxChart: "2.17.0",
    /** sigstore policy-controller Helm chart (app v0.13.1): the image verifier on gatekeeper/vap stacks. */
    policyControllerChart: "0.10.6",
    /** Falco chart (app 0.44.1); falcosidekick is deployed beside it as typed resources. */
    falcoChart: "9.1.0",
    /** The upstream default rules falcoctl installs once (pinned, never followed). */
    falcoRulesArtifact: "falco-rules:5.1.0",
    /** falcosidekick image: forwards Falco alerts to Alertmanager and, as OTLP logs, to the collector. */
    falcosidekickImage: "docker.io/falcosecurity/falcosidekick:2.31.1",
    /** Tetragon chart (app v1.7.0). */
    tetragonChart: "1.7.0",
    /** cert-manager chart, installed through @pulumi/kubernetes-cert-manager (issues the mesh PKI). */
    certManagerChart: "v1.21.1",
    /** Istio charts: istio-base, istiod and istio-cni are one release. */
    istioChart: "1.30.3",
    /** Linkerd edge charts: linkerd-crds, linkerd-control-plane and linkerd2-cni (edge-26.8.3). */
    linkerdChart: "2026.8.3",
    /**
     * OpenTelemetry Collector image: the contrib distribution at the release line the engine tier builds
     * (tools/engines/versions.env OTELCOL_VERSION); stacks that require digests set their own mirror.
     */
    otelcolImage: "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.155.0",
    /** kube-prometheus-stack (Prometheus Operator v0.93, Prometheus v3, Grafana, node-exporter, kube-state-metrics). */
    kubePrometheusStackChart: "88.5.3",
    /** Tempo chart, single binary (app 2.10.8): the trace store, unless the stack names an external one. */
    tempoChart: "2.2.4",
    /** Loki chart (app 3.7.6), SingleBinary mode: the log store, unless the stack names an external one. */
    lokiChart: "18.11.0",
    /** Fluent Bit image, run as typed resources (the app version of the fluent-bit 0.58.1 chart; the engine tier builds the same source). */
    fluentBitImage: "cr.fluentbit.io/fluent/fluent-bit:5.1.1",
} as const;

/** Chart repositories, pinned beside their versions. */
export const chartRepositories = {
    kyverno: "https://kyverno.github.io/kyverno/",
    gatekeeper: "https://open-policy-agent.github.io/gatekeeper/charts",
    flux: "https://fluxcd-community.github.io/helm-charts",
    falco: "https://falcosecurity.github.io/charts",
    tetragon: "https://helm.cilium.io",
    certManager: "https://charts.jetstack.io",
    istio: "https://istio-release.storage.googleapis.com/charts",
    linkerd: "https://helm.linkerd.io/edge",
    prometheusCommunity: "https://prometheus-community.github.io/helm-charts",
    sigstore: "https://sigstore.github.io/helm-charts",
    /** grafana-community/helm-charts: the tempo and loki charts. */
    grafanaCommunity: "https://grafana-community.github.io/helm-charts",
} as const;
