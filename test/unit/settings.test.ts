import * as assert from "assert";
import { parsePlatformSettings, SettingsError } from "../../components/settings";
import { defaultPii } from "../../components/settings/observability";

const source = "Pulumi.test.yaml";
const reason = "Node agents read host files and need privileged eBPF probes.";

function errorOf(raw: unknown): SettingsError {
    try {
        parsePlatformSettings(raw, source, "test");
    } catch (error) {
        assert.ok(error instanceof SettingsError, `expected a SettingsError, got ${String(error)}`);
        return error;
    }
    assert.fail(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe("stack settings", () => {
    it("applies documented defaults to an empty object", () => {
        const settings = parsePlatformSettings({}, source, "dev");
        assert.deepStrictEqual(settings, {
            environment: "dev",
            enforcement: "enforce",
            install: true,
            platformNamespace: "bulwark-system",
            tenants: [],
            podSecurity: { version: "v1.37", exceptions: [] },
            policy: {
                engine: "vap",
                delivery: "pulumi",
                replicas: 1,
                images: { allowedRegistries: ["registry.k8s.io"], requireDigest: false },
                externalServiceNamespaces: [],
            },
            supplyChain: {
                trustRoots: [],
                policies: [],
                requireAllImages: true,
                verification: { cacheTtlSeconds: 3600, concurrency: 8, timeoutMs: 10000 },
                admission: { webhookTimeoutSeconds: 15 },
            },
            mutations: { resources: { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "512Mi" }, disabled: [] },
            runtimeSecurity: { sensor: "falco", enforce: false, exceptions: [] },
            mesh: {
                provider: "none",
                pki: { root: { duration: "87600h", renewBefore: "2160h" }, intermediate: { duration: "8760h", renewBefore: "720h" }, workloadCertTtl: "24h" },
                prometheus: { serviceAccount: "prometheus" },
            },
            observability: {
                collector: {
                    enabled: true,
                    namespace: "telemetry",
                    batching: "exporter",
                    agent: { memoryMiB: 512, queueMiB: 1024 },
                    gateway: { replicas: 2, memoryMiB: 1024, queueMiB: 2048 },
                    pii: defaultPii,
                    backends: {
                        metrics: "http://bulwark-prometheus.bulwark-monitoring.svc:9090/api/v1/otlp",
                        tls: true,
                    },
                    pprof: false,
                    zpages: false,
                },
                metrics: {
                    enabled: true,
                    namespace: "bulwark-monitoring",
                    nodeExporterNamespace: "bulwark-node-exporter",
                    prometheus: {
                        retention: "15d",
                        retentionSize: "45GB",
                        storageSize: "50Gi",
                        replicas: 1,
                        maxExemplars: 100000,
                        resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
                    },
                    grafana: { enabled: true },
                    runbookBaseUrl: "https://github.com/acme/bulwark/blob/main/docs/runbooks.md",
                },
                logs: {
                    enabled: true,
                    namespace: "bulwark-logging",
                    image: "cr.fluentbit.io/fluent/fluent-bit:5.1.1",
                    gateway: { port: 4318, tls: false },
                    bufferLimit: "2G",
                    retryLimit: 20,
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
                },
                tempo: {
                    namespace: "bulwark-tempo",
                    retention: "72h",
                    storage: { size: "10Gi" },
                    replicas: 1,
                    resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } },
                },
                loki: {
                    namespace: "bulwark-loki",
                    retention: "168h",
                    storage: { size: "10Gi" },
                    replicas: 1,
                    resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "2Gi" } },
                },
            },
        });
    });

    it("accepts `mesh: istio` as shorthand for { provider: istio }", () => {
        assert.strictEqual(parsePlatformSettings({ mesh: "istio" }, source, "prod").mesh.provider, "istio");
        assert.strictEqual(parsePlatformSettings({ mesh: { provider: "linkerd" } }, source, "prod").mesh.provider, "linkerd");
    });

    it("rejects malformed mesh settings with the key path", () => {
        assert.match(errorOf({ mesh: "consul" }).message, /bulwark:platform\.mesh\.provider: Invalid option: expected one of "istio"\|"linkerd"\|"none" \(got "consul"\)/);
        assert.match(errorOf({ mesh: { provider: "istio", pki: { intermediate: { duration: "1y" } } } }).message, /bulwark:platform\.mesh\.pki\.intermediate\.duration: must be a duration such as '8760h'/);
        assert.match(
            errorOf({ mesh: { provider: "istio", pki: { intermediate: { duration: "720h", renewBefore: "720h" } } } }).message,
            /bulwark:platform\.mesh\.pki\.intermediate\.renewBefore: must be shorter than duration \(720h\)/,
        );
        assert.match(errorOf({ mesh: { provider: "istio", pki: { externalIssuer: { kind: "ClusterIssuer" } } } }).message, /bulwark:platform\.mesh\.pki\.externalIssuer\.name: /);
        assert.match(errorOf({ mesh: { provider: "linkerd", sidecar: true } }).message, /bulwark:platform\.mesh\.sidecar: unknown key/);
        assert.match(errorOf({ mesh: "istio", tenants: [{ name: "istio-system" }] }).message, /namespace 'istio-system' is declared twice \(already declared by mesh\.provider \(istio\)\)/);
    });

    it("rejects a missing key with the key named", () => {
        assert.match(errorOf(undefined).message, /bulwark:platform: is required/);
    });

    // Each case: raw config, the key path the message must name, and a fragment of what was expected.
    const malformed: [string, unknown, string, RegExp][] = [
        ["unknown top-level key (typo)", { enforcment: "audit" }, "bulwark:platform.enforcment", /unknown key/],
        ["unknown nested key", { podSecurity: { exception: [] } }, "bulwark:platform.podSecurity.exception", /unknown key/],
        ["unknown tenant key", { tenants: [{ name: "a", lables: {} }] }, "bulwark:platform.tenants[0].lables", /unknown key/],
        ["unknown exception key", { podSecurity: { exceptions: [{ namespace: "a", level: "privileged", reason, why: "x" }] } }, "bulwark:platform.podSecurity.exceptions[0].why", /unknown key/],
        ["unknown enforcement mode", { enforcement: "strict" }, "bulwark:platform.enforcement", /expected one of "audit"\|"enforce".*got "strict"/],
        ["enforcement of the wrong type", { enforcement: true }, "bulwark:platform.enforcement", /expected one of/],
        ["install not a boolean", { install: "yes" }, "bulwark:platform.install", /expected boolean.*got "yes"/],
        ["tenant name not a DNS label (upper case)", { tenants: [{ name: "Payments" }] }, "bulwark:platform.tenants[0].name", /RFC 1123 DNS label.*got "Payments"/],
        ["tenant name with underscore", { tenants: [{ name: "pay_ments" }] }, "bulwark:platform.tenants[0].name", /RFC 1123/],
        ["tenant name too long", { tenants: [{ name: "a".repeat(64) }] }, "bulwark:platform.tenants[0].name", /at most 63/],
        ["tenant without a name", { tenants: [{}] }, "bulwark:platform.tenants[0].name", /expected string/],
        ["tenants not a list", { tenants: { name: "a" } }, "bulwark:platform.tenants", /expected array/],
        ["tenant named after a system namespace", { tenants: [{ name: "kube-system" }] }, "bulwark:platform.tenants[0].name", /system namespace/],
        ["tenant setting Pod Security labels", { tenants: [{ name: "a", labels: { "pod-security.kubernetes.io/enforce": "privileged" } }] }, "bulwark:platform.tenants[0].labels", /must not set pod-security/],
        ["tenant label value invalid", { tenants: [{ name: "a", labels: { team: "has spaces" } }] }, "bulwark:platform.tenants[0].labels.team", /label value/],
        ["tenant declared twice", { tenants: [{ name: "a" }, { name: "a" }] }, "bulwark:platform.tenants[1].name", /declared twice/],
        ["exception without a reason", { podSecurity: { exceptions: [{ namespace: "agents", level: "privileged" }] } }, "bulwark:platform.podSecurity.exceptions[0].reason", /needs a written reason/],
        ["exception with a token reason", { podSecurity: { exceptions: [{ namespace: "agents", level: "privileged", reason: "needed" }] } }, "bulwark:platform.podSecurity.exceptions[0].reason", /at least 20 characters/],
        ["exception at restricted (not an exception)", { podSecurity: { exceptions: [{ namespace: "agents", level: "restricted", reason }] } }, "bulwark:platform.podSecurity.exceptions[0].level", /expected one of "privileged"\|"baseline"/],
        ["exception for a tenant namespace", { tenants: [{ name: "a" }], podSecurity: { exceptions: [{ namespace: "a", level: "baseline", reason }] } }, "bulwark:platform.podSecurity.exceptions[0].namespace", /declared twice/],
        ["exception namespace not a DNS label", { podSecurity: { exceptions: [{ namespace: "Agents!", level: "privileged", reason }] } }, "bulwark:platform.podSecurity.exceptions[0].namespace", /RFC 1123/],
        ["Pod Security version malformed", { podSecurity: { version: "1.35" } }, "bulwark:platform.podSecurity.version", /'latest' or a Kubernetes minor version.*got "1.35"/],
        ["platform namespace not a DNS label", { platformNamespace: "Bulwark" }, "bulwark:platform.platformNamespace", /RFC 1123/],
        ["platform namespace reused as tenant", { tenants: [{ name: "bulwark-system" }] }, "bulwark:platform.tenants[0].name", /declared twice \(already declared by platformNamespace\)/],
        ["environment not a DNS label", { environment: "Prod Env" }, "bulwark:platform.environment", /RFC 1123/],
        ["settings not an object", "enforce", "bulwark:platform", /expected object/],
        ["unknown policy engine", { policy: { engine: "opa" } }, "bulwark:platform.policy.engine", /expected one of "kyverno"\|"gatekeeper"\|"vap".*got "opa"/],
        ["negative replica count", { policy: { replicas: -1 } }, "bulwark:platform.policy.replicas", /at least 1.*got -1/],
        ["fractional replica count", { policy: { replicas: 1.5 } }, "bulwark:platform.policy.replicas", /whole number/],
        ["registry with a scheme", { policy: { images: { allowedRegistries: ["https://ghcr.io"] } } }, "bulwark:platform.policy.images.allowedRegistries[0]", /registry host or repository prefix/],
        ["registry without a host", { policy: { images: { allowedRegistries: ["library"] } } }, "bulwark:platform.policy.images.allowedRegistries[0]", /must start with a registry host/],
        ["empty registry allowlist", { policy: { images: { allowedRegistries: [] } } }, "bulwark:platform.policy.images.allowedRegistries", /at least one registry/],
        ["flux delivery without a repository", { policy: { delivery: "flux" } }, "bulwark:platform.policy.flux", /required when policy.delivery is 'flux'/],
        ["mutation off switch without a reason", { mutations: { disabled: [{ id: "container-resources-default" }] } }, "bulwark:platform.mutations.disabled[0].reason", /needs a written reason/],
        ["mutation off switch with a token reason", { mutations: { disabled: [{ id: "container-resources-default", reason: "noisy" }] } }, "bulwark:platform.mutations.disabled[0].reason", /at least 20 characters/],
        ["unknown mutation id", { mutations: { disabled: [{ id: "seccomp", reason }] } }, "bulwark:platform.mutations.disabled[0].id", /expected one of .*got "seccomp"/],
        ["mutation disabled twice", { mutations: { disabled: [{ id: "pod-seccomp-default", reason }, { id: "pod-seccomp-default", reason }] } }, "bulwark:platform.mutations.disabled[1].id", /disabled twice/],
        ["default memory request above the default limit", { mutations: { resources: { memoryRequest: "2Gi", memoryLimit: "1Gi" } } }, "bulwark:platform.mutations.resources.memoryRequest", /must not exceed resources.memoryLimit \(1Gi\)/],
        ["malformed CPU default", { mutations: { resources: { cpuRequest: "fast" } } }, "bulwark:platform.mutations.resources.cpuRequest", /CPU quantity/],
        ["collector memory below the floor", { observability: { collector: { gateway: { memoryMiB: 64 } } } }, "bulwark:platform.observability.collector.gateway.memoryMiB", /at least 128/],
        ["unknown collector batching mode", { observability: { collector: { batching: "both" } } }, "bulwark:platform.observability.collector.batching", /expected one of "exporter"\|"processor"/],
        ["collector key misspelled", { observability: { collector: { batchng: "exporter" } } }, "bulwark:platform.observability.collector.batchng", /unknown key/],
        ["backend URL with credentials", { observability: { collector: { backends: { logs: "http://user:pw@loki:3100/otlp" } } } }, "bulwark:platform.observability.collector.backends.logs", /without user:password@/],
        ["traces backend not host:port", { observability: { collector: { backends: { traces: "http://tempo:4317" } } } }, "bulwark:platform.observability.collector.backends.traces", /host:port/],
        ["PII pattern not a regular expression", { observability: { collector: { pii: { blockedValues: ["(unclosed"] } } } }, "bulwark:platform.observability.collector.pii.blockedValues[0]", /valid regular expression/],
        ["PII removal switched off", { observability: { collector: { pii: { blockedValues: [] } } } }, "bulwark:platform.observability.collector.pii.blockedValues", /cannot be switched off/],
        ["collector namespace reused as tenant", { tenants: [{ name: "telemetry" }] }, "bulwark:platform.tenants[0].name", /declared twice \(already declared by observability.collector.namespace\)/],
        ["flux repository not a URL", { policy: { delivery: "flux", flux: { url: "github.com/acme/platform" } } }, "bulwark:platform.policy.flux.url", /https:\/\/ or ssh:\/\//],
        ["unknown runtime sensor", { runtimeSecurity: "falcon" }, "bulwark:platform.runtimeSecurity.sensor", /expected one of "falco"\|"tetragon"\|"none".*got "falcon"/],
        ["unknown runtimeSecurity key", { runtimeSecurity: { sensor: "falco", enforcement: true } }, "bulwark:platform.runtimeSecurity.enforcement", /unknown key/],
        ["enforcement asked of Falco", { runtimeSecurity: { sensor: "falco", enforce: true } }, "bulwark:platform.runtimeSecurity.enforce", /Tetragon option.*'falco' only detects/],
        ["enforce not a boolean", { runtimeSecurity: { sensor: "tetragon", enforce: "Sigkill" } }, "bulwark:platform.runtimeSecurity.enforce", /expected boolean/],
        ["runtime exception for an unknown list", { runtimeSecurity: { exceptions: [{ list: "shells", items: ["bash"], reason }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].list", /expected one of "bulwark_shell_allowed_images"/],
        ["runtime exception without a reason", { runtimeSecurity: { exceptions: [{ list: "bulwark_allowed_egress_ports", items: [8080] }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].reason", /needs a written reason/],
        ["runtime exception with a token reason", { runtimeSecurity: { exceptions: [{ list: "bulwark_allowed_egress_ports", items: [8080], reason: "needed" }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].reason", /at least 20 characters/],
        ["runtime exception with no items", { runtimeSecurity: { exceptions: [{ list: "bulwark_allowed_egress_ports", items: [], reason }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].items", /at least one item/],
        ["runtime exception item that would break a condition", { runtimeSecurity: { exceptions: [{ list: "bulwark_sensitive_file_readers", items: ["cat) or (true"], reason }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].items[0]", /single token/],
        ["runtime exception port out of range", { runtimeSecurity: { exceptions: [{ list: "bulwark_allowed_egress_ports", items: [70000], reason }] } }, "bulwark:platform.runtimeSecurity.exceptions[0].items[0]", /65535|too big|expected/],
        ["sensor namespace taken by a tenant", { tenants: [{ name: "falco" }] }, "bulwark:platform.tenants[0].name", /declared twice \(already declared by runtimeSecurity.sensor \(falco\)\)/],
        ["unknown metrics key (typo)", { observability: { metrics: { retenton: "15d" } } }, "bulwark:platform.observability.metrics.retenton", /unknown key/],
        ["Prometheus retention without a unit", { observability: { metrics: { prometheus: { retention: "15" } } } }, "bulwark:platform.observability.metrics.prometheus.retention", /Prometheus duration.*got "15"/],
        ["Prometheus storage size not a quantity", { observability: { metrics: { prometheus: { storageSize: "fifty gigs" } } } }, "bulwark:platform.observability.metrics.prometheus.storageSize", /Kubernetes quantity/],
        ["Prometheus retention size in Kubernetes units", { observability: { metrics: { prometheus: { retentionSize: "45Gi" } } } }, "bulwark:platform.observability.metrics.prometheus.retentionSize", /size such as '45GB'/],
        ["Prometheus memory limit missing", { observability: { metrics: { prometheus: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: {} } } } } }, "bulwark:platform.observability.metrics.prometheus.resources.limits.memory", /expected string/],
        ["Tempo URL not a URL", { observability: { metrics: { grafana: { tempoUrl: "tempo:3200" } } } }, "bulwark:platform.observability.metrics.grafana.tempoUrl", /http\(s\) URL/],
        ["logs namespace clashing with a tenant", { tenants: [{ name: "bulwark-logging" }] }, "bulwark:platform.tenants[0].name", /declared twice \(already declared by observability.logs.namespace\)/],
        ["node-exporter namespace equal to the metrics namespace", { observability: { metrics: { nodeExporterNamespace: "bulwark-monitoring" } } }, "bulwark:platform.observability.metrics.nodeExporterNamespace", /declared twice/],
        ["Fluent Bit buffer limit in Kubernetes units", { observability: { logs: { bufferLimit: "2Gi" } } }, "bulwark:platform.observability.logs.bufferLimit", /size such as '512M'/],
        ["Fluent Bit image with a scheme", { observability: { logs: { image: "https://cr.fluentbit.io/fluent/fluent-bit:5.1.1" } } }, "bulwark:platform.observability.logs.image", /image reference/],
        ["Tempo retention in days (Tempo reads a Go duration)", { observability: { tempo: { retention: "3d" } } }, "bulwark:platform.observability.tempo.retention", /whole number of hours.*got "3d"/],
        ["Loki retention shorter than a day", { observability: { loki: { retention: "12h" } } }, "bulwark:platform.observability.loki.retention", /at least 24h/],
        ["Loki retention without a unit", { observability: { loki: { retention: "30" } } }, "bulwark:platform.observability.loki.retention", /duration such as '168h'/],
        ["second replica of the single-binary Tempo", { observability: { tempo: { replicas: 2 } } }, "bulwark:platform.observability.tempo.replicas", /must be 1: .*observability.tempo.external/],
        ["second replica of the single-binary Loki", { observability: { loki: { replicas: 3 } } }, "bulwark:platform.observability.loki.replicas", /must be 1: .*observability.loki.external/],
        ["Loki persistence size not a quantity", { observability: { loki: { storage: { size: "lots" } } } }, "bulwark:platform.observability.loki.storage.size", /Kubernetes quantity/],
        ["Tempo memory limit missing", { observability: { tempo: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: {} } } } }, "bulwark:platform.observability.tempo.resources.limits.memory", /expected string/],
        ["Tempo key misspelled", { observability: { tempo: { retenion: "72h" } } }, "bulwark:platform.observability.tempo.retenion", /unknown key/],
        ["external Loki OTLP URL without /otlp", { observability: { loki: { external: { otlpUrl: "https://loki.example.com", queryUrl: "https://loki.example.com" } } } }, "bulwark:platform.observability.loki.external.otlpUrl", /end with '\/otlp'/],
        ["external Tempo without its query URL", { observability: { tempo: { external: { otlpGrpc: "tempo.example.com:4317" } } } }, "bulwark:platform.observability.tempo.external.queryUrl", /http\(s\) URL|expected string/],
        ["external Tempo named twice (external and the collector key)", { observability: { tempo: { external: { otlpGrpc: "tempo.example.com:4317", queryUrl: "https://tempo.example.com" } }, collector: { backends: { traces: "other.example.com:4317" } } } }, "bulwark:platform.observability.collector.backends.traces", /must not be set together with observability.tempo.external/],
        ["collector sends to an external Tempo Grafana does not read", { observability: { collector: { backends: { traces: "tempo.example.com:4317" } } } }, "bulwark:platform.observability.metrics.grafana.tempoUrl", /is required when observability.collector.backends.traces names an external Tempo/],
        ["Grafana reads an external Loki the collector does not send to", { observability: { metrics: { grafana: { lokiUrl: "https://loki.example.com" } } } }, "bulwark:platform.observability.collector.backends.logs", /is required when observability.metrics.grafana.lokiUrl names an external Loki/],
        ["Tempo namespace clashing with a tenant", { tenants: [{ name: "bulwark-tempo" }] }, "bulwark:platform.tenants[0].name", /declared twice \(already declared by observability.tempo.namespace\)/],
        ["gateway port out of range", { observability: { logs: { gateway: { port: 70000 } } } }, "bulwark:platform.observability.logs.gateway.port", /70000|less than or equal/],
    ];

    for (const [title, raw, keyPath, expected] of malformed) {
        it(`rejects ${title}, naming ${keyPath}`, () => {
            const message = errorOf(raw).message;
            assert.ok(message.startsWith(`invalid stack configuration in ${source}:`), message);
            const line = message.split("\n").find((candidate) => candidate.includes(`${keyPath}:`));
            assert.ok(line, `no line names ${keyPath} in:\n${message}`);
            assert.match(line, expected);
            assert.doesNotMatch(message, /\n\s+at /, "the message must not carry a stack trace");
        });
    }

    it("reports every problem at once, not just the first", () => {
        const message = errorOf({ enforcement: "x", tenants: [{ name: "A" }], extra: 1 }).message;
        assert.strictEqual(message.split("\n").length, 4, message);
    });

    describe("supplyChain trust policy", () => {
        const key = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
        const entry = { name: "apps", images: ["ghcr.io/acme/**"], authorities: [{ key: { publicKey: key } }] };
        const cases: [string, unknown, RegExp][] = [
            ["an entry with no authority and no digest allowlist", { policies: [{ name: "apps", images: ["ghcr.io/acme/*"] }] }, /supplyChain\.policies\[0\]\.authorities: must list at least one signing authority/],
            ["a digest allowlist without a reason", { policies: [{ name: "pinned", images: ["docker.io/library/busybox"], digests: [`sha256:${"a".repeat(64)}`] }] }, /supplyChain\.policies\[0\]\.reason: is required when the entry allows images by digest/],
            ["a malformed digest", { policies: [{ ...entry, digests: ["sha256:abc"] }] }, /supplyChain\.policies\[0\]\.digests\[0\]: must be a sha256 digest/],
            ["an image glob with a tag", { policies: [{ ...entry, images: ["ghcr.io/acme/app:1.0"] }] }, /supplyChain\.policies\[0\]\.images\[0\]: must be a lower-case image glob/],
            ["a wildcard registry", { policies: [{ ...entry, images: ["*/acme/app"] }] }, /supplyChain\.policies\[0\]\.images\[0\]: must name the registry host literally/],
            ["a key that is not PEM", { policies: [{ ...entry, authorities: [{ key: { publicKey: "ssh-ed25519 AAAA" } }] }] }, /supplyChain\.policies\[0\]\.authorities\[0\]/],
            ["a keyless authority naming an unknown trust root", { policies: [{ ...entry, authorities: [{ keyless: { trustRoot: "nope", issuer: "https://token.actions.githubusercontent.com", subject: "x" } }] }] }, /supplyChain\.policies\[0\]\.authorities\[0\]\.keyless\.trustRoot: names no entry of supplyChain\.trustRoots/],
            ["a keyless authority with both subject and subjectRegExp", { trustRoots: [{ name: "pg", publicGood: true }], policies: [{ ...entry, authorities: [{ keyless: { trustRoot: "pg", issuer: "https://token.actions.githubusercontent.com", subject: "a", subjectRegExp: "b" } }] }] }, /supplyChain\.policies\[0\]\.authorities\[0\]/],
            ["a transparency-log opt-out without a reason", { policies: [{ ...entry, transparencyLog: { required: false } }] }, /supplyChain\.policies\[0\]\.transparencyLog\.reason: is required/],
            ["a trust root with neither publicGood nor certificateChain", { trustRoots: [{ name: "x" }] }, /supplyChain\.trustRoots\[0\]: must set exactly one of publicGood or certificateChain/],
            ["two entries with one name", { policies: [entry, entry] }, /supplyChain\.policies\[1\]\.name: 'apps' is used by two entries/],
            ["an unknown key", { policies: [{ ...entry, image: ["x"] }] }, /supplyChain\.policies\[0\]\.image: unknown key/],
        ];
        for (const [what, supplyChain, expected] of cases) {
            it(`rejects ${what}, naming the key path`, () => {
                assert.match(errorOf({ supplyChain }).message, expected);
            });
        }

        it("requires a signature on every image where the ramp enforces", () => {
            assert.match(errorOf({ enforcement: "enforce", supplyChain: { requireAllImages: false } }).message, /supplyChain\.requireAllImages: must be true when enforcement is 'enforce'/);
            assert.strictEqual(parsePlatformSettings({ enforcement: "audit", supplyChain: { requireAllImages: false } }, source, "dev").supplyChain.requireAllImages, false);
        });
    });
});
