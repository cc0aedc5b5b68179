import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenBucket } from "../../../agent/kube/rate-limiter.js";

/** A limiter on a clock the test moves, so the accounting is exact. */
function limiterAt(qps: number, burst: number) {
  let now = 0;
  const limiter = new TokenBucket(qps, burst, () => now);
  return { limiter, advance: (ms: number) => (now += ms) };
}

test("a burst goes at once, then one request per 1/qps, each waiting its turn", () => {
  const { limiter } = limiterAt(20, 5);
  const waits = Array.from({ length: 8 }, () => limiter.reserve());
  assert.deepEqual(waits, [0, 0, 0, 0, 0, 50, 100, 150]);
  assert.deepEqual(limiter.stats, { granted: 8, throttled: 3, waitMs: 300, maxWaitMs: 150 });
});

test("idle time refills the bucket, never above the burst", () => {
  const { limiter, advance } = limiterAt(10, 3);
  for (let i = 0; i < 3; i++) limiter.reserve();
  advance(100);
  assert.equal(limiter.reserve(), 0, "one token came back after 1/qps");
  assert.equal(limiter.reserve(), 100);
  advance(60_000);
  assert.deepEqual(
    Array.from({ length: 4 }, () => limiter.reserve()),
    [0, 0, 0, 100],
    "a long pause buys only a burst",
  );
});

test("sustained load runs at qps: 45 requests at qps 20 after a burst of 5 take 2 s", () => {
  const { limiter } = limiterAt(20, 5);
  const waits = Array.from({ length: 45 }, () => limiter.reserve());
  assert.equal(Math.max(...waits), 2000);
  assert.equal(limiter.stats.throttled, 40);
});

test("qps Infinity never waits; nonsense settings are refused", () => {
  const { limiter } = limiterAt(Infinity, 1);
  assert.deepEqual(
    Array.from({ length: 3 }, () => limiter.reserve()),
    [0, 0, 0],
  );
  assert.throws(() => new TokenBucket(0, 10), RangeError);
  assert.throws(() => new TokenBucket(10, 0), RangeError);
});
