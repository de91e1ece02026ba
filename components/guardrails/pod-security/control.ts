import { CelValidation, CelVariable, GuardrailDefinition, Severity } from "../types";
import { podSpecKinds, podSpecVariables } from "./pod-spec";

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

/** A Pod Security Standards control (capability 6) over every pod-spec kind. */
export function podSecurityControl(spec: ControlSpec): GuardrailDefinition {
    return {
        id: spec.id,
        title: spec.title,
        rationale: spec.rationale,
        severity: spec.severity,
        capability: 6,
        kinds: podSpecKinds,
        podSecurityLevel: spec.level,
        cel: { variables: [...podSpecVariables, ...(spec.variables ?? [])], validations: spec.validations },
        fixturesDir: spec.fixturesDir,
    };
}
