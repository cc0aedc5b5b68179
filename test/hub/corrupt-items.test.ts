import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBGenerationHistory } from "../../lambdas/adapters/dynamodb/generation-history.js";
import { DynamoDBInventoryStore } from "../../lambdas/adapters/dynamodb/inventory-store.js";
import { CorruptItemError } from "../../lambdas/adapters/dynamodb/item.js";
import { DynamoDBStatusStore } from "../../lambdas/adapters/dynamodb/status-store.js";
import { engines, type Engine } from "../generate/engines.js";

// Items written straight into the table, past the adapters (a hand edit, a restore, an older
// version's bug): reading them fails with an error naming the item's key and the bad field, rather
// than handing the domain a record of the wrong shape.
const cluster = (name: string) => ({
  pk: `CLUSTER#${name}`,
  sk: "META",
  shard: "CLUSTERS#0",
  kind: "cluster",
  name,
  labels: { team: "web" },
  annotations: {},
  server: null,
  eks: null,
  createdAt: "2026-12-01T00:00:00.000Z",
  updatedAt: "2026-12-01T00:00:00.000Z",
  version: 1,
  tokenHash: "0".repeat(64),
  previousToken: null,
});

const corrupt = (field: string, pk: string, sk: string) => (error: unknown) => {
  assert.ok(error instanceof CorruptItemError, String(error));
  assert.equal(error.field, field);
  assert.match(error.message, new RegExp(`pk "${pk}", sk "${sk}"\\): ${field.replaceAll(".", "\\.")}: `));
  return true;
};

for (const engine of engines) {
  describe(`malformed items on the ${engine.name}`, { timeout: 10 * 60_000 }, () => {
    let db: Engine;
    let documents: DynamoDBDocumentClient;
    const put = (table: string, item: Record<string, unknown>) => documents.send(new PutCommand({ TableName: table, Item: item }));
    before(async () => {
      db = await engine.start();
      documents = DynamoDBDocumentClient.from(db.client);
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => db?.stop());

    test("a cluster item with a label of the wrong type is refused, naming the key and the label", async () => {
      const table = await db.table();
      const store = new DynamoDBInventoryStore(db.client, table);
      await put(table, cluster("good"));
      assert.equal((await store.getCluster("good"))?.labels.team, "web", "a well-formed item reads as before");
      await put(table, { ...cluster("bad"), labels: { team: 7 } });
      await assert.rejects(store.getCluster("bad"), corrupt("labels.team", "CLUSTER#bad", "META"));
      await assert.rejects(store.listClusters(100), corrupt("labels.team", "CLUSTER#bad", "META"), "listing meets it too");
    });

    test("a cluster item missing its token hash is refused", async () => {
      const table = await db.table();
      const { tokenHash: _tokenHash, ...item } = cluster("tokenless");
      await put(table, item);
      await assert.rejects(new DynamoDBInventoryStore(db.client, table).getCluster("tokenless"), corrupt("tokenHash", "CLUSTER#tokenless", "META"));
    });

    test("status items: a summary, an application and a drift event of the wrong shape are each named", async () => {
      const table = await db.table();
      const store = new DynamoDBStatusStore(db.client, table);
      await put(table, { pk: "CLUSTER#a", sk: "STATUS", kind: "status", summary: {}, digests: {}, driftStored: 0, seq: "one" });
      await assert.rejects(store.getStatus("a"), corrupt("summary.agentVersion", "CLUSTER#a", "STATUS"));
      await put(table, { pk: "CLUSTER#a", sk: "APP#web#d1", kind: "application", seq: 1, application: { name: "web", sync: "Sideways" } });
      await assert.rejects(
        store.listApplications("a", { web: "d1" }),
        (error) => error instanceof CorruptItemError && error.message.includes('pk "CLUSTER#a", sk "APP#web#d1"): application.'),
      );
      await put(table, { pk: "CLUSTER#a", sk: "DRIFT#2026-12-01T00:00:00.000Z#x", kind: "drift", expiresAt: 4_000_000_000, event: "not an event" });
      await assert.rejects(store.listDriftEvents("a", 10, 0), corrupt("event", "CLUSTER#a", "DRIFT#2026-12-01T00:00:00.000Z#x"));
    });

    test("a generation record of the wrong shape is named by its key", async () => {
      const table = await db.table();
      const now = new Date("2026-12-01T12:00:00.000Z");
      const history = new DynamoDBGenerationHistory(db.client, table, () => now);
      const sk = "2026-12-01T11:00:00.000Z#run-1";
      await put(table, { pk: "GENERATIONS#2026-12-01", sk, kind: "generation", expiresAt: 4_000_000_000, record: { id: "run-1", durationMs: "fast" } });
      await assert.rejects(
        history.list(10),
        (error) => error instanceof CorruptItemError && error.message.includes(`pk "GENERATIONS#2026-12-01", sk "${sk}"): record.`),
      );
    });
  });
}
