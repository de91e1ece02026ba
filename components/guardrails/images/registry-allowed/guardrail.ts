import { namingContainers } from "../../pod-security/pod-spec";
import { dataList, podSpecGuardrail } from "../../pod-spec-guardrail";
import { normalized, underPrefix } from "../reference";

const allowed = `variables.allowedRegistries.exists(prefix, ${underPrefix(normalized("c.image"), "prefix")})`;

export const imageRegistryAllowed = podSpecGuardrail({
    id: "image-registry-allowed",
    title: "Images come only from allowed registries",
    rationale:
        "Pulling only from vetted registries keeps unscanned and typo-squatted images out. References are normalised first (Docker Hub expansion, registry case), so look-alikes such as docker.io.evil.com/x or evil.com/docker.io/x do not match docker.io.",
    severity: "high",
    capability: 4,
    usesData: true,
    variables: [{ name: "allowedRegistries", expression: dataList("allowed-registries") }],
    validations: [
        {
            expression: `variables.allowedRegistries.size() == 0 || variables.containers.all(c, has(c.image) && ${allowed})`,
            message: "images must come from an allowed registry",
            messageExpression: `${namingContainers("image registry is not allowed in container(s)", `!(has(c.image) && ${allowed})`)} + ' (allowed: ' + variables.allowedRegistries.join(', ') + ')'`,
        },
    ],
    fixturesDir: __dirname,
});
