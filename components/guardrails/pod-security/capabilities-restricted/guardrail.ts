import { podSecurityControl } from "../control";
import { containerHas, namingContainers } from "../pod-spec";

const dropsAll = `(${containerHas("capabilities")} && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)`;
const addsOnlyBind = `(!(${containerHas("capabilities")}) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE'))`;

export const capabilitiesRestricted = podSecurityControl({
    id: "pss-capabilities-restricted",
    title: "Containers must drop ALL capabilities and add at most NET_BIND_SERVICE",
    rationale: "Restricted pods start from no capabilities (PSS restricted: Capabilities).",
    severity: "high",
    level: "restricted",
    validations: [
        {
            expression: `variables.isWindows || variables.containers.all(c, ${dropsAll})`,
            message: "securityContext.capabilities.drop must include ALL",
            messageExpression: namingContainers("securityContext.capabilities.drop must include ALL for container(s)", `!${dropsAll}`),
        },
        {
            expression: `variables.isWindows || variables.containers.all(c, ${addsOnlyBind})`,
            message: "securityContext.capabilities.add may contain only NET_BIND_SERVICE",
            messageExpression: namingContainers("capabilities other than NET_BIND_SERVICE added by container(s)", `!${addsOnlyBind}`),
        },
    ],
    fixturesDir: __dirname,
});
