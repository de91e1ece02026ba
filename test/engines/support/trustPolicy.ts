// The trust policy the signature engine tests run under.
import { parsePlatformSettings, SupplyChainSettings } from "../../../components/settings";
import { Certificate, KeyPair } from "../../support/pki";

export const githubIssuer = "https://token.actions.githubusercontent.com";
export const ciIdentity = "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";

/** The trust policy the cases run under: key entries and keyless entries, each with and without tlog evidence required. */
export function testTrustPolicy(host: string, trustedKey: KeyPair, fulcio: Certificate, logKeyPem: string): SupplyChainSettings {
    return parsePlatformSettings(
        {
            supplyChain: {
                trustRoots: [{ name: "test-fulcio", certificateChain: fulcio.certificatePem, transparencyLogKeys: [logKeyPem] }],
                policies: [
                    { name: "keyed", images: [`${host}/keyed/**`], authorities: [{ key: { publicKey: trustedKey.publicKeyPem } }], transparencyLog: { required: false, reason: "the test registry's signatures are made offline, without a log" } },
                    // The same key, with transparency-log evidence required (the default).
                    { name: "logged", images: [`${host}/logged/**`], authorities: [{ key: { publicKey: trustedKey.publicKeyPem } }] },
                    { name: "keyless", images: [`${host}/keyless/**`], authorities: [{ keyless: { trustRoot: "test-fulcio", issuer: githubIssuer, subject: ciIdentity } }] },
                    {
                        name: "keyless-offline",
                        images: [`${host}/offline/**`],
                        authorities: [{ keyless: { trustRoot: "test-fulcio", issuer: githubIssuer, subjectRegExp: "https://github\\.com/acme/.*" } }],
                        transparencyLog: { required: false, reason: "cosign signs these with --tlog-upload=false" },
                    },
                ],
            },
        },
        "test",
        "test",
    ).supplyChain;
}
