import { z } from "zod";

/**
 * `supplyChain`: the trust policy for container images. Each entry pairs image globs with the
 * authorities that may sign them. The same policy drives deploy-time verification (CrossGuard and
 * `check --verify-signatures`) and the admission verifier rendered for the stack's engine.
 */

const pemBlock = (label: string) =>
    z
        .string()
        .trim()
        .regex(new RegExp(`^-----BEGIN ${label}-----[\\s\\S]+-----END ${label}-----$`), `must be a PEM block (-----BEGIN ${label}----- ... -----END ${label}-----)`);

const reason = z
    .string({ error: "is required: say why" })
    .trim()
    .min(20, "must explain the choice in at least 20 characters");

/**
 * An image glob: `registry/repository` with `*` (one path segment) and `**` (any depth), as
 * Kyverno and policy-controller match references. Tags and digests are not part of a glob.
 */
const imageGlob = z
    .string()
    .regex(/^[a-z0-9*]([-a-z0-9._*]*[a-z0-9*])?(:[0-9]+)?(\/[a-z0-9*]([-a-z0-9._*/]*[a-z0-9*])?)*$/, "must be a lower-case image glob such as 'ghcr.io/acme/*' or 'ghcr.io/acme/**' (no tag or digest)")
    .refine((glob) => !glob.split("/")[0].includes("*"), { message: "must name the registry host literally (no '*' in the first segment)" });

const keyAuthority = z.strictObject({
    key: z
        .strictObject({
            /** ECDSA P-256 public key in PEM, as `cosign generate-key-pair` writes `cosign.pub`. */
            publicKey: pemBlock("PUBLIC KEY").optional(),
            /** A KMS key reference (`awskms://`, `gcpkms://`, `azurekms://`, `hashivault://`); admission engines resolve it. */
            kms: z.string().regex(/^(awskms|gcpkms|azurekms|hashivault):\/\/\S+$/, "must be a KMS reference such as 'awskms:///alias/cosign'").optional(),
        })
        .refine((key) => (key.publicKey === undefined) !== (key.kms === undefined), { message: "must set exactly one of publicKey or kms" }),
});

const keylessAuthority = z.strictObject({
    keyless: z
        .strictObject({
            /** Name of an entry of `supplyChain.trustRoots`: the certificate authority and log keys. */
            trustRoot: z.string().min(1),
            /** The OIDC issuer recorded in the certificate, e.g. `https://token.actions.githubusercontent.com`. */
            issuer: z.string().url("must be the issuer's URL"),
            /** The exact certificate identity (SAN), e.g. a workflow `https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main`. */
            subject: z.string().min(1).optional(),
            /** A regular expression the whole identity must match (anchored by Bulwark). */
            subjectRegExp: z
                .string()
                .min(1)
                .refine((text) => {
                    try {
                        new RegExp(text);
                        return true;
                    } catch {
                        return false;
                    }
                }, "must be a valid regular expression")
                .optional(),
        })
        .refine((keyless) => (keyless.subject === undefined) !== (keyless.subjectRegExp === undefined), { message: "must set exactly one of subject or subjectRegExp" }),
});

const authority = z.union([keyAuthority, keylessAuthority], { error: "must be { key: { publicKey | kms } } or { keyless: { trustRoot, issuer, subject | subjectRegExp } }" });

const trustRootSchema = z
    .strictObject({
        name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lower-case letters, digits and '-'"),
        /**
         * Use the Sigstore public-good trust root shipped (as a TUF seed) in the pinned
         * `@sigstore/tuf` package: read from disk, never fetched at verification time.
         */
        publicGood: z.literal(true).optional(),
        /** Root (and intermediate) certificates of a private Fulcio or CA, PEM, root last. */
        certificateChain: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must hold PEM certificates" }).optional(),
        /** Public keys of the transparency logs whose signed entry timestamps are accepted. */
        transparencyLogKeys: z.array(pemBlock("PUBLIC KEY")).default([]),
        /**
         * The private log's URL, for admission engines that look an entry up online when a signature
         * carries no bundle. Without it, admission accepts log evidence only from the signature's
         * bundle (offline), and sends no request anywhere.
         */
        transparencyLogUrl: z.string().url("must be the log's URL, e.g. 'https://rekor.example.com'").optional(),
    })
    .refine((root) => (root.publicGood === undefined) !== (root.certificateChain === undefined), { message: "must set exactly one of publicGood or certificateChain" });

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be a sha256 digest (sha256:<64 hex>)");

