import { CelValidation, CelVariable, Capability, GuardrailDefinition, Severity } from "./types";
import { podSpecKinds, podSpecVariables } from "./pod-security/pod-spec";

interface PodSpecGuardrailSpec {
    readonly id: string;
    readonly title: string;
    readonly rationale: string;
    readonly severity: Severity;
    readonly capability: Capability;
    readonly usesData?: boolean;
    readonly variables?: readonly CelVariable[];
    readonly validations: readonly CelValidation[];
    readonly fixturesDir: string;
}

/** A guardrail over every pod-spec kind, starting from the shared pod-spec variables. */
export function podSpecGuardrail(spec: PodSpecGuardrailSpec): GuardrailDefinition {
    return {
        id: spec.id,
        title: spec.title,
        rationale: spec.rationale,
        severity: spec.severity,
        capability: spec.capability,
        kinds: podSpecKinds,
        usesData: spec.usesData,
        cel: { variables: [...podSpecVariables, ...(spec.variables ?? [])], validations: spec.validations },
        fixturesDir: spec.fixturesDir,
    };
}

/** `variables.guardrailData[key]` split on commas, or `[]` when the key is absent or empty. */
export function dataList(key: string): string {
    return `('${key}' in variables.guardrailData && variables.guardrailData['${key}'] != '' ? variables.guardrailData['${key}'].split(',') : [])`;
}
