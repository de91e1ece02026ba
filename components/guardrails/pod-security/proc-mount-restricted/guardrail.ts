import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

const unmasked = `(${containerHas("procMount")} && c.securityContext.procMount != 'Default')`;

export const procMountRestricted = podSecurityControl({
    id: "pss-proc-mount-restricted",
    title: "/proc must stay masked",
    rationale: "Restricted pods keep the default masked /proc even inside a user namespace (PSS restricted: /proc Mount Type).",
    severity: "medium",
    level: "restricted",
    validations: [
        {
            expression: `variables.containers.all(c, !${unmasked})`,
            message: "securityContext.procMount must be unset or Default",
            messageExpression: namingContainers("securityContext.procMount must be Default for container(s)", unmasked),
        },
    ],
    fixturesDir: __dirname,
});
