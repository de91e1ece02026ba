import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as assert from "assert";
import { schemaPathFor, tetragonCrdsDir } from "../../support/schemas";
import type { ApiServer, KubeObject } from "../harness/apiserver";

/** Scope of the custom kinds the platform renders (the catalogue's schemas do not record it). */
const clusterScoped = new Set(["ValidatingPolicy", "ImageValidatingPolicy", "MutatingPolicy", "ClusterPolicy", "ConstraintTemplate", "ClusterImagePolicy", "TrustRoot"]);

function plural(kind: string): string {
    const lower = kind.toLowerCase();
    if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
    if (lower.endsWith("s")) return `${lower}es`;
    return `${lower}s`;
}

/**
 * The catalogue's schemas are kubeconform-style: every object closed with
 * `additionalProperties: false`. A structural CRD schema may not combine that with `properties`,
 * so it is dropped there (the API server then prunes unknown fields instead of rejecting them).
 */
function structural(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(structural);
    if (schema === null || typeof schema !== "object") return schema;
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
        if (key === "$schema") continue;
        if (key === "additionalProperties" && value === false) continue;
        result[key] = structural(value);
    }
    return result;
}

/** A CustomResourceDefinition for `apiVersion`/`kind` from ../shared/schemas, or undefined when none exists. */
export function crdFromSharedSchema(apiVersion: string, kind: string): Record<string, unknown> | undefined {
    const file = schemaPathFor(apiVersion, kind);
    if (file === undefined || !fs.existsSync(file)) return undefined;
    const [group, version] = apiVersion.split("/");
    return crd(group, version, kind, structural(JSON.parse(fs.readFileSync(file, "utf8"))), clusterScoped.has(kind) ? "Cluster" : "Namespaced");
}

/**
 * The CRD Gatekeeper would generate for a ConstraintTemplate: `spec.parameters` takes the template's
 * schema; `match` and `enforcementAction` are Gatekeeper's own and kept open here.
 */
export function crdForConstraintTemplate(template: Record<string, unknown>): Record<string, unknown> {
    const spec = template.spec as { crd: { spec: { names: { kind: string }; validation?: { openAPIV3Schema?: object } } } };
    const kind = spec.crd.spec.names.kind;
    const schema = {
        type: "object",
        properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object" },
            spec: {
                type: "object",
                properties: {
                    enforcementAction: { type: "string" },
                    match: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    parameters: structural(spec.crd.spec.validation?.openAPIV3Schema ?? { type: "object" }),
                },
            },
            status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
    };
    return crd("constraints.gatekeeper.sh", "v1beta1", kind, schema, "Cluster");
}

function crd(group: string, version: string, kind: string, schema: unknown, scope: "Cluster" | "Namespaced"): Record<string, unknown> {
    const names = { kind, plural: plural(kind), singular: kind.toLowerCase(), listKind: `${kind}List` };
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${names.plural}.${group}` },
        spec: { group, scope, names, versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
    };
}

/** A CRD shipped as YAML with a pinned chart (Tetragon's crds-yaml) for `apiVersion`/`kind`, if any. */
export function crdFromChartCrds(apiVersion: string, kind: string): Record<string, unknown> | undefined {
    if (!fs.existsSync(tetragonCrdsDir)) return undefined;
    const [group, version] = apiVersion.split("/");
    for (const file of fs.readdirSync(tetragonCrdsDir).filter((name) => name.endsWith(".yaml"))) {
        const crd = yaml.load(fs.readFileSync(path.join(tetragonCrdsDir, file), "utf8")) as { spec: { group: string; names: { kind: string }; versions: { name: string }[] } };
        if (crd.spec.group === group && crd.spec.names.kind === kind && crd.spec.versions.some((candidate) => candidate.name === version)) return crd as unknown as Record<string, unknown>;
    }
    return undefined;
}

/** Creates a CRD on the API server (or finds it there) and waits until it is Established. */
export async function establish(api: ApiServer, crd: Record<string, unknown>): Promise<void> {
    const response = await api.apply(crd as KubeObject);
    assert.ok(response.status === 201 || response.status === 409, `CRD ${String((crd.metadata as { name: string }).name)}: ${JSON.stringify(response.body)}`);
    await api.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", String((crd.metadata as { name: string }).name), {
        predicate: (object: { status?: { conditions?: { type: string; status: string }[] } }) => object.status?.conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ?? false,
    });
}
