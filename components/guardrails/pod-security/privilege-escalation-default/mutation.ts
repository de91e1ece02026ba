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
    assignments: () => [
        {
            path: ["securityContext", "allowPrivilegeEscalation"],
            value: false,
            // The API server rejects false beside these, so such a container is left for Pod Security to judge.
            unlessContainer: [
                { path: ["securityContext", "privileged"], equals: true },
                { path: ["securityContext", "capabilities", "add"], includesAnyOf: ["SYS_ADMIN", "CAP_SYS_ADMIN"] },
            ],
        },
    ],
    satisfies: ["pss-allow-privilege-escalation"],
    notExpressibleIn: {
        gatekeeper:
            "Gatekeeper's Assign tests only the path it writes, so it cannot hold back on a privileged container (or one adding CAP_SYS_ADMIN), where false makes the object invalid",
    },
    fixturesDir: __dirname,
};
