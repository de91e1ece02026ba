import { parentPort, workerData } from "worker_threads";
import { resourceViolations } from "./check";
import { parseDocuments } from "./input";
import type { Phase1Reply, Phase2Reply, Phase2Request, WorkerChunk } from "./parallel";

/*
 * One worker of a parallel `check` (see parallel.ts): parses its chunks of the input, reports the
 * documents per chunk and the objects the whole input must see (Namespaces, cross-object kinds),
 * then evaluates the resource guardrails on its objects with the config the main thread computed.
 */

const { chunks, sharedKinds } = workerData as { chunks: WorkerChunk[]; sharedKinds: string[] };
const port = parentPort!;

const parsed = chunks.map((chunk) => parseDocuments(chunk.text, chunk.file));
const reply: Phase1Reply = {
    documents: parsed.map((chunk) => chunk.documents),
    shared: parsed.map((chunk) => chunk.objects.filter(({ object }) => object.kind === "Namespace" || sharedKinds.includes(String(object.kind)))),
};
port.postMessage(reply);

port.once("message", (request: Phase2Request) => {
    const violations: Phase2Reply = parsed.map((chunk) => resourceViolations(chunk.objects, request.config, request.enforcementLevel));
    port.postMessage(violations);
});
