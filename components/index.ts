export { Platform, PlatformArgs } from "./platform";
export { PodSecurity, PodSecurityArgs } from "./pod-security/podSecurity";
export * from "./pod-security/labels";
export * from "./settings";
export { catalog } from "./guardrails/catalog";
export { GuardrailEvaluator } from "./guardrails/evaluate";
