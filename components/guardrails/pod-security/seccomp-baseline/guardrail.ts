import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const containerUnconfined = `(${containerHas("seccompProfile")} && c.securityContext.seccompProfile.type == 'Unconfined')`;

export const seccompBaseline = podSecurityControl({
    id: "pss-seccomp-baseline",
    title: "Seccomp must not be disabled",
    rationale: "An Unconfined seccomp profile lets a container make every syscall (PSS baseline: Seccomp).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `!(${podHas("seccompProfile")}) || variables.podSpec.securityContext.seccompProfile.type != 'Unconfined'`,
            message: "spec.securityContext.seccompProfile.type must not be Unconfined",
        },
        {
            expression: `variables.containers.all(c, !${containerUnconfined})`,
            message: "securityContext.seccompProfile.type must not be Unconfined",
            messageExpression: namingContainers("securityContext.seccompProfile.type=Unconfined is forbidden for container(s)", containerUnconfined),
        },
    ],
    fixturesDir: __dirname,
});
