// Engine test: the pinned sigstore policy-controller chart rendered by real Helm with the values
// Bulwark computes from a stack; each value must take effect in the rendered objects (Helm ignores a
// misspelled value silently).

import * as assert from "assert";
import { parsePlatformSettings } from "../../components/settings";
import { policyControllerNamespace, policyControllerValues } from "../../components/supply-chain/policyController";
import { versions } from "../../components/versions";
import { helmTemplate, RenderedObject } from "./harness/helm";
import { skipOrFail } from "./harness/engines";

describe("sigstore policy-controller chart with the stack's values (real Helm)", function () {
    this.timeout(300_000);
    let objects: RenderedObject[];

    before(async function () {
        const settings = parsePlatformSettings({ enforcement: "enforce", policy: { engine: "vap", replicas: 2 }, supplyChain: { admission: { webhookTimeoutSeconds: 12 } } }, "inline", "prod");
        try {
            objects = await helmTemplate({ chart: `policy-controller-${versions.policyControllerChart}`, release: "policy-controller", namespace: policyControllerNamespace, values: policyControllerValues(settings) });
        } catch (error) {
            skipOrFail(this, error);
        }
    });

    const webhooksOf = (kind: string) => objects.filter((object) => object.kind === kind).flatMap((object) => (object as unknown as { webhooks: { name: string; failurePolicy?: string; timeoutSeconds?: number; namespaceSelector?: unknown }[] }).webhooks);

    it("every admission webhook fails closed with the stack's timeout", () => {
        const webhooks = [...webhooksOf("ValidatingWebhookConfiguration"), ...webhooksOf("MutatingWebhookConfiguration")];
        assert.ok(webhooks.length >= 4, `expected the image and ClusterImagePolicy webhooks, got ${webhooks.map((webhook) => webhook.name).join(", ")}`);
        for (const webhook of webhooks) {
            assert.strictEqual(webhook.failurePolicy, "Fail", webhook.name);
            assert.strictEqual(webhook.timeoutSeconds, 12, webhook.name);
        }
    });

    it("the image webhooks only act on namespaces that opt in", () => {
        const imageWebhooks = [...webhooksOf("ValidatingWebhookConfiguration"), ...webhooksOf("MutatingWebhookConfiguration")].filter((webhook) => webhook.name === "policy.sigstore.dev");
        assert.strictEqual(imageWebhooks.length, 2);
        for (const webhook of imageWebhooks) assert.deepStrictEqual(webhook.namespaceSelector, { matchExpressions: [{ key: "policy.sigstore.dev/include", operator: "In", values: ["true"] }] });
    });

    it("every pod meets Pod Security restricted (non-root, RuntimeDefault seccomp, no escalation, every capability dropped)", () => {
        const pods = objects.filter((object) => object.kind === "Deployment" || object.kind === "Job").map((object) => ({ name: object.metadata.name, spec: (object as unknown as { spec: { template: { spec: { securityContext?: Record<string, any>; containers: { name: string; securityContext?: Record<string, any> }[] } } } }).spec.template.spec }));
        assert.ok(pods.length >= 2, "the webhook and the lease-cleanup hook");
        for (const pod of pods) {
            for (const container of pod.spec.containers) {
                const context = { ...pod.spec.securityContext, ...container.securityContext };
                assert.strictEqual(context.runAsNonRoot, true, `${pod.name}/${container.name} runAsNonRoot`);
                assert.strictEqual(context.seccompProfile?.type, "RuntimeDefault", `${pod.name}/${container.name} seccomp`);
                assert.strictEqual(container.securityContext?.allowPrivilegeEscalation, false, `${pod.name}/${container.name} allowPrivilegeEscalation`);
                assert.deepStrictEqual(container.securityContext?.capabilities?.drop, ["ALL"], `${pod.name}/${container.name} capabilities`);
            }
        }
    });

    it("runs the stack's replicas with a PodDisruptionBudget", () => {
        const deployment = objects.find((object) => object.kind === "Deployment") as unknown as { spec: { replicas: number } };
        assert.strictEqual(deployment.spec.replicas, 2);
        assert.ok(objects.some((object) => object.kind === "PodDisruptionBudget"));
    });
});
