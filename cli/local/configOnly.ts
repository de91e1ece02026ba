// Config-only mode (`install: false`) on a local control plane. In that mode Bulwark configures
// controllers that are installed elsewhere (cert-manager, the mesh's control plane): their
// configuration objects go into namespaces the installs own, so Bulwark does not create those
// namespaces. A bare local control plane has no such installs, so the front door and the engine
// tier create the namespaces as stand-ins for them before `pulumi up`, and say so.
import { kubernetesObjects, renderStack } from "../render";
import { StackConfig } from "../stackConfig";
import { settingsKey } from "../../components/settings";
import type { KubeClient } from "./kubeClient";

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

/** The namespaces a config-only `pulumi up` of the stack expects an external install to own. */
export async function standInNamespacesFor(stack: string, config: StackConfig): Promise<string[]> {
    return namespacesManagedElsewhere(kubernetesObjects(await renderStack(stack, configOnlyConfig(config))));
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
