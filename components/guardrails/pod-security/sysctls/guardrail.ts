import { podSecurityControl } from "../control";
import { podHas } from "../pod-spec";

/** Namespaced sysctls that PSS (latest) considers safe. */
export const safeSysctls = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

const safeList = `[${safeSysctls.map((name) => `'${name}'`).join(", ")}]`;

export const sysctls = podSecurityControl({
    id: "pss-sysctls",
    title: "Only safe sysctls may be set",
    rationale: "Unsafe sysctls change kernel behaviour for every pod on the node (PSS baseline: Sysctls).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `!(${podHas("sysctls")}) || variables.podSpec.securityContext.sysctls.all(s, s.name in ${safeList})`,
            message: `spec.securityContext.sysctls may contain only ${safeSysctls.join(", ")}`,
            messageExpression: `'unsafe sysctl(s): ' + variables.podSpec.securityContext.sysctls.filter(s, !(s.name in ${safeList})).map(s, s.name).join(', ')`,
        },
    ],
    fixturesDir: __dirname,
});
