import { podSecurityControl } from "../control";
import { containerHas, namingContainers, podHas } from "../pod-spec";

const allowedTypes = "['RuntimeDefault', 'Localhost']";
const annotationPrefix = "container.apparmor.security.beta.kubernetes.io/";
const containerOverrides = `(${containerHas("appArmorProfile")} && !(c.securityContext.appArmorProfile.type in ${allowedTypes}))`;
const annotations = "variables.podTemplate.metadata.annotations";
const badAnnotation = `k.startsWith('${annotationPrefix}') && !(${annotations}[k] == 'runtime/default' || ${annotations}[k].startsWith('localhost/'))`;
const hasAnnotations = `(has(variables.podTemplate.metadata) && has(${annotations}))`;

export const appArmor = podSecurityControl({
    id: "pss-apparmor",
    title: "AppArmor must not be disabled",
    rationale: "An unconfined AppArmor profile removes a mandatory-access-control layer (PSS baseline: AppArmor).",
    severity: "high",
    level: "baseline",
    validations: [
        {
            expression: `!(${podHas("appArmorProfile")}) || variables.podSpec.securityContext.appArmorProfile.type in ${allowedTypes}`,
            message: "spec.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost",
        },
        {
            expression: `variables.containers.all(c, !${containerOverrides})`,
            message: "securityContext.appArmorProfile.type must be RuntimeDefault or Localhost",
            messageExpression: namingContainers("securityContext.appArmorProfile.type must be RuntimeDefault or Localhost for container(s)", containerOverrides),
        },
        {
            expression: `!${hasAnnotations} || ${annotations}.all(k, !(${badAnnotation}))`,
            message: `${annotationPrefix}* annotations must be runtime/default or localhost/*`,
            messageExpression: `'forbidden AppArmor annotation(s): ' + ${annotations}.filter(k, ${badAnnotation}).map(k, k + '=' + ${annotations}[k]).join(', ')`,
        },
    ],
    fixturesDir: __dirname,
});
