import { imageSignatureVerified } from "../guardrails/images/signature-verified/guardrail";
import { guardrailAnnotations, managedLabels, systemNamespaces, validationActions } from "../policy/render/common";
import { EnforcementMode, SigningAuthority, SupplyChainSettings, TrustPolicyEntry } from "../settings";

export { policyControllerOptInLabel } from "./policyControllerScope";

/**
 * Admission globs match the whole reference (tag or digest included), so an entry's repository glob
 * becomes two: `<glob>:*` and `<glob>@*`. Both engines' `*` crosses '/', so `**` is rendered as `*`.
 */
function admissionGlobs(entry: TrustPolicyEntry): string[] {
    return entry.images.flatMap((glob) => {
        const flat = glob.replace(/\*\*/g, "*");
        return [`${flat}:*`, `${flat}@*`];
    });
}

function entryPolicyName(entry: TrustPolicyEntry): string {
    return `bulwark-image-signature-${entry.name}`;
}

function kyvernoAttestor(authority: SigningAuthority, index: number, entry: TrustPolicyEntry, settings: SupplyChainSettings): Record<string, unknown> {
    const ignoreTlog = entry.transparencyLog !== undefined;
    if ("key" in authority) {
        return { name: `a${index}`, cosign: { key: authority.key.publicKey !== undefined ? { data: authority.key.publicKey } : { kms: authority.key.kms }, ctlog: { insecureIgnoreTlog: ignoreTlog, insecureIgnoreSCT: true } } };
    }
    const root = settings.trustRoots.find((candidate) => candidate.name === authority.keyless.trustRoot);
    const identity = authority.keyless.subject !== undefined ? { issuer: authority.keyless.issuer, subject: authority.keyless.subject } : { issuer: authority.keyless.issuer, subjectRegExp: `^(?:${authority.keyless.subjectRegExp})$` };
    const privateRoot = root !== undefined && !root.publicGood;
    return {
        name: `a${index}`,
        cosign: {
            keyless: { identities: [identity], ...(privateRoot ? { roots: root.certificateChain } : {}) },
            ctlog: {
                insecureIgnoreTlog: ignoreTlog,
                // A private CA issues no certificate-transparency timestamps.
                insecureIgnoreSCT: privateRoot,
                ...(privateRoot && root.transparencyLogKeys.length > 0 ? { rekorPubKey: root.transparencyLogKeys[0] } : {}),
            },
        },
    };
}

/**
 * One Kyverno ImageValidatingPolicy per trust-policy entry with signing authorities: verify by
 * digest, mutate tags to digests, fail closed, explicit webhook timeout. Digest-only entries have
 * no Kyverno attestor form; deploy-time verification still enforces them.
 */
export function renderKyvernoImagePolicies(settings: SupplyChainSettings, mode: EnforcementMode, excludedNamespaces: readonly string[] = ["kyverno"]): Record<string, unknown>[] {
    return settings.policies
        .filter((entry) => entry.authorities.length > 0)
        .map((entry) => {
            const attestors = entry.authorities.map((authority, index) => kyvernoAttestor(authority, index, entry, settings));
            const list = `[${attestors.map((attestor) => `attestors.${String(attestor.name)}`).join(", ")}]`;
            return {
                apiVersion: "policies.kyverno.io/v1",
                kind: "ImageValidatingPolicy",
                metadata: { name: entryPolicyName(entry), labels: managedLabels, annotations: { ...guardrailAnnotations(imageSignatureVerified), "bulwark.dev/trust-policy-entry": entry.name } },
                spec: {
                    failurePolicy: "Fail",
                    validationActions: validationActions(mode),
                    webhookConfiguration: { timeoutSeconds: settings.admission.webhookTimeoutSeconds },
                    matchConstraints: {
                        resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }],
                        namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...systemNamespaces, ...excludedNamespaces] }] },
                    },
                    matchImageReferences: admissionGlobs(entry).map((glob) => ({ glob })),
                    validationConfigurations: { mutateDigest: true, verifyDigest: true, required: true },
                    attestors,
                    validations: [
                        {
                            expression: `images.containers.map(image, verifyImageSignatures(image, ${list})).all(count, count > 0)`,
                            message: `images matching ${entry.images.join(", ")} must be signed by an authority of trust-policy entry '${entry.name}'`,
                        },
                    ],
                },
            };
        });
}

/**
 * One sigstore ClusterImagePolicy per trust-policy entry, for stacks whose engine is Gatekeeper or
 * native ValidatingAdmissionPolicy (neither verifies signatures). Digest allowlists become a
 * static pass only for the listed digests.
 */
export function renderClusterImagePolicies(settings: SupplyChainSettings, mode: EnforcementMode): Record<string, unknown>[] {
    return settings.policies.map((entry) => {
        const authorities = entry.authorities.map((authority, index) => {
            if ("key" in authority) return { name: `a${index}`, key: authority.key.publicKey !== undefined ? { data: authority.key.publicKey, hashAlgorithm: "sha256" } : { kms: authority.key.kms } };
            const root = settings.trustRoots.find((candidate) => candidate.name === authority.keyless.trustRoot);
            const identity = authority.keyless.subject !== undefined ? { issuer: authority.keyless.issuer, subject: authority.keyless.subject } : { issuer: authority.keyless.issuer, subjectRegExp: `^(?:${authority.keyless.subjectRegExp})$` };
            return { name: `a${index}`, keyless: { identities: [identity], ...(root !== undefined && !root.publicGood ? { "ca-cert": { data: root.certificateChain } } : {}) } };
        });
        const images = entry.authorities.length > 0 ? entry.images.map((glob) => ({ glob })) : entry.digests.flatMap((digest) => entry.images.map((glob) => ({ glob: `${glob}@${digest}` })));
        return {
            apiVersion: "policy.sigstore.dev/v1beta1",
            kind: "ClusterImagePolicy",
            metadata: { name: entryPolicyName(entry), labels: managedLabels, annotations: { ...guardrailAnnotations(imageSignatureVerified), "bulwark.dev/trust-policy-entry": entry.name } },
            spec: { images, authorities: authorities.length > 0 ? authorities : [{ name: "allowlisted-digest", static: { action: "pass" } }], mode: mode === "enforce" ? "enforce" : "warn" },
        };
    });
}
