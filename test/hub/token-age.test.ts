// The cluster API says when the agent's current token was issued (the console shows its age), on
// both stores: set at registration, moved by a rotation, absent for a cluster stored before it was kept.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { Cluster, RegisterClusterResponse, RotateTokenResponse } from "../../contract/index.js";
import { TABLE_NAME } from "../../lambdas/local/hub.js";
import type { TestHub } from "./harness.js";
import { hubStores, type SharedStore } from "./stores.js";

for (const store of hubStores) {
  describe(`token issue time (${store.name})`, () => {
    let shared: SharedStore;
    let hub: TestHub;

    before(async () => {
      shared = await store.start();
      hub = await shared.hub();
    });
    after(() => shared.stop());

    const get = async (name: string) => Cluster.parse((await hub.api("GET", `/v1/clusters/${name}`)).body);

    test("registration sets it, a rotation moves it, and listings carry it", async () => {
      const before = new Date().toISOString();
      const registered = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "aging" } })).body);
      const issued = registered.cluster.tokenIssuedAt;
      assert.ok(issued !== undefined && issued >= before && issued <= new Date().toISOString(), `issued at registration: ${issued}`);
      assert.equal(issued, registered.cluster.createdAt);
      assert.equal((await get("aging")).tokenIssuedAt, issued);

      const rotation = await hub.api("POST", "/v1/clusters/aging/token");
      assert.equal(rotation.status, 200, JSON.stringify(rotation.body));
      RotateTokenResponse.parse(rotation.body);
      const rotated = await get("aging");
      assert.ok(rotated.tokenIssuedAt! > issued, `a rotation issues anew: ${rotated.tokenIssuedAt} after ${issued}`);
      assert.equal(rotated.createdAt, registered.cluster.createdAt);

      const patched = await hub.api("PATCH", "/v1/clusters/aging", { body: { labels: { env: "prod" } } });
      assert.equal(Cluster.parse(patched.body).tokenIssuedAt, rotated.tokenIssuedAt, "a relabel issues no token");
      const listed = (await hub.api("GET", "/v1/clusters?selector=env%3Dprod")).body as { items: unknown[] };
      assert.deepEqual(
        listed.items.map((item) => Cluster.parse(item).tokenIssuedAt),
        [rotated.tokenIssuedAt],
      );
    });

    test("a cluster stored before the time was kept has none, and still reads", async () => {
      await hub.api("POST", "/v1/clusters", { body: { name: "old-timer" } });
      const client = new DynamoDBClient({ endpoint: shared.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: TABLE_NAME,
            Key: { pk: { S: "CLUSTER#old-timer" }, sk: { S: "META" } },
            UpdateExpression: "REMOVE tokenIssuedAt",
            ConditionExpression: "attribute_exists(tokenIssuedAt)",
          }),
        );
      } finally {
        client.destroy();
      }
      const old = await get("old-timer");
      assert.equal(old.name, "old-timer");
      assert.equal("tokenIssuedAt" in old, false);
    });
  });
}
