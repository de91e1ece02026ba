/*
 * Value lists that code outside configuration parsing reads (`check`, the policy-config schema).
 * Kept free of zod so that `check` without `--stack` never loads the validation library.
 */

export const podSecurityLevels = ["privileged", "baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof podSecurityLevels)[number];
