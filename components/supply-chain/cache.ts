import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SupplyChainSettings, TrustPolicyEntry } from "../settings";

/** A verification verdict for one digest under one trust-policy entry. */
export interface Verdict {
    readonly ok: boolean;
    readonly message: string;
}

function stable(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value as object)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${stable((value as Record<string, unknown>)[key])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

/** Fingerprint of what a verdict depends on: the entry and the trust roots it names. */
export function policyFingerprint(entry: TrustPolicyEntry, settings: SupplyChainSettings): string {
    const roots = settings.trustRoots.filter((root) => entry.authorities.some((authority) => "keyless" in authority && authority.keyless.trustRoot === root.name));
    const logKeys = settings.trustRoots.flatMap((root) => root.transparencyLogKeys);
    return createHash("sha256").update(stable({ entry, roots, logKeys })).digest("hex");
}

export function defaultCacheDir(): string {
    return process.env["BULWARK_SIGNATURE_CACHE"] || path.join(os.homedir(), ".cache", "bulwark", "signatures");
}

/**
 * Verdicts on disk, one small JSON file per (digest, policy fingerprint), valid for `ttlSeconds`.
 * Only verdicts reached from registry content are stored: a failure to reach the registry is
 * never cached, so it is retried next time.
 */
export class VerdictCache {
    constructor(
        readonly dir: string,
        private readonly ttlSeconds: number,
    ) {}

    private file(digest: string, fingerprint: string): string {
        return path.join(this.dir, `${createHash("sha256").update(`${digest} ${fingerprint}`).digest("hex")}.json`);
    }

    get(digest: string, fingerprint: string, now = Date.now()): Verdict | undefined {
        if (this.ttlSeconds === 0) return undefined;
        try {
            const stored = JSON.parse(fs.readFileSync(this.file(digest, fingerprint), "utf8")) as Verdict & { digest: string; expires: number };
            if (stored.digest !== digest || stored.expires <= now) return undefined;
            return { ok: stored.ok, message: stored.message };
        } catch {
            return undefined;
        }
    }

    put(digest: string, fingerprint: string, verdict: Verdict, now = Date.now()): void {
        if (this.ttlSeconds === 0) return;
        fs.mkdirSync(this.dir, { recursive: true });
        const target = this.file(digest, fingerprint);
        const temporary = `${target}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, JSON.stringify({ digest, ...verdict, expires: now + this.ttlSeconds * 1000 }));
        fs.renameSync(temporary, target);
    }
}
