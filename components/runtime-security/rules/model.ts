/** Typed Falco rules-file entries (the shape of `../shared/schemas/falco/falco-rules.schema.json`). */

export type FalcoPriority = "EMERGENCY" | "ALERT" | "CRITICAL" | "ERROR" | "WARNING" | "NOTICE" | "INFORMATIONAL" | "DEBUG";

/** One list item; `reason` is required for exception lists and rendered as a comment beside it. */
export interface FalcoListItem {
    readonly value: string | number;
    readonly reason?: string;
}

export interface FalcoList {
    readonly name: string;
    /** What the list holds, rendered as a comment. */
    readonly description: string;
    /** True for allowlists a stack may extend (`runtimeSecurity.exceptions`). */
    readonly exception: boolean;
    readonly items: readonly FalcoListItem[];
}

export interface FalcoMacro {
    readonly name: string;
    readonly condition: string;
}

/** The detection intents of the issue; Tetragon policies are generated from the same ids. */
export type DetectionIntent =
    | "shell-in-container"
    | "sensitive-file-read"
    | "system-dir-write"
    | "package-manager-in-container"
    | "unexpected-egress"
    | "privilege-escalation"
    | "crypto-miner";

export interface FalcoRule {
    readonly intent: DetectionIntent;
    readonly name: string;
    readonly description: string;
    readonly condition: string;
    readonly output: string;
    readonly priority: FalcoPriority;
    readonly tags: readonly string[];
}

/** A complete, self-contained rules file: lists, then macros, then rules. */
export interface FalcoRuleSet {
    readonly lists: readonly FalcoList[];
    readonly macros: readonly FalcoMacro[];
    readonly rules: readonly FalcoRule[];
}
