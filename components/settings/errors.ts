import { z } from "zod";

/**
 * A stack configuration error: names the key path, the value given and what was expected. Its
 * message is meant for a person; callers print it without a stack trace.
 */
export class SettingsError extends Error {
    constructor(
        readonly source: string,
        readonly problems: readonly string[],
    ) {
        super(`invalid stack configuration in ${source}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
        this.name = "SettingsError";
    }
}

/** `bulwark:platform.tenants[0].name` from a zod path. */
export function formatKeyPath(root: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>(
        (text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : `${text}.${String(segment)}`),
        root,
    );
}

function describeValue(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per problem: `<key path>: <what was expected> (got <value>)`. */
export function describeIssues(root: string, issues: readonly z.core.$ZodIssue[]): string[] {
    return issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
            return issue.keys
                .map((key) => `${formatKeyPath(root, [...issue.path, key])}: unknown key (check the spelling; unknown keys are rejected, not ignored)`)
                .join("\n  - ");
        }
        const got = "input" in issue ? ` (got ${describeValue(issue.input)})` : "";
        return `${formatKeyPath(root, issue.path)}: ${issue.message}${got}`;
    });
}
