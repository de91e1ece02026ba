import { PodSecurityLevel } from "../settings";

export type Severity = "low" | "medium" | "high" | "critical";

/** The eight platform capabilities (see README); each guardrail serves one. */
export type Capability = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** A named CEL expression, evaluated in order before the validations, as in ValidatingAdmissionPolicy. */
export interface CelVariable {
    readonly name: string;
    readonly expression: string;
}

/**
 * One CEL rule. `expression` is true when the object complies. The same text runs in CrossGuard and
 * `check` (via @marcbachmann/cel-js) and in admission engines (ValidatingAdmissionPolicy, Kyverno, Gatekeeper).
 */
export interface CelValidation {
    readonly expression: string;
    /** Static message, used when `messageExpression` is absent or fails. */
    readonly message: string;
    /** A CEL expression that returns a message naming the container or field at fault. */
    readonly messageExpression?: string;
}

/**
 * Cluster facts a guardrail may read, as a flat string map: the shape of the ConfigMap that
 * admission engines read it from. Keys (see `guardrailDataFor`):
 * - `namespace-level.<ns>`: the lowest Pod Security `enforce` level `<ns>` may carry;
 * - `namespace-role.<ns>`: `tenant`, `platform` or `exception`;
 * - `allowed-registries`: comma-separated registries or repository prefixes;
 * - `require-digest`: `true` when images must be pinned by digest;
 * - `external-service-namespaces`: comma-separated namespaces allowed NodePort/LoadBalancer Services.
 */
export type GuardrailData = Readonly<Record<string, string>>;

/** What a guardrail's logic sees besides the object itself. */
export interface GuardrailParams {
    readonly data: GuardrailData;
}

/** What every guardrail states about itself, whatever its kind. */
export interface GuardrailMetadata {
    /** Stable id; also the CrossGuard policy name. Lower-case words joined by '-'. */
    readonly id: string;
    readonly title: string;
    /** Why the guardrail exists, for reviewers and the policy pack's description. */
    readonly rationale: string;
    readonly severity: Severity;
    readonly capability: Capability;
}

export interface GuardrailDefinition extends GuardrailMetadata {
    /** Kubernetes kinds the guardrail applies to. */
    readonly kinds: readonly string[];
    /**
     * For Pod Security controls: the lowest namespace level at which the control applies. A
     * `baseline` control also applies in `restricted` namespaces; neither applies in `privileged`.
     */
    readonly podSecurityLevel?: Exclude<PodSecurityLevel, "privileged">;
    /**
     * The core logic, in CEL. Variables are visible as `variables.<name>`. A guardrail that reads
     * cluster facts sets `usesData` and reads `variables.guardrailData` (a string map); each engine
     * defines that variable its own way (ConfigMap param, Kyverno resource lookup, constraint
     * parameters, or an in-process binding).
     */
    readonly usesData?: boolean;
    readonly cel: {
        readonly variables: readonly CelVariable[];
        readonly validations: readonly CelValidation[];
    };
    /** Folder holding the `pass-*.yaml` / `fail-*.yaml` fixtures. */
    readonly fixturesDir: string;
}

/** One failed rule on one object. */
export interface GuardrailViolation {
    readonly guardrailId: string;
    readonly message: string;
}
