/*
 * Value lists that code outside configuration parsing reads (`check`, the policy-config schema).
 * Kept free of zod so that `check` without `--stack` never loads the validation library.
 */

export const podSecurityLevels = ["privileged", "baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof podSecurityLevels)[number];

/** Namespaces the runtime sensors install into (their own, at Pod Security `privileged`). */
export const runtimeSecurityNamespaces: Readonly<Record<"falco" | "tetragon", string>> = { falco: "falco", tetragon: "tetragon" };

/** The default container resources the `container-resources-default` mutation fills in. */
export const defaultMutationResources = { cpuRequest: "100m", memoryRequest: "128Mi", memoryLimit: "512Mi" } as const;
