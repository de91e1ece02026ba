import * as pulumi from "@pulumi/pulumi";
import { PlatformSettings, parsePlatformSettings, SettingsError, settingsKey } from "./index";

/**
 * Reads `bulwark:platform` from the running stack's config. On invalid config it throws a
 * `RunError`, which the Pulumi engine prints as a plain message with no stack trace.
 */
export function loadSettingsFromPulumiConfig(): PlatformSettings {
    const stack = pulumi.getStack();
    const source = `Pulumi.${stack}.yaml`;
    try {
        const raw = new pulumi.Config("bulwark").getObject<unknown>("platform");
        return parsePlatformSettings(raw, source, stack);
    } catch (error) {
        if (error instanceof SettingsError) throw new pulumi.RunError(error.message);
        throw new pulumi.RunError(`invalid stack configuration in ${source}: ${settingsKey}: ${(error as Error).message}`);
    }
}
