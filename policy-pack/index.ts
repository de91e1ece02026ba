import { PolicyPack } from "@pulumi/policy";
import { crossGuardCapabilityPolicies, crossGuardPolicies, crossGuardStackPolicies } from "../components/guardrails/crossguard";
import { imageSignaturePolicy } from "../components/guardrails/images/signature-verified/guardrail";
import { crossGuardRemediationPolicies } from "../components/guardrails/mutations/crossguard";

// Every policy comes from the guardrail catalog, the same definitions `bulwark check` runs, so the
// two cannot drift. Levels and namespace facts per stack: policy-pack/config/<stack>.json.
new PolicyPack("bulwark", {
    description: "Bulwark guardrails: safe defaults (remediations), Pod Security Standards and the platform's Kubernetes guardrails.",
    enforcementLevel: "mandatory",
    policies: [...crossGuardRemediationPolicies(), ...crossGuardPolicies(), imageSignaturePolicy(), ...crossGuardStackPolicies(), ...crossGuardCapabilityPolicies()],
});
