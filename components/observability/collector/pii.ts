import { CollectorSettings } from "../../settings";

type Pii = CollectorSettings["pii"];

/** Component ids of the PII stage, in pipeline order. */
export const piiProcessorIds = ["attributes/pii", "redaction/pii", "transform/pii"] as const;

/** The collector config expands `${...}`; a literal `$` in a replacement is written `$$`. */
function replacement(text: string): string {
    return text.replace(/\$/g, "$$$$");
}

/** OTTL string literal. */
function ottlString(value: string): string {
    return JSON.stringify(value);
}

/**
 * The PII stage: `attributes` deletes credentials and hashes identifiers, `redaction` masks blocked
 * value patterns in every attribute, `transform` rewrites URL query strings and log bodies (which
 * `redaction` does not read when they are plain strings).
 */
export function piiProcessors(pii: Pii): Record<string, unknown> {
    const actions = [
        ...pii.deleteKeys.map((key) => ({ action: "delete", key })),
        ...pii.hashKeys.map((key) => ({ action: "hash", key })),
    ];
    // Keep the key of each query parameter, drop its value: `?token=abc&page=2` -> `?token=REDACTED&page=REDACTED`.
    const queryValues = "([?&][^=&#]+)=[^&#]*";
    const urlStatements = (context: "span" | "log" | "datapoint") =>
        pii.urlKeys.map((key) => `replace_pattern(${context}.attributes[${ottlString(key)}], ${ottlString(queryValues)}, ${ottlString(replacement("$1=REDACTED"))})`);
    const bodyStatements = pii.blockedValues.map((pattern) => `replace_pattern(log.body, ${ottlString(pattern)}, "****")`);
    return {
        "attributes/pii": { actions },
        "redaction/pii": {
            // Keep every key (deleting is attributes' job); mask values matching a blocked pattern.
            allow_all_keys: true,
            blocked_values: pii.blockedValues,
            summary: "info",
        },
        "transform/pii": {
            error_mode: "ignore",
            trace_statements: urlStatements("span"),
            log_statements: [...urlStatements("log"), ...bodyStatements],
            metric_statements: urlStatements("datapoint"),
        },
    };
}
