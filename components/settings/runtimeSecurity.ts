import { z } from "zod";

/**
 * `runtimeSecurity`: the eBPF runtime sensor (capability 7). A stack may write just the sensor
 * (`runtimeSecurity: falco`) or an object with the options below.
 */

export const runtimeSensors = ["falco", "tetragon", "none"] as const;
export type RuntimeSensor = (typeof runtimeSensors)[number];

/**
 * The exception lists a stack may extend. Each is a Falco list (and, where Tetragon covers the same
 * intent, a value set in its TracingPolicy); a rule's condition is never edited to make room.
 */
export const runtimeExceptionLists = [
    "bulwark_shell_allowed_images",
    "bulwark_sensitive_file_readers",
    "bulwark_system_dir_writers",
    "bulwark_package_manager_allowed_images",
    "bulwark_allowed_egress_ports",
    "bulwark_privileged_exec_allowed_images",
] as const;
export type RuntimeExceptionList = (typeof runtimeExceptionLists)[number];

const exceptionItem = z.union([
    z.string().trim().min(1, "must not be empty").regex(/^[^\s"',()]+$/, "must be a single token without spaces, quotes, commas or parentheses"),
    z.number().int("must be a whole number").min(1).max(65535),
]);

const runtimeExceptionSchema = z.strictObject({
    /** The exception list the items join. */
    list: z.enum(runtimeExceptionLists),
    /** Process names, image repositories or ports (for `bulwark_allowed_egress_ports`). */
    items: z.array(exceptionItem).min(1, "must list at least one item"),
    /** Why: rendered beside the items in the rules file and shown in reviews. */
    reason: z
        .string({ error: "is required: every runtime-security exception needs a written reason" })
        .trim()
        .min(20, "must explain the exception in at least 20 characters"),
});

const runtimeSecurityObjectSchema = z.strictObject({
    /**
     * The sensor: `falco` (detection rules, alerts through falcosidekick), `tetragon` (TracingPolicies,
     * can also enforce) or `none` (flagged by the `stack-runtime-security` guardrail).
     * @default "falco"
     */
    sensor: z.enum(runtimeSensors).default("falco"),
    /**
     * Tetragon only: let TracingPolicies act (`Sigkill` the process, `Override` the syscall's return)
     * instead of only reporting. Off by default: a wrong policy kills healthy workloads.
     * @default false
     */
    enforce: z.boolean().default(false),
    /** Extra items for the platform's exception lists, each with a reason. @default [] */
    exceptions: z.array(runtimeExceptionSchema).default([]),
}).superRefine((settings, ctx) => {
    if (settings.enforce && settings.sensor !== "tetragon") {
        ctx.addIssue({ code: "custom", path: ["enforce"], input: settings.enforce, message: `is a Tetragon option (Sigkill/Override); sensor '${settings.sensor}' only detects` });
    }
});

/** The schema of `runtimeSecurity`: a sensor name, or the full object. */
export const runtimeSecuritySchema = z.preprocess(
    (raw) => (typeof raw === "string" ? { sensor: raw } : raw),
    runtimeSecurityObjectSchema,
);

export type RuntimeSecuritySettings = z.output<typeof runtimeSecurityObjectSchema>;
export type RuntimeSecurityException = RuntimeSecuritySettings["exceptions"][number];

export { runtimeSecurityNamespaces } from "./levels";
