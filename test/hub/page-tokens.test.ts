import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClusterList } from "../../contract/index.js";
import { DynamoDBGenerationHistory } from "../../lambdas/adapters/dynamodb/generation-history.js";
import { InvalidCursorError } from "../../lambdas/ports.js";
import { engines, type Engine } from "../generate/engines.js";
import { errorOf, type TestHub } from "./harness.js";
import { hubStores, type SharedStore } from "./stores.js";

// Page tokens are the hub's own: anything else in `pageToken` is a 400 naming it, never a 500 from
// DynamoDB (a 3,000-character position is past its key limit) and never a quietly short page.

const base64url = (text: string) => Buffer.from(text).toString("base64url");

/** Page through every cluster, `limit` at a time. */
async function listAll(hub: TestHub, limit: number): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | null = null;
  do {
    const response = await hub.api("GET", `/v1/clusters?limit=${limit}${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`);
    assert.equal(response.status, 200);
    const page = ClusterList.parse(response.body);
    names.push(...page.items.map((c) => c.name));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return names;
}

async function refusedToken(hub: TestHub, token: string, why: string): Promise<void> {
  const response = await hub.api("GET", `/v1/clusters?limit=2&pageToken=${encodeURIComponent(token)}`);
  assert.equal(response.status, 400, `${why}: ${JSON.stringify(response.body)}`);
  const error = errorOf(response);
  assert.equal(error.code, "validation_failed", why);
  assert.deepEqual(error.details, { field: "pageToken" }, why);
  assert.match(error.message, /pageToken/, why);
}

/** A real token of `hub`: the one after the first page of two. */
async function issuedToken(hub: TestHub): Promise<string> {
  const page = ClusterList.parse((await hub.api("GET", "/v1/clusters?limit=2")).body);
  assert.ok(page.nextPageToken);
  return page.nextPageToken;
}

const NAMES = Array.from({ length: 7 }, (_, i) => `page-${i}`);

for (const kind of hubStores) {
  describe(`page tokens on the ${kind.name}`, { timeout: 5 * 60_000 }, () => {
    let store: SharedStore;
    let hub: TestHub;
    before(async () => {
      store = await kind.start();
      hub = await store.hub();
      for (const name of NAMES) assert.equal((await hub.api("POST", "/v1/clusters", { body: { name } })).status, 201);
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => store?.stop());

    test("the hub's own tokens page through every cluster once", async () => {
      assert.deepEqual((await listAll(hub, 2)).sort(), NAMES);
      assert.deepEqual((await listAll(hub, 1)).sort(), NAMES);
    });

    test("positions a caller writes get 400 naming pageToken", async () => {
      const cases: [string, string][] = [
        // What an older hub issued, and what anyone can write: unsigned positions.
        [base64url(JSON.stringify({ shard: 0, after: "x".repeat(3000) })), "a 3,000-character position (past DynamoDB's key limit)"],
        [base64url(JSON.stringify({ shard: 99 })), "a shard that does not exist (issue 16)"],
        [base64url(JSON.stringify({ shard: 1 })), "an unsigned but plausible position"],
        ["%%%", "not base64url"],
        ["a".repeat(10_000), "10,000 characters"],
      ];
      for (const [token, why] of cases) await refusedToken(hub, token, why);
      // And the refusals cost nothing: the same listing still works.
      assert.deepEqual((await listAll(hub, 3)).sort(), NAMES);
    });

    test("a token whose position or signature was changed gets 400 naming pageToken", async () => {
      const [payload, mac, ...rest] = (await issuedToken(hub)).split(".");
      assert.ok(payload && mac && rest.length === 0, "a position and its signature");
      const cases: [string, string][] = [
        [`${base64url(JSON.stringify({ shard: 1, after: "page-0" }))}.${mac}`, "another position under a real signature"],
        [`${payload}.${mac.slice(0, -2)}${mac.endsWith("AA") ? "BB" : "AA"}`, "a changed signature"],
        [`${payload}.`, "no signature"],
        [payload, "the position alone"],
        [`${payload}.${mac}.${mac}`, "a third part"],
      ];
      for (const [token, why] of cases) await refusedToken(hub, token, why);
    });

    test("the secret is shared through the table, and RADIAL_PAGE_TOKEN_SECRET replaces it", async () => {
      const token = await issuedToken(hub);
      const sibling = await store.hub();
      assert.equal(
        (await sibling.api("GET", `/v1/clusters?limit=2&pageToken=${encodeURIComponent(token)}`)).status,
        200,
        "another hub process on the same table",
      );
      const configured = await store.hub({ RADIAL_PAGE_TOKEN_SECRET: "an operator's secret of 32 characters or more" });
      await refusedToken(configured, token, "a token signed with the generated secret, at a hub configured with its own");
      assert.deepEqual((await listAll(configured, 2)).sort(), NAMES);
    });
  });
}

for (const engine of engines) {
  describe(`generation history page tokens on the ${engine.name}`, { timeout: 5 * 60_000 }, () => {
    let db: Engine;
    before(async () => (db = await engine.start()));
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    after(() => db?.stop());

    test("a forged position is refused before any read, naming pageToken", async () => {
      const history = new DynamoDBGenerationHistory(db.client, await db.table(), () => new Date("2026-12-01T12:00:00Z"));
      for (const position of [{ day: "2026-12-01", after: `2026-12-01${"x".repeat(3000)}` }, { day: "2026-12-01" }, { day: "1999-99-99" }]) {
        await assert.rejects(history.list(10, base64url(JSON.stringify(position))), InvalidCursorError);
      }
    });
  });
}
