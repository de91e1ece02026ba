/*
 * Debian's docker-registry (CNCF distribution), started on 127.0.0.1 with a random port and TLS
 * from a CA made for the test; stopped (and its storage removed) by the caller or at exit.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { Certificate, newCa, serverCertificate } from "../../support/pki";
import { EngineUnavailableError } from "./engines";
import { freePorts } from "../../../cli/local/processes";

export interface RunningRegistry {
    readonly host: string;
    readonly ca: string;
    readonly caFile: string;
    readonly dir: string;
    readonly tlsCa: Certificate;
    stop(): Promise<void>;
}

export function registryBinary(): string {
    for (const candidate of ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]) if (fs.existsSync(candidate)) return candidate;
    try {
        return execFileSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" }).trim();
    } catch {
        throw new EngineUnavailableError("docker-registry is not installed (apt-get install docker-registry; .ci/run installs it)");
    }
}

const freePort = async (): Promise<number> => (await freePorts(1))[0];

function ping(host: string, ca: string): Promise<number> {
    return new Promise((resolve) => {
        const request = https.get({ host: "127.0.0.1", port: Number(host.split(":")[1]), path: "/v2/", ca, timeout: 1000 }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
        });
        request.on("error", () => resolve(0));
        request.on("timeout", () => request.destroy());
    });
}

export async function startRegistry(): Promise<RunningRegistry> {
    const binary = registryBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-registry-"));
    const tlsCa = newCa(dir, "registry-ca");
    const server = serverCertificate(dir, tlsCa);
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, "config.yml");
    fs.writeFileSync(
        config,
        [
            "version: 0.1",
            "log:",
            "  level: error",
            "storage:",
            "  filesystem:",
            `    rootdirectory: ${path.join(dir, "data")}`,
            "  delete:",
            "    enabled: true",
            "http:",
            `  addr: ${host}`,
            "  tls:",
            `    certificate: ${server.certificateFile}`,
            `    key: ${server.keyFile}`,
            "",
        ].join("\n"),
    );
    const child: ChildProcess = spawn(binary, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const deadline = Date.now() + 15000;
    while ((await ping(host, tlsCa.certificatePem)) !== 200) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
            kill();
            throw new EngineUnavailableError(`docker-registry did not start on ${host}: ${stderr.slice(-500)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
        host,
        ca: tlsCa.certificatePem,
        caFile: tlsCa.certificateFile,
        dir,
        tlsCa,
        stop: async () => {
            process.removeListener("exit", kill);
            if (child.exitCode === null && child.signalCode === null) {
                const exited = new Promise((resolve) => child.once("exit", resolve));
                child.kill("SIGTERM");
                await exited;
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
