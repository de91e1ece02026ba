import { allContainerLists, podMutationKinds } from "../../mutations/apply";
import { MutationDefinition } from "../../mutations/types";

export const containerCapabilitiesDropDefault: MutationDefinition = {
    id: "container-capabilities-drop-default",
    title: "Containers that drop no capabilities get drop: [ALL]",
    rationale:
        "The runtime's default capability set includes NET_RAW and others a workload rarely needs; Pod Security restricted requires dropping ALL. A container that lists its own drops keeps them, and added capabilities are untouched.",
    severity: "high",
    capability: 6,
    kinds: podMutationKinds,
    scope: { kind: "containers", lists: allContainerLists },
    assignments: () => [{ path: ["securityContext", "capabilities", "drop"], value: ["ALL"] }],
    satisfies: ["pss-capabilities-restricted"],
    fixturesDir: __dirname,
};
