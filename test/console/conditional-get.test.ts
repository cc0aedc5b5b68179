// What the console's polling rests on: every GET carries an ETag, an unchanged answer is a bodiless
// 304 to If-None-Match, and a change (a relabel) gives a new ETag and the new body.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { revalidate } from "../../lambdas/http/conditional-get.js";
import { ADMIN_TOKEN, startConsoleHub, type ConsoleHub } from "./console-hub.js";

let hub: ConsoleHub;

before(async () => {
  hub = await startConsoleHub();
});

after(() => hub.stop());

const get = (path: string, etag?: string) =>
  fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(etag ? { "if-none-match": etag } : {}) } });

test("a list answers 304 while unchanged and 200 with a new ETag after a relabel", async () => {
  await hub.api("POST", "/v1/clusters", { name: "alpha", labels: { env: "dev" } });
  const first = await get("/v1/clusters");
  const etag = first.headers.get("etag");
  assert.match(etag ?? "", /^W\/"[\w-]{27}"$/);

  const again = await get("/v1/clusters", etag!);
  assert.equal(again.status, 304);
  assert.equal(await again.text(), "");
  assert.equal(again.headers.get("etag"), etag);

  await hub.api("PATCH", "/v1/clusters/alpha", { labels: { env: "prod" } });
  const changed = await get("/v1/clusters", etag!);
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), etag);
  assert.equal(((await changed.json()) as { items: { labels: Record<string, string> }[] }).items[0]?.labels.env, "prod");
});

test("a cluster keeps its own strong ETag (its resourceVersion), which If-None-Match also honours", async () => {
  const cluster = await get("/v1/clusters/alpha");
  const etag = cluster.headers.get("etag")!;
  assert.match(etag, /^"\d+"$/);
  assert.equal((await get("/v1/clusters/alpha", `W/${etag}`)).status, 304);
  assert.equal((await get("/v1/clusters/alpha", `"other", ${etag}`)).status, 304);
});

test("only successful GETs are revalidated: errors and other methods pass through untouched", async () => {
  const missing = await get("/v1/clusters/nope", "*");
  assert.equal(missing.status, 404);
  const error = { status: 404, body: { error: { code: "not_found", message: "x" } } };
  assert.equal(revalidate({ method: "GET", headers: { "if-none-match": "*" } }, error), error);
  const post = { status: 200, body: { ok: true } };
  assert.equal(revalidate({ method: "POST", headers: { "if-none-match": "*" } }, post), post);
  assert.equal(revalidate({ method: "GET", headers: { "if-none-match": "*" } }, post).status, 304);
});