const policyEntrySchema = z
    .strictObject({
        name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lower-case letters, digits and '-' (it names the admission policy)"),
        /** Images this entry governs. The first entry that matches an image decides. */
        images: z.array(imageGlob).min(1, "must list at least one image glob"),
        /** Who may sign: any one of them is enough. */
        authorities: z.array(authority).default([]),
        /** Images accepted by digest alone (no signature): needs a `reason`. */
        digests: z.array(digest).default([]),
        /** Transparency-log evidence (a signed entry timestamp or bundle) is required unless this says otherwise. */
        transparencyLog: z
            .strictObject({ required: z.literal(false), reason })
            .optional(),
        /** Why this entry exists: required for digest allowlists and the platform's upstream images. */
        reason: reason.optional(),
    })
    .superRefine((entry, ctx) => {
        if (entry.authorities.length === 0 && entry.digests.length === 0) {
            ctx.addIssue({ code: "custom", path: ["authorities"], input: entry.authorities, message: "must list at least one signing authority (or a digest allowlist with a reason): there is no silent bypass" });
        }
        if (entry.digests.length > 0 && entry.reason === undefined) {
            ctx.addIssue({ code: "custom", path: ["reason"], input: undefined, message: "is required when the entry allows images by digest" });
        }
    });

export const supplyChainSchema = z
    .strictObject({
        /** Trust roots for keyless signatures, by name. */
        trustRoots: z.array(trustRootSchema).default([]),
        /** The trust policy: first matching entry decides. */
        policies: z.array(policyEntrySchema).default([]),
        /**
         * An image that no entry matches is a violation. Only a stack whose enforcement is `audit`
         * may turn this off (prod requires a signature on every image). @default true
         */
        requireAllImages: z.boolean().default(true),
        verification: z
            .strictObject({
                /** How long a verdict stays valid in the on-disk cache, in seconds. @default 3600 */
                cacheTtlSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(3600),
                /** Concurrent registry requests. @default 8 */
                concurrency: z.number().int().min(1).max(64).default(8),
                /** Timeout of one registry request, in milliseconds. @default 10000 */
                timeoutMs: z.number().int().min(100).max(120000).default(10000),
            })
            .prefault({}),
        admission: z
            .strictObject({
                /** Admission webhook timeout for signature checks, in seconds (the API server caps it at 30). @default 15 */
                webhookTimeoutSeconds: z.number().int().min(1).max(30).default(15),
            })
            .prefault({}),
    })
    .superRefine((supplyChain, ctx) => {
        const roots = new Set(supplyChain.trustRoots.map((root) => root.name));
        supplyChain.policies.forEach((entry, index) =>
            entry.authorities.forEach((authority, authorityIndex) => {
                if ("keyless" in authority && !roots.has(authority.keyless.trustRoot)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["policies", index, "authorities", authorityIndex, "keyless", "trustRoot"],
                        input: authority.keyless.trustRoot,
                        message: `names no entry of supplyChain.trustRoots (known: ${[...roots].join(", ") || "none"})`,
                    });
                }
            }),
        );
        const names = new Set<string>();
        supplyChain.policies.forEach((entry, index) => {
            if (names.has(entry.name)) ctx.addIssue({ code: "custom", path: ["policies", index, "name"], input: entry.name, message: `'${entry.name}' is used by two entries` });
            names.add(entry.name);
        });
    });

export type SupplyChainSettings = z.output<typeof supplyChainSchema>;
export type TrustPolicyEntry = SupplyChainSettings["policies"][number];
export type TrustRootSettings = SupplyChainSettings["trustRoots"][number];
export type SigningAuthority = TrustPolicyEntry["authorities"][number];
