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

/** The public-good Rekor, whose keys policy-controller reads from its own Sigstore TUF root. */
export const publicGoodRekorUrl = "https://rekor.sigstore.dev";

/**
 * The log URL rendered for a private root that names none. `.invalid` never resolves (RFC 2606), so
 * policy-controller verifies log evidence from the signature's bundle only and sends no lookup
 * anywhere. A URL must be rendered: policy-controller's v1beta1 → v1alpha1 conversion drops a
 * `ctlog` without one (pkg/apis/policy/v1alpha1/clusterimagepolicy_conversion.go), and the log check
 * with it.
 */
export const offlineOnlyLogUrl = "https://transparency-log.invalid";

/** The TrustRoot holding every private trust root's transparency-log keys (key authorities' log evidence). */
export const transparencyLogsTrustRootName = "bulwark-transparency-logs";

function trustRootName(root: { name: string }): string {
    return `bulwark-${root.name}`;
}

/** policy-controller's TrustRoot fields are Go []byte: base64 of the PEM text. */
function base64(text: string): string {
    return Buffer.from(text.trim() + "\n", "utf8").toString("base64");
}

type TrustRoot = SupplyChainSettings["trustRoots"][number];

function logUrl(root: TrustRoot | undefined): string {
    return root?.transparencyLogUrl ?? offlineOnlyLogUrl;
}

function transparencyLogs(root: TrustRoot): Record<string, unknown>[] {
    return root.transparencyLogKeys.map((key) => ({ baseURL: logUrl(root), hashAlgorithm: "sha-256", publicKey: base64(key) }));
}

/** The private roots with log keys: their keys back key authorities' log evidence. */
function privateLogRoots(settings: SupplyChainSettings): TrustRoot[] {
    return settings.trustRoots.filter((root) => !root.publicGood && root.transparencyLogKeys.length > 0);
}

/**
 * policy-controller TrustRoots (policy.sigstore.dev/v1alpha1, cluster-scoped) for the private trust
 * roots: one per root (its CA chain and log keys, for keyless authorities), and one with every
 * private log key (for key authorities whose entry requires log evidence, as deploy time accepts a
 * signed entry timestamp from any of them). Verification against them is offline: the log evidence
 * is the signature's bundle (signed entry timestamp), checked with these keys. Public-good roots need
 * none: policy-controller ships Sigstore's TUF root.
 */
export function renderSigstoreTrustRoots(settings: SupplyChainSettings): Record<string, unknown>[] {
    const privateRoots = settings.trustRoots.filter((root) => !root.publicGood && root.certificateChain !== undefined);
    const metadata = (name: string, description: string) => ({ name, labels: managedLabels, annotations: { ...guardrailAnnotations(imageSignatureVerified), "bulwark.dev/trust-root": description } });
    const roots = privateRoots.map((root) => ({
        apiVersion: "policy.sigstore.dev/v1alpha1",
        kind: "TrustRoot",
        metadata: metadata(trustRootName(root), root.name),
        spec: {
            sigstoreKeys: {
                certificateAuthorities: [{ subject: { organization: "bulwark", commonName: root.name }, certChain: base64(root.certificateChain!) }],
                ...(root.transparencyLogKeys.length > 0 ? { tLogs: transparencyLogs(root) } : {}),
            },
        },
    }));
    const logRoots = privateLogRoots(settings);
    const logs =
        logRoots.length === 0 || !needsLogTrustRoot(settings)
            ? []
            : [{ apiVersion: "policy.sigstore.dev/v1alpha1", kind: "TrustRoot", metadata: metadata(transparencyLogsTrustRootName, "transparency logs of every private trust root"), spec: { sigstoreKeys: { tLogs: logRoots.flatMap(transparencyLogs) } } }];
    return [...roots, ...logs];
}

/** True when some key authority's entry requires transparency-log evidence. */
function needsLogTrustRoot(settings: SupplyChainSettings): boolean {
    return settings.policies.some((entry) => entry.transparencyLog === undefined && entry.authorities.some((authority) => "key" in authority));
}

/**
 * One sigstore ClusterImagePolicy per trust-policy entry, for stacks whose engine is Gatekeeper or
 * native ValidatingAdmissionPolicy (neither verifies signatures). Digest allowlists become a
 * static pass only for the listed digests.
 *
 * Transparency-log evidence: policy-controller skips the log check for an authority without `ctlog`
 * (pkg/webhook/validator.go, checkOptsFromAuthority: no Rekor client and no keys → IgnoreTlog), so an
 * entry that requires evidence names its log: the private roots' keys through a TrustRoot (offline,
 * from the signature's bundle), or the public-good Rekor. An entry with `transparencyLog.required:
 * false` gets no `ctlog`, which is exactly "not required".
 */
export function renderClusterImagePolicies(settings: SupplyChainSettings, mode: EnforcementMode): Record<string, unknown>[] {
    const logRoots = privateLogRoots(settings);
    return settings.policies.map((entry) => {
        const logRequired = entry.transparencyLog === undefined;
        const authorities = entry.authorities.map((authority, index) => {
            if ("key" in authority) {
                const key = authority.key.publicKey !== undefined ? { data: authority.key.publicKey, hashAlgorithm: "sha256" } : { kms: authority.key.kms };
                const ctlog = logRoots.length > 0 ? { url: logUrl(logRoots[0]), trustRootRef: transparencyLogsTrustRootName } : { url: publicGoodRekorUrl };
                return { name: `a${index}`, key, ...(logRequired ? { ctlog } : {}) };
            }
            const root = settings.trustRoots.find((candidate) => candidate.name === authority.keyless.trustRoot);
            const identity = authority.keyless.subject !== undefined ? { issuer: authority.keyless.issuer, subject: authority.keyless.subject } : { issuer: authority.keyless.issuer, subjectRegExp: `^(?:${authority.keyless.subjectRegExp})$` };
            if (root === undefined || root.publicGood) return { name: `a${index}`, keyless: { identities: [identity] } };
            // A private CA: its TrustRoot; it issues no certificate-transparency timestamps (SCTs).
            return {
                name: `a${index}`,
                keyless: { identities: [identity], trustRootRef: trustRootName(root), insecureIgnoreSCT: true },
                ...(logRequired ? { ctlog: { url: logUrl(root), trustRootRef: trustRootName(root) } } : {}),
            };
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

/** Everything policy-controller needs from the trust policy: the TrustRoots, then the ClusterImagePolicies. */
export function renderPolicyControllerPolicies(settings: SupplyChainSettings, mode: EnforcementMode): Record<string, unknown>[] {
    return [...renderSigstoreTrustRoots(settings), ...renderClusterImagePolicies(settings, mode)];
}
