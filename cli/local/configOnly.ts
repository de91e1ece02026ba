// Config-only mode (`install: false`) on a local control plane. In that mode Bulwark configures
// controllers that are installed elsewhere (cert-manager, the mesh's control plane): their
// configuration objects go into namespaces the installs own and are of kinds whose CRDs the installs
// bring, so Bulwark creates neither. A bare local control plane has no such installs, so the front
// door creates stand-ins for both before `pulumi up` and says so: the namespaces, and CRDs that
// accept any object of the kind (no schema: the engine tier checks the objects against the real
// schemas, see test/engines/lifecycle.engine.test.ts).
import { kubernetesObjects, renderStack } from "../render";
import { StackConfig } from "../stackConfig";
import { settingsKey } from "../../components/settings";
import type { KubeClient, KubeObject } from "./kubeClient";

/** The stack's config with `install: false` (what the local workspace writes for `pulumi up`). */
export function configOnlyConfig(config: StackConfig): StackConfig {
    const settings = (config.values[settingsKey] as Record<string, unknown> | undefined) ?? {};
    return { ...config, values: { ...config.values, [settingsKey]: { ...settings, install: false } } };
}

/** Namespaces that namespaced objects of a render go into but that the render does not create. */
export function namespacesManagedElsewhere(objects: readonly Record<string, unknown>[]): string[] {
    const created = new Set(objects.filter((object) => object.kind === "Namespace").map((object) => String((object.metadata as { name?: string } | undefined)?.name)));
    const used = new Set<string>();
    for (const object of objects) {
        const namespace = (object.metadata as { namespace?: unknown } | undefined)?.namespace;
        if (typeof namespace === "string" && namespace !== "" && !created.has(namespace)) used.add(namespace);
    }
    // The API server creates these itself.
    for (const builtIn of ["default", "kube-system", "kube-public", "kube-node-lease"]) used.delete(builtIn);
    return [...used].sort();
}

/** API groups the API server serves itself (no CRD needed). */
const builtInGroup = (group: string) => !group.includes(".") || group.endsWith(".k8s.io");

/** Custom kinds a render uses, with their scope (from whether its objects carry a namespace). */
export function customKinds(objects: readonly Record<string, unknown>[]): { apiVersion: string; kind: string; namespaced: boolean }[] {
    const kinds = new Map<string, { apiVersion: string; kind: string; namespaced: boolean }>();
    for (const object of objects) {
        const apiVersion = String(object.apiVersion);
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
        if (builtInGroup(group)) continue;
        const namespaced = typeof (object.metadata as { namespace?: unknown } | undefined)?.namespace === "string";
        kinds.set(`${apiVersion}/${String(object.kind)}`, { apiVersion, kind: String(object.kind), namespaced });
    }
    return [...kinds.values()];
}

/** A CRD that serves `apiVersion`/`kind` and accepts any object of it: a stand-in for the install's own CRD. */
export function standInCrd(apiVersion: string, kind: string, namespaced: boolean): KubeObject {
    const [group, version] = apiVersion.split("/");
    const lower = kind.toLowerCase();
    const plural = lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : lower.endsWith("s") ? `${lower}es` : `${lower}s`;
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}`, labels: { "app.kubernetes.io/managed-by": "bulwark-local-stand-in" } },
        spec: {
            group,
            scope: namespaced ? "Namespaced" : "Cluster",
            names: { kind, plural, singular: lower, listKind: `${kind}List` },
            versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
    };
}

/** What a config-only `pulumi up` of the stack expects external installs to have created. */
export async function standInsFor(stack: string, config: StackConfig): Promise<{ namespaces: string[]; kinds: { apiVersion: string; kind: string; namespaced: boolean }[] }> {
    const objects = kubernetesObjects(await renderStack(stack, configOnlyConfig(config)));
    return { namespaces: namespacesManagedElsewhere(objects), kinds: customKinds(objects) };
}

/** Creates the stand-in CRDs the cluster lacks and waits until they are served. Returns the ones created. */
export async function createStandInCrds(client: KubeClient, kinds: readonly { apiVersion: string; kind: string; namespaced: boolean }[]): Promise<string[]> {
    const created: string[] = [];
    for (const { apiVersion, kind, namespaced } of kinds) {
        const crd = standInCrd(apiVersion, kind, namespaced);
        const name = String((crd.metadata as { name: string }).name);
        if ((await client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)).status === 200) continue;
        const answer = await client.apply(crd);
        if (answer.status >= 300) throw new Error(`creating stand-in CRD ${name} failed (HTTP ${answer.status}): ${JSON.stringify(answer.body)}`);
        await client.waitForResource("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, {
            timeoutMs: 60_000,
            predicate: (object: { status?: { conditions?: { type: string; status: string }[] } }) => object.status?.conditions?.some((condition) => condition.type === "Established" && condition.status === "True") ?? false,
        });
        created.push(name);
    }
    return created;
}

/** Creates the stand-in namespaces on a local control plane (labelled as stand-ins). */
export async function createStandInNamespaces(client: KubeClient, names: readonly string[]): Promise<void> {
    for (const name of names) {
        const answer = await client.apply({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name,
                labels: { "app.kubernetes.io/managed-by": "bulwark-local-stand-in" },
                annotations: { "bulwark.dev/stand-in": "owned by an install that config-only mode (install: false) expects to exist already" },
            },
        });
        if (answer.status >= 300) throw new Error(`creating stand-in namespace ${name} failed (HTTP ${answer.status}): ${JSON.stringify(answer.body)}`);
    }
}
