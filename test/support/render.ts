import * as path from "path";
import { renderProgram, RenderResult, renderStack } from "../../cli/render";
import { readStackConfig, StackConfig } from "../../cli/stackConfig";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const stackNames = ["dev", "staging", "prod"] as const;

export function stackConfig(stack: string): StackConfig {
    return readStackConfig(path.join(repoRoot, "stacks", `Pulumi.${stack}.yaml`));
}

/** Runs the real program for a stack file under the Pulumi mock runtime. */
export function renderStackFile(stack: string): Promise<RenderResult> {
    return renderStack(stack, stackConfig(stack));
}

/** Runs a program function under mocks with inline `bulwark:platform` settings. */
export function renderWith(settings: unknown, program: () => Promise<unknown>, stack = "unit"): Promise<RenderResult> {
    return renderProgram(stack, { path: "<inline>", values: { "bulwark:platform": settings }, secretKeys: [] }, program);
}

export function byType(result: RenderResult, type: string) {
    return result.resources.filter((resource) => resource.type === type);
}
