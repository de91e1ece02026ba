import { podSecurityControl } from "../control";
import { namingContainers } from "../pod-spec";

const usesHostPort = "(has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0))";

export const hostPorts = podSecurityControl({
    id: "pss-host-ports",
    title: "Containers must not bind host ports",
    rationale: "Host ports bypass network policy and tie pods to nodes (PSS baseline: Host Ports).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `variables.containers.all(c, !${usesHostPort})`,
            message: "hostPort is forbidden: ports[].hostPort must be unset or 0",
            messageExpression: namingContainers("hostPort is forbidden for container(s)", usesHostPort),
        },
    ],
    fixturesDir: __dirname,
});
