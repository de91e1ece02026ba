/** An image reference split into its parts, with Docker Hub's implicit names made explicit. */
export interface ImageReference {
    /** Registry host (and port), lower-cased: `ghcr.io`, `127.0.0.1:5000`, `docker.io`. */
    readonly registry: string;
    /** Repository path inside the registry: `acme/app`, `library/nginx`. */
    readonly repository: string;
    readonly tag?: string;
    /** `sha256:<hex>` when the reference is pinned. */
    readonly digest?: string;
}

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/**
 * Parses a reference with the Docker grammar: the first path component is a registry only when it
 * contains '.' or ':' or is 'localhost'; otherwise the image is on Docker Hub.
 */
export function parseImageReference(image: string): ImageReference {
    let rest = image.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!digestPattern.test(digest)) throw new Error(`image '${image}' has a malformed digest (expected sha256:<64 hex>)`);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    const parts = rest.split("/");
    const first = parts[0];
    const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first.toLowerCase() : "docker.io";
    let repository = hasRegistry ? parts.slice(1).join("/") : rest;
    if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
    if (repository === "" || !/^[a-z0-9]+([._/-][a-z0-9]+|__[a-z0-9]+|-+[a-z0-9]+)*$/.test(repository)) {
        throw new Error(`image '${image}' has a malformed repository name '${repository}'`);
    }
    if (tag === undefined && digest === undefined) tag = "latest";
    return { registry, repository, tag, digest };
}

/** `registry/repository`, the name trust-policy globs match. */
export function repositoryName(reference: ImageReference): string {
    return `${reference.registry}/${reference.repository}`;
}

/** `registry/repository@sha256:...`. */
export function pinnedName(reference: ImageReference, digest: string): string {
    return `${repositoryName(reference)}@${digest}`;
}

/**
 * Glob over `registry/repository`: `*` matches within one path segment, `**` across segments,
 * the way Kyverno and policy-controller match image globs.
 */
export function globToRegExp(glob: string): RegExp {
    let pattern = "";
    for (let index = 0; index < glob.length; index++) {
        const char = glob[index];
        if (char === "*" && glob[index + 1] === "*") {
            pattern += ".*";
            index++;
        } else if (char === "*") {
            pattern += "[^/]*";
        } else {
            pattern += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
        }
    }
    return new RegExp(`^${pattern}$`);
}

export function matchesGlob(name: string, glob: string): boolean {
    return globToRegExp(glob).test(name);
}
