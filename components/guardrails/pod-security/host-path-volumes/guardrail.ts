import { podSecurityControl } from "../control";

export const hostPathVolumes = podSecurityControl({
    id: "pss-host-path-volumes",
    title: "Pods must not mount hostPath volumes",
    rationale: "hostPath gives a pod the node's filesystem, including credentials and the container runtime socket (PSS baseline: HostPath Volumes).",
    severity: "critical",
    level: "baseline",
    validations: [
        {
            expression: "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))",
            message: "hostPath volumes are forbidden",
            messageExpression: "'hostPath volumes are forbidden: ' + variables.podSpec.volumes.filter(v, has(v.hostPath)).map(v, v.name).join(', ')",
        },
    ],
    fixturesDir: __dirname,
});
