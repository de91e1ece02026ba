import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

/** The capabilities PSS baseline lets a container add. */
export const baselineCapabilities = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

const allowedList = `[${baselineCapabilities.map((capability) => `'${capability}'`).join(", ")}]`;
const addsForbidden = `(${containerHas("capabilities")} && has(c.securityContext.capabilities.add) && !c.securityContext.capabilities.add.all(cap, cap in ${allowedList}))`;

export const capabilitiesBaseline = podSecurityControl({
    id: "pss-capabilities-baseline",
    title: "Containers may add only the default capabilities",
    rationale: "Capabilities beyond the runtime default (NET_RAW, SYS_ADMIN, ...) widen the kernel attack surface (PSS baseline: Capabilities).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `variables.containers.all(c, !${addsForbidden})`,
            message: `securityContext.capabilities.add may contain only ${baselineCapabilities.join(", ")}`,
            messageExpression: namingContainers("non-default capabilities added by container(s)", addsForbidden),
        },
    ],
    fixturesDir: __dirname,
});
