import * as fs from "fs";
import * as path from "path";
import { defaultMutationContext, mutationContextFor } from "../../components/guardrails/mutations/context";
import { MutationContext, MutationDefinition } from "../../components/guardrails/mutations/types";
import { PlatformSettings } from "../../components/settings";
import { readStackSettings } from "../../cli/stackConfig";

export interface MutationFixture {
    readonly name: string;
    readonly inFile: string;
    readonly outFile: string;
}

/** The `in-*.yaml` files beside a mutation, each with its `out-*.yaml`. */
export function mutationFixturesOf(mutation: MutationDefinition): MutationFixture[] {
    return fs
        .readdirSync(mutation.fixturesDir)
        .filter((name) => /^in-.+\.yaml$/.test(name))
        .sort()
        .map((name) => ({ name: name.replace(/^in-|\.yaml$/g, ""), inFile: path.join(mutation.fixturesDir, name), outFile: path.join(mutation.fixturesDir, name.replace(/^in-/, "out-")) }));
}

/** Settings from the mutation folder's optional `stack.yaml`. */
export function mutationFixtureSettings(mutation: MutationDefinition): PlatformSettings | undefined {
    const file = path.join(mutation.fixturesDir, "stack.yaml");
    return fs.existsSync(file) ? readStackSettings(file, "fixtures") : undefined;
}

/** The context the fixtures are written for: the folder's stack, or the no-stack default. */
export function mutationFixtureContext(mutation: MutationDefinition): MutationContext {
    const settings = mutationFixtureSettings(mutation);
    return settings === undefined ? defaultMutationContext() : mutationContextFor(settings);
}
