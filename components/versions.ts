/**
 * Every pinned version the platform renders, in one place. Bump here, never inline.
 */
export const versions = {
    /**
     * Pod Security Standards version pinned into the `*-version` namespace labels. Pinning keeps a
     * control-plane upgrade from silently tightening or loosening admission.
     */
    podSecurityStandards: "v1.35",
} as const;
