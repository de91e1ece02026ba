import * as fs from "fs";
import * as path from "path";
import { CrossObjectGuardrailDefinition } from "../../components/guardrails/cross-object";
import { GuardrailDefinition } from "../../components/guardrails/types";

type AnyGuardrail = GuardrailDefinition | CrossObjectGuardrailDefinition;
import { PlatformSettings } from "../../components/settings";
import { readStackSettings } from "../../cli/stackConfig";

export const expectedMessageAnnotation = "fixtures.bulwark.dev/expected-message";

export interface GuardrailFixture {
    readonly file: string;
    readonly outcome: "pass" | "fail";
}

/** The `pass-*.yaml` / `fail-*.yaml` files beside a guardrail's definition. */
export function fixturesOf(guardrail: AnyGuardrail): GuardrailFixture[] {
    return fs
        .readdirSync(guardrail.fixturesDir)
        .filter((name) => /^(pass|fail)-.+\.yaml$/.test(name))
        .sort()
        .map((name) => ({ file: path.join(guardrail.fixturesDir, name), outcome: name.startsWith("pass-") ? "pass" : "fail" }));
}

/** Settings from an optional `stack.yaml` in the guardrail folder. */
export function fixtureSettings(guardrail: AnyGuardrail): PlatformSettings | undefined {
    const file = path.join(guardrail.fixturesDir, "stack.yaml");
    return fs.existsSync(file) ? readStackSettings(file, "fixtures") : undefined;
}
