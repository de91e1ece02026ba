export * from "./runtimeSecurity";
export * from "./sensorReleases";
export * from "./tetragonPolicies";
export * from "./alerts";
export { falcoRuleSet, rules as falcoRules, macros as falcoMacros } from "./rules/rules";
export { renderFalcoRules, falcoRuleEntries } from "./rules/render";
export { checkRuleSet } from "./rules/check";
