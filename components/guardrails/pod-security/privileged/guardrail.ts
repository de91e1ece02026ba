import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

const isPrivileged = `(${containerHas("privileged")} && c.securityContext.privileged == true)`;

export const privileged = podSecurityControl({
    id: "pss-privileged",
    title: "Containers must not run privileged",
    rationale: "A privileged container has every capability and device of the node (PSS baseline: Privileged Containers).",
    severity: "critical",
    level: "baseline",
    validations: [
        {
            expression: `variables.containers.all(c, !${isPrivileged})`,
            message: "privileged containers are forbidden: securityContext.privileged must be unset or false",
            messageExpression: namingContainers("securityContext.privileged=true is forbidden for container(s)", isPrivileged),
        },
    ],
    fixturesDir: __dirname,
});
