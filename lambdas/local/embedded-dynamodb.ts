import type { AddressInfo } from "node:net";
import { join } from "node:path";
import dynalite from "dynalite";
import { checkInventory, INVENTORY_DIR } from "./inventory-dir.js";

export interface EmbeddedDynamoDB {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite serves the DynamoDB HTTP API in-process on loopback, keeping its data in LevelDB under
 * `dataDir` (or at `path`: a restore builds a store beside the live one), so the embedded hub speaks to its inventory exactly as it would to DynamoDB.
 */
export async function startEmbeddedDynamoDB(dataDir: string, path = join(dataDir, INVENTORY_DIR)): Promise<EmbeddedDynamoDB> {
  await checkInventory(path, dataDir);
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
