import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { sharedDir } from "./shared";

export const crdSchemasDir = path.join(sharedDir, "schemas", "crds");

/** `<group>/<kind>_<version>.json` for a custom resource, the catalogue's naming scheme. */
export function schemaPathFor(apiVersion: string, kind: string): string | undefined {
    if (!apiVersion.includes("/")) return undefined;
    const [group, version] = apiVersion.split("/");
    return path.join(crdSchemasDir, group, `${kind.toLowerCase()}_${version}.json`);
}

// Core kinds are validated by kubernetes-models' schemas (the upstream OpenAPI definitions).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreModels: Record<string, () => { new (data: unknown): { validate(): void } }> = {
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": () => require("kubernetes-models/admissionregistration.k8s.io/v1").ValidatingAdmissionPolicy,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": () => require("kubernetes-models/admissionregistration.k8s.io/v1").ValidatingAdmissionPolicyBinding,
    "v1/Namespace": () => require("kubernetes-models/v1").Namespace,
    "v1/ConfigMap": () => require("kubernetes-models/v1").ConfigMap,
    "v1/Secret": () => require("kubernetes-models/v1").Secret,
    "policy/v1/PodDisruptionBudget": () => require("kubernetes-models/policy/v1").PodDisruptionBudget,
    "v1/ServiceAccount": () => require("kubernetes-models/v1").ServiceAccount,
    "apps/v1/DaemonSet": () => require("kubernetes-models/apps/v1").DaemonSet,
    "rbac.authorization.k8s.io/v1/ClusterRole": () => require("kubernetes-models/rbac.authorization.k8s.io/v1").ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": () => require("kubernetes-models/rbac.authorization.k8s.io/v1").ClusterRoleBinding,
};

/**
 * CRD patterns are Go (RE2) regular expressions; some start a group with Go's inline
 * case-insensitive flag, `(?i)` (the Prometheus Operator's `^(?i)(abort|warn)?$`), which JavaScript
 * does not parse. Translate that one construct into the `i` flag; everything else is passed on.
 */
const goRegExp = Object.assign(
    (pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.split("(?i)").join(""), `${flags}i`) : new RegExp(pattern, flags)),
    { code: "goRegExp" },
);

/**
 * Validates Kubernetes objects: custom resources against ../shared/schemas (ajv), Gatekeeper
 * constraints against their own template's parameter schema, core kinds against kubernetes-models.
 */
export class SchemaValidator {
    private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
    private readonly compiled = new Map<string, ValidateFunction>();
    private readonly constraintSchemas = new Map<string, ValidateFunction>();

    /** Registers the parameter schemas of ConstraintTemplates found among `objects`. */
    learnTemplates(objects: readonly Record<string, unknown>[]): void {
        for (const object of objects) {
            if (object.kind !== "ConstraintTemplate") continue;
            const spec = object.spec as { crd: { spec: { names: { kind: string }; validation?: { openAPIV3Schema?: object } } } };
            this.constraintSchemas.set(spec.crd.spec.names.kind, this.ajv.compile(spec.crd.spec.validation?.openAPIV3Schema ?? {}));
        }
    }

    /** Problems with one object; `[]` when valid. Throws when no schema is known for its kind. */
    validate(object: Record<string, unknown>): string[] {
        const apiVersion = String(object.apiVersion);
        const kind = String(object.kind);
        const name = (object.metadata as { name?: string } | undefined)?.name ?? "";
        const core = coreModels[`${apiVersion}/${kind}`];
        if (core !== undefined) {
            try {
                new (core())(object).validate();
                return [];
            } catch (error) {
                return [`${kind}/${name}: ${(error as Error).message}`];
            }
        }
        if (apiVersion.startsWith("constraints.gatekeeper.sh/")) {
            const validate = this.constraintSchemas.get(kind);
            if (validate === undefined) throw new Error(`Constraint ${kind}/${name} has no ConstraintTemplate in the same output`);
            const parameters = (object.spec as { parameters?: unknown } | undefined)?.parameters ?? {};
            return validate(parameters) ? [] : [`${kind}/${name}: parameters ${this.ajv.errorsText(validate.errors)}`];
        }
        const file = schemaPathFor(apiVersion, kind);
        if (file === undefined || !fs.existsSync(file)) throw new Error(`no schema for ${apiVersion} ${kind} (looked for ${file ?? "a core model"})`);
        let validate = this.compiled.get(file);
        if (validate === undefined) {
            validate = this.ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")) as object);
            this.compiled.set(file, validate);
        }
        return validate(object) ? [] : [`${kind}/${name}: ${this.ajv.errorsText(validate.errors)}`];
    }
}
