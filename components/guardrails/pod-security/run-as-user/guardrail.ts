import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const containerRoot = `(${containerHas("runAsUser")} && c.securityContext.runAsUser == 0)`;

export const runAsUser = podSecurityControl({
    id: "pss-run-as-user",
    title: "Containers must not run as UID 0",
    rationale: "An explicit runAsUser: 0 is root regardless of the image (PSS restricted: Running as Non-root user).",
    severity: "high",
    level: "restricted",
    validations: [
        {
            expression: `!(${podHas("runAsUser")} && variables.podSpec.securityContext.runAsUser == 0)`,
            message: "spec.securityContext.runAsUser must not be 0",
        },
        {
            expression: `variables.containers.all(c, !${containerRoot})`,
            message: "securityContext.runAsUser must not be 0",
            messageExpression: namingContainers("securityContext.runAsUser=0 is forbidden for container(s)", containerRoot),
        },
    ],
    fixturesDir: __dirname,
});
