/** True when the pod spec sets a boolean host flag to true. */
export function podHostFlag(field: "hostNetwork" | "hostPID" | "hostIPC"): string {
    return `(has(variables.podSpec.${field}) && variables.podSpec.${field} == true)`;
}
