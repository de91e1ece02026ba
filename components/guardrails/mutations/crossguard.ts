// Type-only import: the policy SDK is loaded by the pack, not by `bulwark fix` or the tests.
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { PlatformSettings } from "../../settings";
import { applyMutations } from "./apply";
import { mutationCatalog } from "./catalog";
import { defaultMutationContext, mutationContextFor } from "./context";
import { MutationContext, MutationDefinition } from "./types";

/** Resources of the Kubernetes provider that carry a Kubernetes object (as the validating policies select them). */
function isKubernetesObject(args: { type: string; props: Record<string, unknown> }): boolean {
    return args.type.startsWith("kubernetes:") && !args.type.startsWith("kubernetes:helm.sh/") && typeof args.props?.kind === "string";
}

/** JSON schema of a mutation policy's config: the {@link MutationContext} fields, plus why it is off. */
export const mutationConfigSchema: PolicyConfigSchema = {
    properties: {
        disabled: { type: "object", additionalProperties: { type: "string" } },
        excludedNamespaces: { type: "array", items: { type: "string" } },
        tenants: { type: "array", items: { type: "string" } },
        resources: {
            type: "object",
            properties: { cpuRequest: { type: "string" }, memoryRequest: { type: "string" }, memoryLimit: { type: "string" } },
        },
        tenantNamespaceLabels: { type: "object", additionalProperties: { type: "string" } },
        tenantNamespaceAnnotations: { type: "object", additionalProperties: { type: "string" } },
        disabledReason: { type: "string" },
    },
};

/** The context a policy config carries, completed with the no-stack defaults. */
export function contextFromConfig(config: Partial<MutationContext> | undefined): MutationContext {
    return { ...defaultMutationContext(), ...(config ?? {}) };
}

/**
 * One CrossGuard remediation per mutation: `pulumi preview` / `up` deploy the defaulted object and
 * say so. The applier is the one `bulwark fix` runs. Remediations run before validations, so the
 * validating guardrails then see the defaulted object, as admission does.
 */
export function crossGuardRemediationPolicies(mutations: readonly MutationDefinition[] = mutationCatalog): ResourceValidationPolicy[] {
    return mutations.map(
        (mutation): ResourceValidationPolicy => ({
            name: mutation.id,
            description: `${mutation.title}. ${mutation.rationale}`,
            enforcementLevel: "remediate",
            configSchema: mutationConfigSchema,
            remediateResource: (args) => {
                if (!isKubernetesObject(args)) return undefined;
                const result = applyMutations(args.props, contextFromConfig(args.getConfig<Partial<MutationContext>>()), [mutation]);
                return result.changes.length === 0 ? undefined : result.object;
            },
        }),
    );
}

/** Pack config entries for the mutations: `remediate`, or `disabled` with the stack's reason. */
export function mutationPolicyPackConfigFor(settings: PlatformSettings): Record<string, Record<string, unknown> & { enforcementLevel: "remediate" | "disabled" }> {
    const context = mutationContextFor(settings);
    return Object.fromEntries(
        mutationCatalog.map((mutation) => {
            const reason = context.disabled[mutation.id];
            return [mutation.id, reason === undefined ? { enforcementLevel: "remediate" as const, ...context } : { enforcementLevel: "disabled" as const, disabledReason: reason }];
        }),
    );
}
