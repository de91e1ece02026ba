import * as assert from "assert";
import { parsePlatformSettings, SettingsError } from "../../components/settings";

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
            observability: {
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
                    grafana: { enabled: true, tempoUrl: "http://tempo.bulwark-monitoring.svc:3200", lokiUrl: "http://loki-gateway.bulwark-monitoring.svc" },
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
            },
        });
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
        ["flux repository not a URL", { policy: { delivery: "flux", flux: { url: "github.com/acme/platform" } } }, "bulwark:platform.policy.flux.url", /https:\/\/ or ssh:\/\//],
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
});
