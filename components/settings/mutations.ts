import { z } from "zod";
import { defaultMutationResources } from "./levels";

/**
 * Ids of the mutating guardrails (safe defaults). Kept here, beside the schema that names them, so
 * a typo in `mutations.disabled[].id` is a settings error; a test keeps the list equal to the
 * mutation catalog.
 */
export const mutationIds = [
    "pod-seccomp-default",
    "container-privilege-escalation-default",
    "container-capabilities-drop-default",
    "container-resources-default",
    "tenant-namespace-labels-default",
] as const;
export type MutationId = (typeof mutationIds)[number];

/** A Kubernetes quantity for CPU (`100m`, `0.5`, `1`). */
const cpuQuantity = z.string().regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, "must be a CPU quantity such as '100m' or '0.5'");
/** A Kubernetes quantity for memory in binary or decimal units (`128Mi`, `1Gi`, `500M`). */
const memoryQuantity = z.string().regex(/^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a memory quantity such as '128Mi' or '1Gi'");

const memoryUnits: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes of a memory quantity the schema accepted. Hand-rolled: the four units above are all it needs. */
export function memoryBytes(quantity: string): number {
    const match = /^([0-9]+)([A-Za-z]*)$/.exec(quantity);
    if (match === null || !(match[2] in memoryUnits)) throw new Error(`not a memory quantity: ${quantity}`);
    return Number(match[1]) * memoryUnits[match[2]];
}

const disabledMutationSchema = z.strictObject({
    /** The mutation to turn off in this stack. */
    id: z.enum(mutationIds),
    /** Why: shown in the policy pack config and the guardrail table's review trail. */
    reason: z
        .string({ error: "is required: turning a safe default off needs a written reason" })
        .trim()
        .min(20, "must explain why the default is off in at least 20 characters"),
});

/**
 * Safe defaults filled in at admission, at deploy time (CrossGuard remediation) and by `bulwark fix`,
 * never overwriting what a workload set.
 */
export const mutationSettingsSchema = z
    .strictObject({
        /** Default container resources, set only where a container leaves them unset. */
        resources: z
            .strictObject({
                /** @default "100m" */
                cpuRequest: cpuQuantity.default(defaultMutationResources.cpuRequest),
                /** @default "128Mi" */
                memoryRequest: memoryQuantity.default(defaultMutationResources.memoryRequest),
                /** @default "512Mi" */
                memoryLimit: memoryQuantity.default(defaultMutationResources.memoryLimit),
            })
            .prefault({}),
        /** Mutations turned off in this stack, each with a reason. @default [] (every mutation on) */
        disabled: z.array(disabledMutationSchema).default([]),
    })
    .superRefine((settings, ctx) => {
        if (memoryBytes(settings.resources.memoryRequest) > memoryBytes(settings.resources.memoryLimit)) {
            ctx.addIssue({
                code: "custom",
                path: ["resources", "memoryRequest"],
                input: settings.resources.memoryRequest,
                message: `must not exceed resources.memoryLimit (${settings.resources.memoryLimit}): the defaulted container would be invalid`,
            });
        }
        const seen = new Set<string>();
        settings.disabled.forEach((entry, index) => {
            if (seen.has(entry.id)) ctx.addIssue({ code: "custom", path: ["disabled", index, "id"], input: entry.id, message: `'${entry.id}' is disabled twice` });
            seen.add(entry.id);
        });
    });

export type MutationSettings = z.output<typeof mutationSettingsSchema>;
