import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const podNonRoot = `(${podHas("runAsNonRoot")} && variables.podSpec.securityContext.runAsNonRoot == true)`;
const podExplicitlyRoot = `(${podHas("runAsNonRoot")} && variables.podSpec.securityContext.runAsNonRoot == false)`;
const containerNonRoot = `(${containerHas("runAsNonRoot")} ? c.securityContext.runAsNonRoot == true : ${podNonRoot})`;

export const runAsNonRoot = podSecurityControl({
    id: "pss-run-as-non-root",
    title: "Containers must run as non-root",
    rationale: "runAsNonRoot makes the kubelet refuse an image that would run as UID 0 (PSS restricted: Running as Non-root).",
    severity: "high",
    level: "restricted",
    validations: [
        {
            expression: `!${podExplicitlyRoot}`,
            message: "spec.securityContext.runAsNonRoot must not be false",
        },
        {
            expression: `variables.containers.all(c, ${containerNonRoot})`,
            message: "runAsNonRoot must be true in the pod or in every container's securityContext",
            messageExpression: namingContainers("runAsNonRoot must be true (pod or container securityContext) for container(s)", `!${containerNonRoot}`),
        },
    ],
    fixturesDir: __dirname,
});
