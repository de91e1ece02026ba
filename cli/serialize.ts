import * as yaml from "js-yaml";

const redacted = "[secret]";
/** What `render` writes for a value the cluster computes at deploy time (e.g. a CA read back from cert-manager). */
export const knownAfterDeploy = "[known after deploy]";

/**
 * Replaces Pulumi secret values (the SDK's signature-tagged wrappers) and the data of Kubernetes
 * Secrets with a marker, so no secret reaches render output.
 */
export function redactSecrets(value: unknown, secretSignatureKey: string): unknown {
    if (Array.isArray(value)) return value.map((item) => redactSecrets(item, secretSignatureKey));
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (secretSignatureKey in record) return redacted;
    // The mock runtime's marker for an unknown (preview) value.
    if (record.__pulumiUnknown === true) return knownAfterDeploy;
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) result[key] = redactSecrets(inner, secretSignatureKey);
    if (record.kind === "Secret" && record.apiVersion === "v1") {
        for (const field of ["data", "stringData"]) {
            const data = result[field];
            if (data !== null && typeof data === "object") {
                result[field] = Object.fromEntries(Object.keys(data).map((key) => [key, redacted]));
            }
        }
    }
    return result;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
        Object.keys(value)
            .sort()
            .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
}

/** JSON with sorted keys and a trailing newline: quiet diffs, byte-identical reruns. */
export function stableJson(value: unknown): string {
    return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** YAML with sorted keys and no line folding. */
export function dumpSortedYaml(value: unknown): string {
    return yaml.dump(value, { sortKeys: true, lineWidth: -1, noRefs: true });
}

/** Code-unit order: the same on every machine, unlike the locale-aware `localeCompare`. */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
