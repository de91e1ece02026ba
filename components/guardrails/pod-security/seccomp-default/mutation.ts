import { podMutationKinds } from "../../mutations/apply";
import { MutationDefinition } from "../../mutations/types";

export const podSeccompDefault: MutationDefinition = {
    id: "pod-seccomp-default",
    title: "Pods without any seccomp profile get RuntimeDefault at pod level",
    rationale:
        "Pod Security restricted requires a seccomp profile; RuntimeDefault is the container runtime's own safe filter. A profile chosen by the pod or by any container is left as it is.",
    severity: "high",
    capability: 6,
    kinds: podMutationKinds,
    scope: { kind: "podSpec" },
    assignments: () => [
        {
            path: ["securityContext", "seccompProfile"],
            value: { type: "RuntimeDefault" },
            unlessAnyContainerSets: ["securityContext", "seccompProfile"],
        },
    ],
    satisfies: ["pss-seccomp-baseline", "pss-seccomp-restricted"],
    notExpressibleIn: {
        gatekeeper:
            "Gatekeeper's Assign tests only the path it writes (pathTests on spec.securityContext.seccompProfile), so it cannot hold back when a container sets its own profile",
    },
    fixturesDir: __dirname,
};
