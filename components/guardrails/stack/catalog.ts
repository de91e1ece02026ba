import { objectsOfKind, releasesOf, StackGuardrailDefinition, StackResource } from "./definitions";

function admissionEnginePresent(resources: readonly StackResource[]): string[] {
    const vap = objectsOfKind(resources, "ValidatingAdmissionPolicy");
    const kyvernoPolicies = objectsOfKind(resources, "ValidatingPolicy");
    const gatekeeperTemplates = objectsOfKind(resources, "ConstraintTemplate");
    const fluxSync = objectsOfKind(resources, "Kustomization").filter((resource) => String((resource.props.spec as { path?: string } | undefined)?.path ?? "").startsWith("./policies/"));
    if (vap.length + kyvernoPolicies.length + gatekeeperTemplates.length + fluxSync.length > 0) return [];
    return ["no admission engine policies in the stack: expected ValidatingAdmissionPolicies, Kyverno ValidatingPolicies, Gatekeeper ConstraintTemplates or a Flux Kustomization syncing ./policies/"];
}

function failsClosed(resources: readonly StackResource[]): string[] {
    const problems: string[] = [];
    for (const kind of ["ValidatingAdmissionPolicy", "ValidatingPolicy"]) {
        for (const resource of objectsOfKind(resources, kind)) {
            const failurePolicy = (resource.props.spec as { failurePolicy?: string } | undefined)?.failurePolicy ?? "Fail";
            if (failurePolicy !== "Fail") problems.push(`${kind} ${resource.name} has failurePolicy ${failurePolicy}; security guardrails must fail closed (Fail)`);
        }
    }
    for (const release of releasesOf(resources, ["gatekeeper"])) {
        const policy = (release.props.values as { validatingWebhookFailurePolicy?: string } | undefined)?.validatingWebhookFailurePolicy ?? "Ignore";
        if (policy !== "Fail") problems.push(`Gatekeeper release ${release.name} sets validatingWebhookFailurePolicy ${policy}; it must be Fail`);
    }
    return problems;
}

function highlyAvailable(resources: readonly StackResource[], required: boolean): string[] {
    if (!required) return [];
    const problems: string[] = [];
    for (const release of releasesOf(resources, ["kyverno"])) {
        const values = release.props.values as { admissionController?: { replicas?: number; podDisruptionBudget?: { enabled?: boolean } } } | undefined;
        if ((values?.admissionController?.replicas ?? 1) < 2) problems.push(`Kyverno release ${release.name} runs fewer than 2 admission controller replicas`);
        if (values?.admissionController?.podDisruptionBudget?.enabled !== true) problems.push(`Kyverno release ${release.name} has no PodDisruptionBudget`);
    }
    for (const release of releasesOf(resources, ["gatekeeper"])) {
        const values = release.props.values as { replicas?: number; pdb?: { controllerManager?: { minAvailable?: number } } } | undefined;
        if ((values?.replicas ?? 1) < 2) problems.push(`Gatekeeper release ${release.name} runs fewer than 2 replicas`);
        if ((values?.pdb?.controllerManager?.minAvailable ?? 0) < 1) problems.push(`Gatekeeper release ${release.name} has no PodDisruptionBudget`);
    }
    return problems;
}

