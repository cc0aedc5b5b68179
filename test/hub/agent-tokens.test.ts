import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AwsEksLookup } from "../../lambdas/adapters/eks/eks-lookup.js";
import { ClusterRegistry } from "../../lambdas/inventory/cluster-registry.js";
import { DynamoDBInventoryStore } from "../../lambdas/adapters/dynamodb/inventory-store.js";
import { ensureTable } from "../../lambdas/adapters/dynamodb/table.js";
import { startEmbeddedDynamoDB, type EmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";

let dataDir: string;
let dynamo: EmbeddedDynamoDB;
let registry: ClusterRegistry;
let now = new Date("2026-11-23T12:00:00Z");

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "radial-tokens-"));
  dynamo = await startEmbeddedDynamoDB(dataDir);
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "local", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  await ensureTable(client, "tokens");
  const clock = () => now;
  registry = new ClusterRegistry({
    store: new DynamoDBInventoryStore(client, "tokens"),
    eks: new AwsEksLookup({ clock }),
    clock,
    settings: { hubUrl: "http://hub.test", repoUrl: null, agentImage: "radial/agent:test", tokenGraceSeconds: 600 },
  });
});
after(async () => {
  await dynamo.close();
  await rm(dataDir, { recursive: true, force: true });
});

test("an agent token authenticates its own cluster only", async () => {
  const a = await registry.register({ name: "cluster-a" });
  const b = await registry.register({ name: "cluster-b" });
  assert.equal(await registry.authenticateAgent("cluster-a", a.token), true);
  assert.equal(await registry.authenticateAgent("cluster-b", b.token), true);
  assert.equal(await registry.authenticateAgent("cluster-b", a.token), false, "A's token never authenticates as B");
  assert.equal(await registry.authenticateAgent("cluster-a", `${a.token}x`), false);
  assert.equal(await registry.authenticateAgent("cluster-a", ""), false);
});

test("after rotation the old token works through the grace period, then stops", async () => {
  const { token: old } = await registry.register({ name: "rotating" });
  const rotated = await registry.rotateToken("rotating");
  assert.equal(rotated.previousTokenValidUntil, "2026-11-23T12:10:00.000Z");
  assert.equal(await registry.authenticateAgent("rotating", rotated.token), true);
  assert.equal(await registry.authenticateAgent("rotating", old), true, "old token inside the grace period");
  now = new Date("2026-11-23T12:10:01Z");
  assert.equal(await registry.authenticateAgent("rotating", old), false, "old token after the grace period");
  assert.equal(await registry.authenticateAgent("rotating", rotated.token), true);

  const again = await registry.rotateToken("rotating");
  assert.equal(await registry.authenticateAgent("rotating", rotated.token), true, "the token just replaced gets its own grace period");
  assert.equal(await registry.authenticateAgent("rotating", old), false, "two rotations back never comes back");
  assert.equal(await registry.authenticateAgent("rotating", again.token), true);
});

test("deleting a cluster revokes its token", async () => {
  const { token } = await registry.register({ name: "doomed" });
  await registry.delete("doomed");
  assert.equal(await registry.authenticateAgent("doomed", token), false);
  const reborn = await registry.register({ name: "doomed" });
  assert.equal(await registry.authenticateAgent("doomed", token), false, "a re-registered name gets a new token; the old one stays dead");
  assert.equal(await registry.authenticateAgent("doomed", reborn.token), true);
});
