import { podSecurityControl } from "../control";
import { podHostFlag } from "./flags";

export const hostNamespaces = podSecurityControl({
    id: "pss-host-namespaces",
    title: "Pods must not share the host's network, PID or IPC namespace",
    rationale: "Host namespaces expose node processes, interfaces and IPC to the pod (PSS baseline: Host Namespaces).",
    severity: "critical",
    level: "baseline",
    validations: [
        {
            expression: `!${podHostFlag("hostNetwork")} && !${podHostFlag("hostPID")} && !${podHostFlag("hostIPC")}`,
            message: "host namespaces are forbidden: spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false",
            messageExpression:
                "'host namespaces are forbidden:' + " +
                `(${podHostFlag("hostNetwork")} ? ' hostNetwork=true' : '') + (${podHostFlag("hostPID")} ? ' hostPID=true' : '') + (${podHostFlag("hostIPC")} ? ' hostIPC=true' : '')`,
        },
    ],
    fixturesDir: __dirname,
});
