// The component package: import these from another Pulumi program.
export { Platform, PlatformArgs } from "./platform";
export { PodSecurity, PodSecurityArgs } from "./pod-security/podSecurity";
export { AdmissionGuardrails, AdmissionGuardrailsArgs } from "./policy/admissionGuardrails";
export { renderAdmissionPolicies } from "./policy/render";
export * from "./pod-security/labels";
export * from "./settings";
export { catalog, crossObjectCatalog } from "./guardrails/catalog";
export { stackGuardrails } from "./guardrails/stack/catalog";
export { crossGuardCapabilityPolicies, crossGuardPolicies, crossGuardStackPolicies } from "./guardrails/crossguard";
export { GuardrailEvaluator } from "./guardrails/evaluate";
