import { podMutationKinds } from "../../mutations/apply";
import { MutationDefinition } from "../../mutations/types";

export const containerResourcesDefault: MutationDefinition = {
    id: "container-resources-default",
    title: "Containers get the stack's default CPU and memory requests and memory limit where unset",
    rationale:
        "Unsized containers schedule dishonestly and can starve a node; the stack's defaults (mutations.resources) fill in each missing value, and a value the container set is never changed. Ephemeral containers may not declare resources, so they are skipped.",
    severity: "medium",
    capability: 6,
    kinds: podMutationKinds,
    scope: { kind: "containers", lists: ["containers", "initContainers"] },
    assignments: (context) => [
        { path: ["resources", "requests", "cpu"], value: context.resources.cpuRequest },
        { path: ["resources", "requests", "memory"], value: context.resources.memoryRequest },
        { path: ["resources", "limits", "memory"], value: context.resources.memoryLimit },
    ],
    satisfies: ["resources-requests-limits"],
    fixturesDir: __dirname,
};
