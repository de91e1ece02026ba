import { z } from "zod";

/**
 * The `mesh` key of `bulwark:platform`: which service mesh carries workload traffic with strict
 * mutual TLS, and the cert-manager PKI it trusts. `mesh: istio` is shorthand for
 * `mesh: { provider: istio }`.
 */

export const meshProviders = ["istio", "linkerd", "none"] as const;
export type MeshProvider = (typeof meshProviders)[number];

/** Go/cert-manager durations as cert-manager accepts them: `8760h`, `90m`, `2160h30m`. */
const durationPattern = /^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

/** Seconds of a duration written as `<h>h<m>m<s>s` (every part optional). */
export function durationSeconds(duration: string): number {
    const match = durationPattern.exec(duration);
    if (match === null) throw new Error(`not a duration: ${duration}`);
    const part = (text: string | undefined) => (text === undefined ? 0 : Number(text.slice(0, -1)));
    return part(match[1]) * 3600 + part(match[2]) * 60 + part(match[3]);
}

const duration = z
    .string()
    .regex(durationPattern, "must be a duration such as '8760h', '720h' or '90m' (hours, minutes, seconds)")
    .refine((text) => !durationPattern.test(text) || durationSeconds(text) > 0, { message: "must be longer than zero" });

/** A CA certificate's lifetime and when cert-manager renews it. */
const caLifetime = (defaults: { duration: string; renewBefore: string }) =>
    z
        .strictObject({
            /** How long the certificate is valid. */
            duration: duration.default(defaults.duration),
            /** How long before expiry cert-manager renews (rotates) it. */
            renewBefore: duration.default(defaults.renewBefore),
        })
        .prefault({})
        .superRefine((lifetime, ctx) => {
            // Only when both parsed: a malformed duration is already reported on its own key.
            if (!durationPattern.test(lifetime.renewBefore) || !durationPattern.test(lifetime.duration)) return;
            if (durationSeconds(lifetime.renewBefore) >= durationSeconds(lifetime.duration)) {
                ctx.addIssue({ code: "custom", path: ["renewBefore"], input: lifetime.renewBefore, message: `must be shorter than duration (${lifetime.duration}), or the certificate is renewed forever` });
            }
        });

const externalIssuerSchema = z.strictObject({
    /** Name of the issuer that signs the mesh's intermediate CA (your organisation's CA). */
    name: z.string().min(1, "must name the issuer"),
    /** `ClusterIssuer` (any namespace may use it) or `Issuer` (must live in the mesh's namespace). @default "ClusterIssuer" */
    kind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer"),
    /** API group of external issuers (Vault, AWS PCA, Google CAS...). @default "cert-manager.io" */
    group: z.string().min(1).default("cert-manager.io"),
});

const pkiSchema = z.strictObject({
    /**
     * The root CA. Without `externalIssuer` cert-manager makes a self-signed root (10 years, renewed
     * 90 days before expiry); with it, the intermediate is signed by your issuer and no root is made.
     */
    root: caLifetime({ duration: "87600h", renewBefore: "2160h" }),
    /** The mesh's intermediate CA (istiod's signing CA, Linkerd's identity issuer). @default 1 year, renewed 30 days before */
    intermediate: caLifetime({ duration: "8760h", renewBefore: "720h" }),
    /** Lifetime of workload (sidecar/proxy) certificates the mesh issues. @default "24h" */
    workloadCertTtl: duration.default("24h"),
    /** Sign the intermediate with an existing cert-manager issuer instead of a self-signed root. */
    externalIssuer: externalIssuerSchema.optional(),
});

const prometheusSchema = z.strictObject({
    /** Namespace Prometheus runs in. @default the platform namespace */
    namespace: z.string().min(1).optional(),
    /** Prometheus's ServiceAccount: Linkerd authorizes scrapes by this mesh identity. @default "prometheus" */
    serviceAccount: z.string().min(1).default("prometheus"),
});

const meshObjectSchema = z.strictObject({
    /**
     * `istio` (sidecars, istio-cni) or `linkerd` (linkerd2-proxy, linkerd-cni), both with strict mutual
     * TLS for every workload namespace; `none` installs nothing and the `stack-workloads-meshed`
     * guardrail reports it (mandatory where enforcement is `enforce`).
     * @default "none"
     */
    provider: z.enum(meshProviders).default("none"),
    pki: pkiSchema.prefault({}),
    /** Who scrapes meshed pods, so that scraping keeps working under STRICT mutual TLS. */
    prometheus: prometheusSchema.prefault({}),
});

/** `mesh: istio` or `mesh: { provider: istio, pki: {...} }`. */
export const meshSchema = z.preprocess(
    (value) => (typeof value === "string" ? { provider: value } : value),
    meshObjectSchema,
);

export type MeshSettings = z.output<typeof meshObjectSchema>;
export type MeshPkiSettings = MeshSettings["pki"];
