// The two stores hub tests over HTTP run on, each served at an endpoint so that several hub processes
// can share one: the embedded store (dynalite, as `radial hub up` runs it) and DynamoDB Local.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";
import { startTestHub, type TestHub } from "./harness.js";

export interface SharedStore {
  endpoint: string;
  /** A hub process on this store; several share its table, as Lambda instances do. */
  hub(env?: NodeJS.ProcessEnv): Promise<TestHub>;
  /** Stops every hub started here, then the store. */
  stop(): Promise<void>;
}

function shared(endpoint: string, stopStore: () => Promise<void>): SharedStore {
  const hubs: TestHub[] = [];
  return {
    endpoint,
    async hub(env = {}) {
      const hub = await startTestHub({ dynamodbEndpoint: endpoint, env });
      hubs.push(hub);
      return hub;
    },
    async stop() {
      for (const hub of hubs) await hub.stop();
      await stopStore();
    },
  };
}

export const hubStores: { name: string; start(): Promise<SharedStore> }[] = [
  {
    name: "embedded store (dynalite)",
    async start() {
      const dir = await mkdtemp(join(tmpdir(), "radial-store-"));
      const dynamo = await startEmbeddedDynamoDB(dir);
      return shared(dynamo.endpoint, async () => {
        await dynamo.close();
        await rm(dir, { recursive: true, force: true });
      });
    },
  },
  {
    name: "DynamoDB Local",
    async start() {
      const server = await startDynamoDBLocal();
      return shared(server.endpoint, () => server.stop());
    },
  },
];
