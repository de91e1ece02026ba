import Ajv, { ValidateFunction } from "ajv";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { sharedDir } from "./shared";

export const crdSchemasDir = path.join(sharedDir, "schemas", "crds");

/** `<group>/<kind>_<version>.json` for a custom resource, the catalogue's naming scheme. */
export function schemaPathFor(apiVersion: string, kind: string): string | undefined {
    if (!apiVersion.includes("/")) return undefined;
    const [group, version] = apiVersion.split("/");
    return path.join(crdSchemasDir, group, `${kind.toLowerCase()}_${version}.json`);
}

const engineTierValidated = new Set(["admissionregistration.k8s.io/v1/MutatingAdmissionPolicy", "admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding"]);

// Core kinds are validated by kubernetes-models' schemas (the upstream OpenAPI definitions).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreModels: Record<string, () => { new (data: unknown): { validate(): void } }> = {
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": () => require("kubernetes-models/admissionregistration.k8s.io/v1").ValidatingAdmissionPolicy,
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": () => require("kubernetes-models/admissionregistration.k8s.io/v1").ValidatingAdmissionPolicyBinding,
    "v1/Namespace": () => require("kubernetes-models/v1").Namespace,
    "v1/ConfigMap": () => require("kubernetes-models/v1").ConfigMap,
    "v1/Secret": () => require("kubernetes-models/v1").Secret,
    "policy/v1/PodDisruptionBudget": () => require("kubernetes-models/policy/v1").PodDisruptionBudget,
    "v1/Service": () => require("kubernetes-models/v1").Service,
    "v1/ServiceAccount": () => require("kubernetes-models/v1").ServiceAccount,
    "apps/v1/DaemonSet": () => require("kubernetes-models/apps/v1").DaemonSet,
    "apps/v1/Deployment": () => require("kubernetes-models/apps/v1").Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": () => require("kubernetes-models/autoscaling/v2").HorizontalPodAutoscaler,
    "rbac.authorization.k8s.io/v1/ClusterRole": () => require("kubernetes-models/rbac.authorization.k8s.io/v1").ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": () => require("kubernetes-models/rbac.authorization.k8s.io/v1").ClusterRoleBinding,
};

/** A RegExp from a Go (RE2) pattern: an inline `(?i)` becomes the `i` flag. */
function goRegExp(pattern: string, flags: string): RegExp {
    return pattern.includes("(?i)") ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`) : new RegExp(pattern, flags);
}
goRegExp.code = "goRegExp";

/** Tetragon's CRDs ship as YAML in its pinned chart, not in ../shared/schemas/crds. */
export const tetragonCrdsDir = path.join(sharedDir, "charts", "tetragon-1.7.0", "crds-yaml");

/** The openAPIV3Schema of a CRD in `tetragonCrdsDir` serving `apiVersion`/`kind`, if any. */
function crdYamlSchema(apiVersion: string, kind: string): object | undefined {
    if (!fs.existsSync(tetragonCrdsDir)) return undefined;
    const [group, version] = apiVersion.split("/");
    for (const file of fs.readdirSync(tetragonCrdsDir).filter((name) => name.endsWith(".yaml"))) {
        const crd = yaml.load(fs.readFileSync(path.join(tetragonCrdsDir, file), "utf8")) as { spec: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: object } }[] } };
        if (crd.spec.group !== group || crd.spec.names.kind !== kind) continue;
        return crd.spec.versions.find((candidate) => candidate.name === version)?.schema?.openAPIV3Schema;
    }
    return undefined;
}


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
        // kubernetes-models has no schema for these (GA in Kubernetes 1.36): the engine tier creates every
        // stack's rendering on the real API server (test/engines/mutations-parity.engine.test.ts).
        if (engineTierValidated.has(`${apiVersion}/${kind}`)) return [];
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
        const crdSchema = file !== undefined && !fs.existsSync(file) ? crdYamlSchema(apiVersion, kind) : undefined;
        if (crdSchema !== undefined) {
            const key = `${apiVersion}/${kind}`;
            let validateCrd = this.compiled.get(key);
            if (validateCrd === undefined) {
                validateCrd = this.ajv.compile(crdSchema);
                this.compiled.set(key, validateCrd);
            }
            return validateCrd(object) ? [] : [`${kind}/${name}: ${this.ajv.errorsText(validateCrd.errors)}`];
        }
        if (file === undefined || !fs.existsSync(file)) throw new Error(`no schema for ${apiVersion} ${kind} (looked for ${file ?? "a core model"})`);
        let validate = this.compiled.get(file);
        if (validate === undefined) {
            validate = this.ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")) as object);
            this.compiled.set(file, validate);
        }
        return validate(object) ? [] : [`${kind}/${name}: ${this.ajv.errorsText(validate.errors)}`];
    }
}
