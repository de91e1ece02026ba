import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

const blocksEscalation = `(${containerHas("allowPrivilegeEscalation")} && c.securityContext.allowPrivilegeEscalation == false)`;

export const allowPrivilegeEscalation = podSecurityControl({
    id: "pss-allow-privilege-escalation",
    title: "Containers must set allowPrivilegeEscalation: false",
    rationale: "Without no_new_privs a setuid binary can regain root inside the container (PSS restricted: Privilege Escalation).",
    severity: "high",
    level: "restricted",
    validations: [
        {
            expression: `variables.isWindows || variables.containers.all(c, ${blocksEscalation})`,
            message: "securityContext.allowPrivilegeEscalation must be false",
            messageExpression: namingContainers("securityContext.allowPrivilegeEscalation must be false for container(s)", `!${blocksEscalation}`),
        },
    ],
    fixturesDir: __dirname,
});
