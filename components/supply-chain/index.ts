export * from "./reference";
export * from "./registry";
export * from "./signatures";
export * from "./verifier";
export { policyFingerprint, VerdictCache } from "./cache";
