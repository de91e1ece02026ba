import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

/** SELinux types PSS baseline allows (empty means the runtime default). */
const allowedTypes = "['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']";

function validOptions(options: string): string {
    return (
        `((!has(${options}.type) || ${options}.type in ${allowedTypes}) && ` +
        `(!has(${options}.user) || ${options}.user == '') && (!has(${options}.role) || ${options}.role == ''))`
    );
}

const containerBad = `(${containerHas("seLinuxOptions")} && !${validOptions("c.securityContext.seLinuxOptions")})`;

export const seLinux = podSecurityControl({
    id: "pss-selinux",
    title: "SELinux options must not escalate",
    rationale: "Custom SELinux users, roles or types can escape the container policy (PSS baseline: SELinux).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `!(${podHas("seLinuxOptions")}) || ${validOptions("variables.podSpec.securityContext.seLinuxOptions")}`,
            message: "spec.securityContext.seLinuxOptions: type must be a container type and user/role must be unset",
        },
        {
            expression: `variables.containers.all(c, !${containerBad})`,
            message: "securityContext.seLinuxOptions: type must be a container type and user/role must be unset",
            messageExpression: namingContainers("forbidden securityContext.seLinuxOptions for container(s)", containerBad),
        },
    ],
    fixturesDir: __dirname,
});
