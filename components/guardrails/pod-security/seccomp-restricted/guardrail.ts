import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const allowedTypes = "['RuntimeDefault', 'Localhost']";
const podValid = `(${podHas("seccompProfile")} && variables.podSpec.securityContext.seccompProfile.type in ${allowedTypes})`;
const containerValid = `(${containerHas("seccompProfile")} ? c.securityContext.seccompProfile.type in ${allowedTypes} : ${podValid})`;

export const seccompRestricted = podSecurityControl({
    id: "pss-seccomp-restricted",
    title: "Seccomp must be RuntimeDefault or Localhost",
    rationale: "Restricted pods must run under a seccomp profile, set explicitly (PSS restricted: Seccomp).",
    severity: "high",
    level: "restricted",
    validations: [
        {
            expression: `variables.isWindows || !(${podHas("seccompProfile")}) || ${podValid}`,
            message: "spec.securityContext.seccompProfile.type must be RuntimeDefault or Localhost",
        },
        {
            expression: `variables.isWindows || variables.containers.all(c, ${containerValid})`,
            message: "seccompProfile.type must be RuntimeDefault or Localhost in the pod or every container",
            messageExpression: namingContainers("seccompProfile.type must be RuntimeDefault or Localhost (pod or container) for container(s)", `!${containerValid}`),
        },
    ],
    fixturesDir: __dirname,
});