export const stackGuardrails: readonly StackGuardrailDefinition[] = [
    {
        id: "stack-admission-engine",
        title: "An admission engine enforces the guardrails, fails closed, and is highly available where guardrails enforce",
        rationale: "Deploy-time checks only cover what passes through Pulumi; admission covers every API request. A webhook that fails open, or a single replica, silently drops that protection.",
        severity: "critical",
        capability: 2,
        check: (resources, config) => [...admissionEnginePresent(resources), ...failsClosed(resources), ...highlyAvailable(resources, config.requireHighAvailability ?? false)],
    },
    {
        id: "stack-runtime-security",
        title: "An eBPF runtime-security agent (Falco or Tetragon) is present",
        rationale: "Admission stops bad configuration, not a compromised process at run time; runtime detection covers what happens after admission.",
        severity: "high",
        capability: 7,
        check: (resources) => {
            const agents = [...releasesOf(resources, ["falco", "tetragon"]), ...objectsOfKind(resources, "DaemonSet").filter((resource) => /falco|tetragon/.test(resource.name))];
            return agents.length > 0 ? [] : ["no runtime-security agent in the stack: expected a Falco or Tetragon release or DaemonSet (set runtimeSecurity to falco or tetragon)"];
        },
    },
    {
        id: "stack-image-signature-policy",
        title: "The stack has an image trust policy and an admission verifier that enforces it",
        rationale: "Only signature verification ties a running image to the CI that built it; registry allowlists and tags do not. Deploy-time checks need the trust policy, admission needs a verifier.",
        severity: "high",
        capability: 4,
        check: (resources, config) => {
            const problems: string[] = [];
            if ((config.trustPolicyEntries ?? 0) === 0) problems.push("no supplyChain trust policy: bulwark:platform.supplyChain.policies is empty, so no image signature can be verified");
            const kyvernoImagePolicies = [...objectsOfKind(resources, "ImageValidatingPolicy"), ...objectsOfKind(resources, "ClusterPolicy").filter((resource) => JSON.stringify(resource.props.spec ?? {}).includes("verifyImages"))];
            const sigstorePolicies = objectsOfKind(resources, "ClusterImagePolicy");
            const fluxSync = objectsOfKind(resources, "Kustomization").filter((resource) => String((resource.props.spec as { path?: string } | undefined)?.path ?? "").startsWith("./policies/"));
            if (kyvernoImagePolicies.length + sigstorePolicies.length + fluxSync.length === 0) {
                problems.push("no admission image verifier in the stack: expected a Kyverno ImageValidatingPolicy, a sigstore ClusterImagePolicy, or a Flux Kustomization syncing ./policies/ (which carries them)");
            }
            const policyControllers = releasesOf(resources, ["policy-controller"]);
            if (sigstorePolicies.length > 0 && policyControllers.length === 0 && objectsOfKind(resources, "Deployment").every((resource) => !resource.name.includes("policy-controller"))) {
                problems.push("ClusterImagePolicy objects exist but no sigstore policy-controller enforces them");
            }
            for (const release of policyControllers) {
                // The chart's default is Fail; a stack that overrides it lets unverified images through when the webhook is down.
                const failurePolicy = (release.props.values as { webhook?: { failurePolicy?: string } } | undefined)?.webhook?.failurePolicy ?? "Fail";
                if (failurePolicy !== "Fail") problems.push(`sigstore policy-controller release ${release.name} sets webhook.failurePolicy ${failurePolicy}; it must be Fail`);
            }
            return problems;
        },
    },
    {
        id: "stack-workloads-meshed",
        title: "A service mesh is installed and every workload namespace is enrolled in it",
        rationale: "Strict mutual TLS only protects traffic between meshed pods; an unenrolled namespace talks plaintext.",
        severity: "high",
        capability: 5,
        check: (resources, config) => {
            // A mesh is present when its control plane is installed, or (a mesh managed elsewhere) its
            // mesh-wide STRICT policy / Linkerd trust roots are configured by this stack.
            const controlPlanes = releasesOf(resources, ["istiod", "linkerd-control-plane"]);
            const meshWideStrict = objectsOfKind(resources, "PeerAuthentication").filter((resource) => {
                const props = resource.props as { metadata?: { namespace?: string }; spec?: { selector?: unknown; mtls?: { mode?: string } } };
                return props.spec?.selector === undefined && props.spec?.mtls?.mode === "STRICT" && props.metadata?.namespace === "istio-system";
            });
            const linkerdRoots = objectsOfKind(resources, "ConfigMap").filter((resource) => (resource.props.metadata as { name?: string } | undefined)?.name === "linkerd-identity-trust-roots");
            const noMesh =
                controlPlanes.length + meshWideStrict.length + linkerdRoots.length === 0
                    ? ["no service mesh in the stack (mesh: none): expected an istiod or linkerd-control-plane release, or a mesh-wide STRICT PeerAuthentication in istio-system"]
                    : [];
            const meshed = new Set(
                objectsOfKind(resources, "Namespace")
                    .filter((resource) => {
                        const metadata = resource.props.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined;
                        return (
                            metadata?.labels?.["istio-injection"] === "enabled" ||
                            metadata?.labels?.["istio.io/dataplane-mode"] === "ambient" ||
                            metadata?.labels?.["istio.io/rev"] !== undefined ||
                            metadata?.annotations?.["linkerd.io/inject"] === "enabled"
                        );
                    })
                    .map((resource) => String((resource.props.metadata as { name?: string }).name)),
            );
            const unmeshed = (config.workloadNamespaces ?? []).filter((namespace) => !meshed.has(namespace));
            return [...noMesh, ...(unmeshed.length === 0 ? [] : [`workload namespace(s) not enrolled in a mesh: ${unmeshed.join(", ")}`])];
        },
    },
];
