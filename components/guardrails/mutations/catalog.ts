import { tenantNamespaceLabelsDefault } from "../namespaces/tenant-labels-default/mutation";
import { containerCapabilitiesDropDefault } from "../pod-security/capabilities-drop-default/mutation";
import { containerPrivilegeEscalationDefault } from "../pod-security/privilege-escalation-default/mutation";
import { podSeccompDefault } from "../pod-security/seccomp-default/mutation";
import { containerResourcesDefault } from "../resources/requests-limits-default/mutation";
import { MutationDefinition } from "./types";

/**
 * Every mutating guardrail (safe default), defined once, in the order they apply. Adding one means
 * adding its folder (mutation.ts + in-*.yaml / out-*.yaml) and one line here.
 */
export const mutationCatalog: readonly MutationDefinition[] = [
    tenantNamespaceLabelsDefault,
    podSeccompDefault,
    containerPrivilegeEscalationDefault,
    containerCapabilitiesDropDefault,
    containerResourcesDefault,
];

export function findMutation(id: string): MutationDefinition | undefined {
    return mutationCatalog.find((mutation) => mutation.id === id);
}
