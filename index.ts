import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./components/platform";
import { loadSettingsFromPulumiConfig } from "./components/settings/pulumiConfig";

// The program only reads and validates stack config, then builds the Platform. A configuration
// error stops it here, before any resource is registered.
const settings = loadSettingsFromPulumiConfig();
const platform = new Platform("bulwark", { settings });

export const platformNamespace = platform.platformNamespace;
export const tenantNamespaces = platform.tenantNamespaces;
export const enforcement = pulumi.output(settings.enforcement);
