import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

const unmasked = `(${containerHas("procMount")} && c.securityContext.procMount != 'Default')`;
const userNamespaced = "(has(variables.podSpec.hostUsers) && variables.podSpec.hostUsers == false)";

export const procMount = podSecurityControl({
    id: "pss-proc-mount",
    title: "/proc must stay masked unless the pod runs in a user namespace",
    rationale: "An unmasked /proc exposes kernel interfaces; inside a user namespace (hostUsers: false) that is contained (PSS baseline: /proc Mount Type).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `${userNamespaced} || variables.containers.all(c, !${unmasked})`,
            message: "securityContext.procMount must be Default unless spec.hostUsers is false",
            messageExpression: namingContainers("securityContext.procMount must be Default (or set spec.hostUsers=false) for container(s)", unmasked),
        },
    ],
    fixturesDir: __dirname,
});
