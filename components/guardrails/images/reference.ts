/*
 * Image reference parsing in CEL, written once and inlined per container (CEL has no functions).
 * Follows the Docker reference grammar: the first path component is a registry only when it
 * contains '.' or ':' or is 'localhost'; otherwise the image is on Docker Hub, and a single
 * component means `docker.io/library/<name>`.
 */

/** The last path component of `image` (name plus tag and/or digest). */
export function lastComponent(image: string): string {
    return `${image}.split('/')[${image}.split('/').size() - 1]`;
}

/** True when the reference carries a digest. */
export function hasDigest(image: string): string {
    return `${image}.contains('@')`;
}

/** The tag, or '' when there is none (a digest-only reference, or a bare name). */
export function tagOf(image: string): string {
    const last = lastComponent(image);
    const withoutDigest = `${last}.split('@')[0]`;
    return `(${withoutDigest}.contains(':') ? ${withoutDigest}.split(':')[1] : '')`;
}

/** The fully qualified, registry-lower-cased reference: `docker.io/library/nginx:1.25`. */
export function normalized(image: string): string {
    const first = `${image}.split('/')[0]`;
    const hasRegistry = `(${image}.contains('/') && (${first}.contains('.') || ${first}.contains(':') || ${first} == 'localhost'))`;
    return `(${hasRegistry} ? ${first}.lowerAscii() + ${image}.substring(${first}.size()) : (${image}.contains('/') ? 'docker.io/' + ${image} : 'docker.io/library/' + ${image}))`;
}

/** True when the normalized reference `ref` is `prefix` itself or lies under it. */
export function underPrefix(ref: string, prefix: string): string {
    return `(${ref} == ${prefix} || ${ref}.startsWith(${prefix} + '/') || ${ref}.startsWith(${prefix} + ':') || ${ref}.startsWith(${prefix} + '@'))`;
}
