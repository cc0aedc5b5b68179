// The opt-in generic check for custom resources no other check covers, at its edges: which condition
// wins (an unobserved generation, then Stalled, then Reconciling, then Ready, else Available, as
// kstatus reads them), what the message says when a condition says nothing, and what is no health.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { conditionsHealth } from "../../../agent/health/conditions.js";
import type { KubeObject } from "../../../agent/kube/object.js";

const resource = (conditions: unknown, generation?: number, observedGeneration?: number): KubeObject => ({
  apiVersion: "db.example.com/v1",
  kind: "Database",
  metadata: { name: "x", namespace: "app", ...(generation === undefined ? {} : { generation }) },
  status: { conditions, ...(observedGeneration === undefined ? {} : { observedGeneration }) },
});

describe("which condition decides", () => {
  test("Ready decides over Available, whichever comes first", () => {
    const both = [
      { type: "Available", status: "True" },
      { type: "Ready", status: "False", message: "replicas down" },
    ];
    assert.deepEqual(conditionsHealth(resource(both)), { status: "Progressing", message: "replicas down" });
    assert.deepEqual(conditionsHealth(resource([{ type: "Available", status: "False", reason: "MinimumReplicasUnavailable" }])), {
      status: "Progressing",
      message: "MinimumReplicasUnavailable",
    });
  });

  test("Stalled True decides over Reconciling True and Ready True; False ones do not count", () => {
    const all = [
      { type: "Ready", status: "True" },
      { type: "Reconciling", status: "True", message: "rolling" },
      { type: "Stalled", status: "True", message: "quota" },
    ];
    assert.deepEqual(conditionsHealth(resource(all)), { status: "Degraded", message: "quota" });
    assert.deepEqual(conditionsHealth(resource(all.slice(0, 2))), { status: "Progressing", message: "rolling" });
    const settled = [
      { type: "Ready", status: "True", message: "ok" },
      { type: "Reconciling", status: "False" },
      { type: "Stalled", status: "False" },
    ];
    assert.deepEqual(conditionsHealth(resource(settled)), { status: "Healthy", message: "ok" });
  });

  test("an unobserved generation comes first; an equal or newer observed one does not hold it back", () => {
    const stalled = [{ type: "Stalled", status: "True", message: "quota" }];
    assert.deepEqual(conditionsHealth(resource(stalled, 5, 4)), { status: "Progressing", message: "waiting for the controller to observe generation 5" });
    assert.deepEqual(conditionsHealth(resource(stalled, 5, 5)), { status: "Degraded", message: "quota" });
    assert.deepEqual(conditionsHealth(resource(stalled, 5, 6)), { status: "Degraded", message: "quota" });
    assert.deepEqual(conditionsHealth(resource(stalled, undefined, 4)), { status: "Degraded", message: "quota" });
    assert.deepEqual(conditionsHealth(resource(stalled, 5)), { status: "Degraded", message: "quota" });
  });
});

describe("messages", () => {
  test("the condition's message, else its reason, else what the condition is", () => {
    assert.deepEqual(conditionsHealth(resource([{ type: "Stalled", status: "True", reason: "QuotaExceeded" }])), {
      status: "Degraded",
      message: "QuotaExceeded",
    });
    assert.deepEqual(conditionsHealth(resource([{ type: "Stalled", status: "True" }])), { status: "Degraded", message: "Stalled" });
    assert.deepEqual(conditionsHealth(resource([{ type: "Reconciling", status: "True", message: "" }])), { status: "Progressing", message: "Reconciling" });
    assert.deepEqual(conditionsHealth(resource([{ type: "Ready", status: "Unknown" }])), { status: "Progressing", message: "Ready is Unknown" });
    assert.deepEqual(conditionsHealth(resource([{ type: "Available" }])), { status: "Progressing", message: "Available is not set" });
  });

  test("a message that is not text counts as none", () => {
    assert.deepEqual(conditionsHealth(resource([{ type: "Ready", status: "False", message: 42, reason: "Scaling" }])), {
      status: "Progressing",
      message: "Scaling",
    });
    assert.deepEqual(conditionsHealth(resource([{ type: "Ready", status: "True", message: 42 }])), { status: "Healthy" });
    assert.deepEqual(conditionsHealth(resource([{ type: "Ready", status: "True", message: "" }])), { status: "Healthy" });
  });
});

describe("no health", () => {
  test("without Ready, Available, Stalled or Reconciling; or with only ones that are not True and no Ready", () => {
    assert.equal(conditionsHealth(resource([{ type: "Synced", status: "True" }])), undefined);
    assert.equal(conditionsHealth(resource([{ type: "Stalled", status: "False" }])), undefined);
    assert.equal(conditionsHealth(resource([{ type: "Reconciling", status: "False" }])), undefined);
    // Not even while the controller has yet to observe the generation: there is nothing to wait for.
    assert.equal(conditionsHealth(resource([{ type: "Synced", status: "True" }], 5, 4)), undefined);
  });

  test("conditions that are not a list, entries that are not objects, or no status at all", () => {
    assert.equal(conditionsHealth(resource({ Ready: "True" })), undefined);
    assert.deepEqual(conditionsHealth(resource([null, "Ready", 7, { type: "Ready", status: "True" }])), { status: "Healthy" });
    assert.equal(conditionsHealth({ apiVersion: "db.example.com/v1", kind: "Database", metadata: { name: "x" } }), undefined);
  });
});
