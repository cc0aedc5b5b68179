import assert from "node:assert/strict";
import { test } from "node:test";
import { RecentDeliveries } from "../../lambdas/generate/webhook-deliveries.js";

test("delivery ids are remembered until they expire", () => {
  let now = 0;
  const deliveries = new RecentDeliveries(() => now, 100, 1_000);
  assert.equal(deliveries.has("a"), false);
  deliveries.remember("a");
  now = 999;
  assert.equal(deliveries.has("a"), true);
  now = 1_000;
  assert.equal(deliveries.has("a"), false, "expired");
  assert.equal(deliveries.has(undefined), false, "a delivery without an id is never a replay");
});

test("at most maxEntries ids are kept, the least recently seen dropped first; overlong ids are not kept", () => {
  const deliveries = new RecentDeliveries(() => 0, 3, 1_000);
  for (const id of ["a", "b", "c", "d"]) deliveries.remember(id);
  assert.deepEqual(
    ["a", "b", "c", "d"].map((id) => deliveries.has(id)),
    [false, true, true, true],
  );
  deliveries.remember("x".repeat(201));
  assert.equal(deliveries.has("x".repeat(201)), false);
  assert.equal(deliveries.has("b"), true, "an overlong id evicts nothing");
});
