// The two DynamoDB engines every store test runs on: the embedded store (dynalite) and DynamoDB Local.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../../lambdas/adapters/dynamodb/table.js";
import { startEmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";

export interface Engine {
  client: DynamoDBClient;
  /** A fresh table with the hub's definition. */
  table(): Promise<string>;
  stop(): Promise<void>;
}

let tables = 0;

function engineOn(endpoint: string, stop: () => Promise<void>): Engine {
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  return {
    client,
    async table() {
      const name = `generation-${process.pid}-${++tables}`;
      await ensureTable(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

export const engines: { name: string; start(): Promise<Engine> }[] = [
  {
    name: "embedded store (dynalite)",
    async start() {
      const dir = await mkdtemp(join(tmpdir(), "radial-generation-"));
      const dynamo = await startEmbeddedDynamoDB(dir);
      return engineOn(dynamo.endpoint, async () => {
        await dynamo.close();
        await rm(dir, { recursive: true, force: true });
      });
    },
  },
  {
    name: "DynamoDB Local",
    async start() {
      const server = await startDynamoDBLocal();
      return engineOn(server.endpoint, () => server.stop());
    },
  },
];
