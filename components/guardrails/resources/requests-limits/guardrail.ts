import { podSpecGuardrail } from "../../pod-spec-guardrail";

const declared =
    "(has(c.resources) && has(c.resources.requests) && 'cpu' in c.resources.requests && 'memory' in c.resources.requests && has(c.resources.limits) && 'memory' in c.resources.limits)";
const appContainers = "(has(variables.podSpec.containers) ? variables.podSpec.containers : []) + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])";

export const resourceRequestsLimits = podSpecGuardrail({
    id: "resources-requests-limits",
    title: "Containers declare CPU and memory requests and a memory limit",
    rationale: "Requests make scheduling honest and a memory limit bounds the blast radius of a leak; without them one workload can starve a node.",
    severity: "medium",
    capability: 6,
    variables: [{ name: "appContainers", expression: appContainers }],
    validations: [
        {
            expression: `variables.appContainers.all(c, ${declared})`,
            message: "containers need resources.requests.cpu, resources.requests.memory and resources.limits.memory",
            messageExpression: `'missing CPU/memory requests or memory limit in container(s): ' + variables.appContainers.filter(c, !${declared}).map(c, c.name).join(', ')`,
        },
    ],
    fixturesDir: __dirname,
});
