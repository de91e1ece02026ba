import { namingContainers } from "../../pod-security/pod-spec";
import { podSpecGuardrail } from "../../pod-spec-guardrail";
import { hasDigest, tagOf } from "../reference";

const pinned = `(${hasDigest("c.image")} || (${tagOf("c.image")} != '' && ${tagOf("c.image")} != 'latest'))`;

export const imageTagRequired = podSpecGuardrail({
    id: "image-tag-required",
    title: "Images carry a tag or digest, and never the tag latest",
    rationale: "An untagged or latest image changes under a running workload: rollbacks, audits and signature checks then refer to something else.",
    severity: "high",
    capability: 4,
    validations: [
        {
            expression: `variables.containers.all(c, has(c.image) && ${pinned})`,
            message: "every image needs a tag other than latest, or a digest",
            messageExpression: namingContainers("image has no tag or uses latest in container(s)", `!(has(c.image) && ${pinned})`),
        },
    ],
    fixturesDir: __dirname,
});
