import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import dynalite from "dynalite";
import { checkInventory, INVENTORY_DIR } from "./inventory-dir.js";

export interface EmbeddedDynamoDB {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The worker's script (CommonJS, run with `eval`, so it needs no loader for TypeScript): dynalite
 * listening on loopback, closed (its LevelDB with it) when the parent asks.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const dynalite = require(workerData.dynalite);
const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.once("error", (error) => parentPort.postMessage({ error: error.message }));
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", () => server.close(() => parentPort.postMessage({ closed: true })));
`;

type FromWorker = { port: number } | { error: string } | { closed: true };

/**
 * dynalite serves the DynamoDB HTTP API on loopback, keeping its data in LevelDB under `dataDir`
 * (or at `path`: a restore builds a store beside the live one), so the embedded hub speaks to its
 * inventory exactly as it would to DynamoDB. It runs in a worker thread: its own work per request
 * (it reads and decodes the table's description from LevelDB for every item) took a third of the
 * hub's CPU on the one event loop, where a fleet snapshot's 10,000 reads held up the status intake
 * and the console's answers; in a worker it runs beside them, on another core when there is one.
 */
export async function startEmbeddedDynamoDB(
  dataDir: string,
  path = join(dataDir, INVENTORY_DIR),
  options: { thread: "worker" | "main" } = { thread: "worker" },
): Promise<EmbeddedDynamoDB> {
  await checkInventory(path, dataDir);
  return options.thread === "main" ? onMainThread(path) : inWorker(path);
}

/** dynalite on this thread: for a test that makes its LevelDB fail (test/hub/crash-safety.test.ts), which it can reach only here. */
async function onMainThread(path: string): Promise<EmbeddedDynamoDB> {
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function inWorker(path: string): Promise<EmbeddedDynamoDB> {
  const worker = new Worker(WORKER, { eval: true, workerData: { path, dynalite: createRequire(import.meta.url).resolve("dynalite") } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (message: FromWorker) => {
      // Later failures are not caught here: as when dynalite ran on the main thread, they end the process.
      worker.off("error", reject);
      if ("port" in message) resolve(message.port);
      else reject(new Error(`the embedded store did not start: ${"error" in message ? message.error : "closed"}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      // Requests still in flight (a fleet refresh in the background) fail against the closed LevelDB,
      // and dynalite throws that from a callback: while closing, that is expected, not a crash.
      worker.on("error", () => undefined);
      await new Promise<void>((resolve) => {
        worker.once("message", () => resolve());
        worker.once("exit", () => resolve());
        worker.postMessage("close");
      });
      await worker.terminate();
    },
  };
}
