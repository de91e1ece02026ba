import { allContainerLists, podMutationKinds } from "../../mutations/apply";
import { MutationDefinition } from "../../mutations/types";

export const containerPrivilegeEscalationDefault: MutationDefinition = {
    id: "container-privilege-escalation-default",
    title: "Containers that leave allowPrivilegeEscalation unset get false",
    rationale:
        "Kubernetes defaults allowPrivilegeEscalation to true, which lets setuid binaries gain privileges; Pod Security restricted requires false. An explicit value is never changed.",
    severity: "high",
    capability: 6,
    kinds: podMutationKinds,
    scope: { kind: "containers", lists: allContainerLists },
    assignments: () => [{ path: ["securityContext", "allowPrivilegeEscalation"], value: false }],
    satisfies: ["pss-allow-privilege-escalation"],
    fixturesDir: __dirname,
};
