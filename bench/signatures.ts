/*
 * Signature verification figures: 200 distinct images, each signed (cosign classic layout) on a real
 * loopback registry (Debian's docker-registry with TLS from a throw-away CA), verified cold (empty
 * verdict cache) and then warm, with the registry requests counted. Images are digest-pinned, as the
 * README recommends, so no tag resolution is needed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePlatformSettings } from "../components/settings";
import { ImageSignatureVerifier } from "../components/supply-chain";
import { pushImage, signImage } from "../test/support/oci";
import { newKeyPair } from "../test/support/pki";
import { startRegistry } from "../test/engines/harness/registry";

function seconds(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function benchSignatures(count = Number(process.env.BULWARK_BENCH_IMAGES ?? 200)): Promise<void> {
    let registry;
    try {
        registry = await startRegistry();
    } catch (error) {
        console.log(`signatures: skipped (${(error as Error).message})`);
        return;
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-bench-signatures-"));
    try {
        const key = newKeyPair();
        const images: string[] = [];
        const setup = process.hrtime.bigint();
        for (let start = 0; start < count; start += 20) {
            await Promise.all(
                Array.from({ length: Math.min(20, count - start) }, async (_, offset) => {
                    const repository = `bench/app-${start + offset}`;
                    const digest = await pushImage(registry, repository, "1.0");
                    await signImage(registry, repository, digest, { privateKey: key.privateKey });
                    images.push(`${registry.host}/${repository}@${digest}`);
                }),
            );
        }
        console.log(`signatures: pushed and signed ${count} images in ${seconds(setup).toFixed(1)} s (setup, not measured)`);
        const supplyChain = parsePlatformSettings(
            { supplyChain: { policies: [{ name: "bench", images: [`${registry.host}/bench/**`], authorities: [{ key: { publicKey: key.publicKeyPem } }], transparencyLog: { required: false, reason: "benchmark images are signed offline, without a log" } }] } },
            "bench",
            "bench",
        ).supplyChain;
        const cacheDir = path.join(work, "cache");
        for (const phase of ["cold", "warm"]) {
            const verifier = new ImageSignatureVerifier(supplyChain, { ca: registry.ca, cacheDir });
            const start = process.hrtime.bigint();
            const verdicts = await verifier.verifyAll(images);
            const elapsed = seconds(start);
            const failed = [...verdicts.values()].filter((verdict) => !verdict.ok).length;
            console.log(
                `signatures ${phase}: ${count} images ${(elapsed * 1000).toFixed(0).padStart(6)} ms, ${verifier.client.requestCount} registry requests (${(verifier.client.requestCount / count).toFixed(2)}/digest), ${failed} rejected`,
            );
            verifier.close();
        }
    } finally {
        await registry.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}
