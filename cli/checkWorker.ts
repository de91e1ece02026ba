import { parentPort, workerData } from "worker_threads";
import { evaluateChunks, parseChunks } from "./parallel";
import type { Phase2Request, WorkerChunk } from "./parallel";

/*
 * One worker of a parallel `check` (see parallel.ts): parses its chunks of the input, reports the
 * documents per chunk and the objects the whole input must see (Namespaces, cross-object kinds),
 * then evaluates the resource guardrails on its objects with the config the main thread computed.
 * The main thread runs the same two functions on its own share.
 */

const { chunks, sharedKinds } = workerData as { chunks: WorkerChunk[]; sharedKinds: string[] };
const port = parentPort!;

const { parsed, reply } = parseChunks(chunks, sharedKinds);
port.postMessage(reply);

port.once("message", (request: Phase2Request) => port.postMessage(evaluateChunks(parsed, request)));
