import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AddressInfo } from "node:net";
import { createApiHandler } from "../http/api-handler.js";
import { ensureTable } from "../inventory/table.js";
import { VERSION } from "../version.js";
import { startEmbeddedDynamoDB } from "./embedded-dynamodb.js";
import { createLocalServer } from "./server.js";

export interface HubOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  dataDir: string;
  logger: Logger;
}

export interface RunningHub {
  url: string;
  stop(): Promise<void>;
}

const TABLE_NAME = "radial";

/** The embedded hub: the Lambda handlers behind a local HTTP server, with dynalite as the inventory. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const dynamo = await startEmbeddedDynamoDB(options.dataDir);
  const dynamodb = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTable(dynamodb, TABLE_NAME);
  const handler = createApiHandler({ dynamodb, tableName: TABLE_NAME, version: VERSION }, options.logger);
  const server = createLocalServer(handler, (error) => options.logger.error("request failed", { error: error as Error }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dynamodb.destroy();
      await dynamo.close();
    },
  };
}
