// What "wedged" means: work in hand that has not moved for longer than its limit. The clock is the
// test's, so each case is exact.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Liveness } from "../../../agent/reconcile/liveness.js";

const MINUTE = 60_000;

function clocked() {
  let now = 0;
  return { liveness: new Liveness(() => now), advance: (ms: number) => (now += ms) };
}

test("with no work in hand the agent is live", () => {
  assert.deepEqual(clocked().liveness.probe(), { ok: true, message: "ok" });
});

test("a sync waiting on health for longer than the limit is live as long as it keeps moving", () => {
  const { liveness, advance } = clocked();
  liveness.begin("the sync of application slow", 10 * MINUTE);
  for (let minute = 0; minute < 30; minute++) {
    advance(MINUTE);
    liveness.moved("the sync of application slow");
    assert.equal(liveness.probe().ok, true, `minute ${minute + 1}`);
  }
});

test("work that has not moved for longer than its limit is wedged, and named", () => {
  const { liveness, advance } = clocked();
  liveness.begin("the sync of application a", 10 * MINUTE);
  liveness.begin("the reconcile pass", 10 * MINUTE);
  advance(10 * MINUTE);
  assert.equal(liveness.probe().ok, true, "exactly at the limit is not past it");
  liveness.moved("the reconcile pass");
  advance(1);
  const probe = liveness.probe();
  assert.equal(probe.ok, false);
  assert.equal(probe.message, "wedged: the sync of application a has not moved for 600 s");
});

test("each piece of work has its own limit, and ended work no longer counts", () => {
  const { liveness, advance } = clocked();
  liveness.begin("the wait for the next pass", 11 * MINUTE);
  liveness.begin("the sync of application a", 10 * MINUTE);
  advance(10 * MINUTE + 1);
  assert.match(liveness.probe().message, /application a/);
  liveness.end("the sync of application a");
  assert.equal(liveness.probe().ok, true);
  advance(MINUTE);
  assert.match(liveness.probe().message, /^wedged: the wait for the next pass has not moved for 660 s$/);
  liveness.end("the wait for the next pass");
  liveness.moved("the wait for the next pass");
  assert.equal(liveness.probe().ok, true, "moving ended work does not bring it back");
});
