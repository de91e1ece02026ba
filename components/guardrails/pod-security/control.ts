import { podSpecGuardrail } from "../pod-spec-guardrail";
import { CelValidation, CelVariable, GuardrailDefinition, Severity } from "../types";

interface ControlSpec {
    readonly id: string;
    readonly title: string;
    readonly rationale: string;
    readonly severity: Severity;
    readonly level: "baseline" | "restricted";
    readonly variables?: readonly CelVariable[];
    readonly validations: readonly CelValidation[];
    readonly fixturesDir: string;
}

/** A Pod Security Standards control (capability 6): a pod-spec guardrail scoped by namespace level. */
export function podSecurityControl({ level, ...spec }: ControlSpec): GuardrailDefinition {
    return { ...podSpecGuardrail({ ...spec, capability: 6 }), podSecurityLevel: level };
}
