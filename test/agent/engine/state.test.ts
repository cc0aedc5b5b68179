// How one watched change moves an application's reported state: a deletion or an edit outside Git
// that stays makes it OutOfSync (as Argo CD says it), undoing the edit makes it Synced again, and a
// change that matches Git keeps what the sync said.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EDITED_OUTSIDE_GIT, stateOf, withLiveObject } from "../../../agent/engine/state.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import type { ApplicationState } from "../../../agent/report/build.js";

const desired: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "web" }, data: { mode: "git" } };
const edited: KubeObject = { ...desired, data: { mode: "hand" } };
const ref = { group: "", version: "v1", kind: "ConfigMap", namespace: "web", name: "settings" };
const synced: ApplicationState = {
  name: "web",
  revision: "a".repeat(40),
  sync: "Synced",
  health: "Healthy",
  resources: [{ ...ref, sync: "Synced", health: "Healthy" }],
};

test("an edit outside Git that stays makes the resource and the application OutOfSync, with the reason", () => {
  const next = withLiveObject(synced, desired, edited, true);
  assert.equal(next.sync, "OutOfSync");
  assert.deepEqual(next.resources, [{ ...ref, sync: "OutOfSync", health: "Healthy", message: EDITED_OUTSIDE_GIT }]);
});

test("undoing the edit makes them Synced again, and the reason goes", () => {
  const next = withLiveObject(withLiveObject(synced, desired, edited, true), desired, desired, false);
  assert.equal(next.sync, "Synced");
  assert.deepEqual(next.resources, [{ ...ref, sync: "Synced", health: "Healthy" }]);
});

test("a deletion makes them OutOfSync and Missing", () => {
  const next = withLiveObject(synced, desired, undefined, false);
  assert.equal(next.sync, "OutOfSync");
  assert.deepEqual(next.resources, [{ ...ref, sync: "OutOfSync", health: "Missing" }]);
});

test("a change that matches Git keeps what the sync said of the resource, its message included", () => {
  const failed: ApplicationState = {
    ...synced,
    sync: "OutOfSync",
    resources: [{ ...ref, sync: "OutOfSync", health: "Healthy", message: "apply refused: quota" }],
  };
  const next = withLiveObject(failed, desired, desired, false);
  assert.deepEqual(next.resources, [{ ...ref, sync: "OutOfSync", health: "Healthy", message: "apply refused: quota" }]);
  assert.equal(next.sync, "OutOfSync");
});

test("a sync that succeeded into a Degraded application says so beside Argo CD's sync message, and stops saying it once Healthy", () => {
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "web", generation: 2 },
    spec: { replicas: 2 },
    status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
  const deploymentRef = { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" };
  const at = new Date("2026-12-04T04:00:00Z");
  const degraded = stateOf(
    {
      application: "web",
      revision: "a".repeat(40),
      phase: "Succeeded",
      message: "successfully synced (all tasks run)",
      sync: "Synced",
      health: "Degraded",
      resources: [
        { ref, action: "applied", sync: "Synced" },
        { ref: deploymentRef, action: "applied", sync: "Synced", health: { status: "Degraded", message: "progress deadline exceeded" } },
      ],
      notes: [],
      startedAt: at,
      finishedAt: at,
    },
    undefined,
  );
  assert.equal(degraded.sync, "Synced");
  assert.equal(degraded.message, "successfully synced (all tasks run); yet the application is Degraded: Deployment web/web is Degraded");

  const healthy = withLiveObject(degraded, deployment, deployment, false);
  assert.equal(healthy.health, "Healthy");
  assert.equal(healthy.message, "successfully synced (all tasks run)");
});
