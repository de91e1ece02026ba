import { GuardrailMetadata } from "./types";

/** An object and where it came from, for guardrails that look across objects. */
export interface ObjectRef {
    readonly object: Record<string, unknown>;
}

/**
 * A guardrail that needs data beyond the object under review (other objects in the cluster), so CEL
 * on one object cannot express it. CrossGuard runs `check` over the stack (validateStack), `bulwark
 * check` over its whole input, and Gatekeeper runs `rego` against its synced inventory.
 */
export interface CrossObjectGuardrailDefinition extends GuardrailMetadata {
    readonly kinds: readonly string[];
    /** Violations among `objects`: the index of the offending object and the message. */
    readonly check: (objects: readonly ObjectRef[]) => { index: number; message: string }[];
    /** Gatekeeper: Rego (v0 syntax) reading `data.inventory`, and the kinds Gatekeeper must sync. */
    readonly gatekeeper: { readonly rego: string; readonly sync: readonly { group: string; version: string; kind: string }[] };
    /** Why the other engines do not enforce it. */
    readonly notExpressibleElsewhere: string;
    readonly fixturesDir: string;
}
