import { z } from "zod";
import { SettingsError, describeIssues } from "./errors";
import { PlatformSettings, platformSettingsSchema } from "./schema";

export * from "./schema";
export * from "./mutations";
export { SettingsError, formatKeyPath } from "./errors";

/*
 * A process validates settings once or a few times (a `check --stack`, a Pulumi program, a render),
 * so zod's JIT (a validator generated with `new Function` on first use) costs more than it saves:
 * jitless, the first validation of the prod stack takes 16-24 ms instead of 35-45 ms.
 */
z.config({ jitless: true });

/** The single structured stack config key Bulwark reads. */
export const settingsKey = "bulwark:platform";

/**
 * Validates raw stack config into fully resolved settings, or throws a {@link SettingsError} that
 * lists every problem (not just the first), each with its key path.
 */
export function parsePlatformSettings(raw: unknown, source: string, stackName: string): PlatformSettings {
    if (raw === undefined || raw === null) {
        throw new SettingsError(source, [`${settingsKey}: is required (an object; see README "Stack configuration")`]);
    }
    const parsed = z.safeParse(platformSettingsSchema, raw, { reportInput: true });
    if (!parsed.success) {
        throw new SettingsError(source, describeIssues(settingsKey, parsed.error.issues));
    }
    return { ...parsed.data, environment: parsed.data.environment ?? stackName };
}
