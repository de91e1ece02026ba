import { GuardrailDefinition } from "../../types";

const weak = "['PERMISSIVE', 'DISABLE']";
// Optional field syntax rather than `has(m[port].mode)`: not every CEL implementation accepts has() on an indexed entry.
const portIsWeak = `object.spec.portLevelMtls[port].?mode.orValue('') in ${weak}`;

export const peerAuthenticationStrict: GuardrailDefinition = {
    id: "mesh-peer-authentication-strict",
    title: "PeerAuthentication never weakens mutual TLS",
    rationale: "A PERMISSIVE or DISABLE PeerAuthentication (or one port override) re-opens plaintext traffic inside a zero-trust mesh.",
    severity: "critical",
    capability: 5,
    kinds: ["PeerAuthentication"],
    cel: {
        variables: [],
        validations: [
            {
                expression: `!(has(object.spec) && has(object.spec.mtls) && has(object.spec.mtls.mode) && object.spec.mtls.mode in ${weak})`,
                message: "spec.mtls.mode must be STRICT (or UNSET to inherit the mesh-wide STRICT policy)",
                messageExpression: "'spec.mtls.mode ' + object.spec.mtls.mode + ' is forbidden: mutual TLS must be STRICT'",
            },
            {
                expression: `!(has(object.spec) && has(object.spec.portLevelMtls)) || object.spec.portLevelMtls.all(port, !(${portIsWeak}))`,
                message: "spec.portLevelMtls must not set PERMISSIVE or DISABLE on any port",
                messageExpression: `'spec.portLevelMtls weakens mutual TLS on port(s): ' + object.spec.portLevelMtls.filter(port, ${portIsWeak}).join(', ')`,
            },
        ],
    },
    fixturesDir: __dirname,
};
