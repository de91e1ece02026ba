import { podSecurityControl } from "../control";
import { namingContainers } from "../pod-spec";

/** A probe or lifecycle handler at `path` (on container `c`) names no host. */
function handlerHostUnset(path: string): string {
    const hostUnset = (action: string) => `(!has(${path}.${action}) || !has(${path}.${action}.host) || ${path}.${action}.host == '')`;
    return `${hostUnset("httpGet")} && ${hostUnset("tcpSocket")}`;
}

// Field paths are spelled out because Kubernetes CEL cannot index a typed object by a string.
const handlers = ["c.livenessProbe", "c.readinessProbe", "c.startupProbe"].map((probe) => `(!has(${probe}) || (${handlerHostUnset(probe)}))`);
const lifecycle = ["postStart", "preStop"].map((hook) => `(!has(c.lifecycle.${hook}) || (${handlerHostUnset(`c.lifecycle.${hook}`)}))`);
const containerClean = `(${handlers.join(" && ")} && (!has(c.lifecycle) || (${lifecycle.join(" && ")})))`;

export const hostProbesLifecycle = podSecurityControl({
    id: "pss-host-probes-lifecycle",
    title: "Probes and lifecycle hooks must not target another host",
    rationale: "A host field turns the kubelet into a proxy to arbitrary addresses (PSS baseline: Host Probes / Lifecycle Hooks).",
    severity: "medium",
    level: "baseline",
    validations: [
        {
            expression: `variables.containers.all(c, ${containerClean})`,
            message: "probe and lifecycle httpGet/tcpSocket host must be unset",
            messageExpression: namingContainers("probe or lifecycle host is forbidden for container(s)", `!${containerClean}`),
        },
    ],
    fixturesDir: __dirname,
});
