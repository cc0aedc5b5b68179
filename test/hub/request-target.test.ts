import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

let hub: TestHub;
before(async () => (hub = await startTestHub()));
after(() => hub.stop());

// Found by the property-based suite (test/fuzz/api.test.ts): `//x` was resolved as a host, not a path.
test("a path starting with // is a path: a host-like first segment is neither dropped nor a 500", async () => {
  const unparsable = await hub.api("PUT", "//iy%26%5Cq1", { rawBody: '""' });
  assert.equal(unparsable.status, 404, JSON.stringify(unparsable.body));
  assert.match(errorOf(unparsable).message, /no route PUT \/\/iy%26%5Cq1/);
  const hostLike = await hub.api("GET", "//evil.example/v1/clusters");
  assert.equal(hostLike.status, 404, "not routed to /v1/clusters");
});
