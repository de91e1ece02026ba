import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const containerHostProcess = `(${containerHas("windowsOptions")} && has(c.securityContext.windowsOptions.hostProcess) && c.securityContext.windowsOptions.hostProcess == true)`;

export const windowsHostProcess = podSecurityControl({
    id: "pss-windows-host-process",
    title: "Windows pods must not run as HostProcess",
    rationale: "A HostProcess container runs directly on the Windows node with host access (PSS baseline: HostProcess).",
    severity: "critical",
    level: "baseline",
    validations: [
        {
            expression: `!(${podHas("windowsOptions")} && has(variables.podSpec.securityContext.windowsOptions.hostProcess) && variables.podSpec.securityContext.windowsOptions.hostProcess == true)`,
            message: "spec.securityContext.windowsOptions.hostProcess must be unset or false",
        },
        {
            expression: `variables.containers.all(c, !${containerHostProcess})`,
            message: "securityContext.windowsOptions.hostProcess must be unset or false",
            messageExpression: namingContainers("windowsOptions.hostProcess=true is forbidden for container(s)", containerHostProcess),
        },
    ],
    fixturesDir: __dirname,
});
