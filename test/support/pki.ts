/*
 * A throw-away PKI for tests: a CA for registry TLS and a Fulcio-like CA issuing code-signing
 * certificates with an identity (SAN URI) and the OIDC issuer extensions (v1 and v2), as Fulcio does. Keys come
 * from Node's crypto; certificates from the openssl CLI (Node cannot issue X.509 certificates).
 */
import { execFileSync } from "child_process";
import { generateKeyPairSync, KeyObject } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface KeyPair {
    readonly privateKey: KeyObject;
    readonly publicKeyPem: string;
    readonly privateKeyPem: string;
}

export function newKeyPair(): KeyPair {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return {
        privateKey,
        publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
}

export interface Certificate extends KeyPair {
    readonly certificatePem: string;
    readonly keyFile: string;
    readonly certificateFile: string;
}

function openssl(args: string[], dir: string): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A self-signed CA certificate. */
export function newCa(dir: string, name: string): Certificate {
    const keys = newKeyPair();
    const keyFile = path.join(dir, `${name}.key`);
    const certificateFile = path.join(dir, `${name}.pem`);
    fs.writeFileSync(keyFile, keys.privateKeyPem);
    openssl(["req", "-x509", "-new", "-key", keyFile, "-subj", `/O=bulwark-test/CN=${name}`, "-days", "2", "-sha256", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", certificateFile], dir);
    return { ...keys, keyFile, certificateFile, certificatePem: fs.readFileSync(certificateFile, "utf8") };
}

/** A leaf certificate issued by `ca` with the given extensions (openssl x509v3 config lines). */
export function issue(dir: string, ca: Certificate, name: string, extensions: string[], days = 1): Certificate {
    const keys = newKeyPair();
    const keyFile = path.join(dir, `${name}.key`);
    const csrFile = path.join(dir, `${name}.csr`);
    const extFile = path.join(dir, `${name}.ext`);
    const certificateFile = path.join(dir, `${name}.pem`);
    fs.writeFileSync(keyFile, keys.privateKeyPem);
    fs.writeFileSync(extFile, `${extensions.join("\n")}\n`);
    openssl(["req", "-new", "-key", keyFile, "-subj", `/O=bulwark-test/CN=${name}`, "-out", csrFile], dir);
    openssl(["x509", "-req", "-in", csrFile, "-CA", ca.certificateFile, "-CAkey", ca.keyFile, "-CAcreateserial", "-days", String(days), "-sha256", "-extfile", extFile, "-out", certificateFile], dir);
    return { ...keys, keyFile, certificateFile, certificatePem: fs.readFileSync(certificateFile, "utf8") };
}

/** A TLS server certificate for 127.0.0.1. */
export function serverCertificate(dir: string, ca: Certificate): Certificate {
    return issue(dir, ca, "registry", ["subjectAltName=IP:127.0.0.1,DNS:localhost", "extendedKeyUsage=serverAuth", "keyUsage=critical,digitalSignature"]);
}

/**
 * A Fulcio-style signing certificate: the identity as a SAN URI and the OIDC issuer in the v2
 * issuer extension (1.3.6.1.4.1.57264.1.8, a DER UTF8String) plus the v1 one, code-signing usage.
 */
export function signingCertificate(dir: string, ca: Certificate, name: string, identity: string, issuer: string): Certificate {
    return issue(dir, ca, name, [
        `subjectAltName=URI:${identity}`,
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=codeSigning",
        `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${issuer}`,
        // The v1 issuer extension (raw bytes), which cosign v2 reads.
        `1.3.6.1.4.1.57264.1.1=DER:${Buffer.from(issuer).toString("hex").replace(/(..)(?!$)/g, "$1:")}`,
    ]);
}
