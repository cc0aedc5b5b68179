// The words the agent and the hub must both accept: Argo CD's health and sync statuses, condition
// statuses, drift actions, and the roll-up order of health (gitops-engine's health.go
// IsWorse: Healthy, Suspended, Progressing, Missing, Degraded, Unknown). A value one side sends and
// the other refuses turns a whole status report into a 400.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Condition, DriftEvent, HealthStatus, parseStatusReport, SyncStatus, worstHealth } from "../../contract/index.js";

const ORDER = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"] as const;

describe("status vocabulary", () => {
  test("every Argo CD health and sync status is accepted, and nothing else", () => {
    for (const status of ORDER) assert.equal(HealthStatus.safeParse(status).success, true, status);
    for (const status of ["Synced", "OutOfSync", "Unknown"]) assert.equal(SyncStatus.safeParse(status).success, true, status);
    for (const bad of ["", "healthy", "Available"]) assert.equal(HealthStatus.safeParse(bad).success, false, bad);
    assert.equal(SyncStatus.safeParse("").success, false);
  });

  test("a condition's status is True, False or Unknown; a drift event's action one of four", () => {
    const condition = (status: string) =>
      Condition.safeParse({ type: "Ready", status, reason: "Synced", message: "m", lastTransitionTime: "2026-11-23T10:00:00Z" });
    for (const status of ["True", "False", "Unknown"]) assert.equal(condition(status).success, true, status);
    assert.equal(condition("").success, false);
    const resource = { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "guestbook" };
    const event = (action: string) =>
      DriftEvent.safeParse({ at: "2026-11-23T10:00:00Z", application: "guestbook", resource, fields: ["spec.replicas"], action });
    for (const action of ["Detected", "Healed", "Deleted", "Recreated"]) assert.equal(event(action).success, true, action);
    assert.equal(event("").success, false);
  });

  test("a report that is not JSON is refused as such, for the whole body", () => {
    const parsed = parseStatusReport("{not json");
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.problems, [{ field: "", problem: "not JSON" }]);
  });
});

describe("worstHealth, in gitops-engine's order", () => {
  test("of any two statuses the later in the order wins, whichever comes first; none is Healthy", () => {
    assert.equal(worstHealth([]), "Healthy");
    for (const [i, a] of ORDER.entries()) {
      assert.equal(worstHealth([a]), a);
      for (const b of ORDER.slice(i + 1)) {
        assert.equal(worstHealth([a, b]), b, `${a}, ${b}`);
        assert.equal(worstHealth([b, a]), b, `${b}, ${a}`);
      }
    }
  });
});
