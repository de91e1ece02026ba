import { GuardrailDefinition } from "../../types";

/** True when the traffic policy at `policy` disables TLS, at its top level or on any port. */
function disablesTls(policy: string): string {
    return (
        `(has(${policy}.tls) && has(${policy}.tls.mode) && ${policy}.tls.mode == 'DISABLE') || ` +
        `(has(${policy}.portLevelSettings) && ${policy}.portLevelSettings.exists(p, has(p.tls) && has(p.tls.mode) && p.tls.mode == 'DISABLE'))`
    );
}

const topLevel = `has(object.spec.trafficPolicy) && (${disablesTls("object.spec.trafficPolicy")})`;
const inSubsets = `has(object.spec.subsets) && object.spec.subsets.exists(s, has(s.trafficPolicy) && (${disablesTls("s.trafficPolicy")}))`;

export const destinationRuleTls: GuardrailDefinition = {
    id: "mesh-destination-rule-tls",
    title: "DestinationRules never disable TLS",
    rationale: "tls.mode DISABLE makes the client sidecar send plaintext, silently undoing STRICT mutual TLS for that host.",
    severity: "critical",
    capability: 5,
    kinds: ["DestinationRule"],
    cel: {
        variables: [],
        validations: [
            {
                expression: `!has(object.spec) || !((${topLevel}) || (${inSubsets}))`,
                message: "trafficPolicy.tls.mode DISABLE is forbidden (top level, port level and subsets)",
                messageExpression: "'DestinationRule for host ' + object.spec.host + ' disables TLS (tls.mode DISABLE)'",
            },
        ],
    },
    fixturesDir: __dirname,
};
