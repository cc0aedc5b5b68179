// The rebuild domain's pure parts: phase bookkeeping, the convergence check and the preflight.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rebuild, type RebuildState, type StoredApplicationStatus } from "../../contract/index.js";
import { convergence, describePending } from "../../lambdas/rebuild/convergence.js";
import { AGENT_PATH, endOf, enter, enterAll } from "../../lambdas/rebuild/phases.js";
import { preflight } from "../../lambdas/rebuild/preflight.js";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const requested: RebuildState = {
  incarnation: 2,
  reason: "test",
  recreateEks: false,
  phase: "Requested",
  phases: [{ phase: "Requested", enteredAt: T0.toISOString(), seconds: null }],
  requestedAt: T0.toISOString(),
  deadline: at(600).toISOString(),
  finishedAt: null,
  totalSeconds: null,
  targetRevision: null,
  applications: { converged: 0, total: 0 },
  message: null,
  eks: null,
  rev: 1,
};

test("each phase entered closes the one before with its duration; a terminal phase ends the rebuild", () => {
  const waiting = enter(requested, "AwaitingAgent", at(2));
  assert.deepEqual(waiting.phases, [
    { phase: "Requested", enteredAt: T0.toISOString(), seconds: 2 },
    { phase: "AwaitingAgent", enteredAt: at(2).toISOString(), seconds: null },
  ]);
  assert.equal(waiting.finishedAt, null);
  assert.equal(enter(waiting, "AwaitingAgent", at(5)), waiting, "entering the current phase changes nothing");
  const ended = enter(waiting, "TimedOut", at(62.5), "timed out in AwaitingAgent");
  assert.equal(ended.phases[1]!.seconds, 60.5);
  assert.deepEqual(ended.phases[2], { phase: "TimedOut", enteredAt: at(62.5).toISOString(), seconds: 0 });
  assert.equal(ended.totalSeconds, 62.5);
  assert.equal(ended.finishedAt, at(62.5).toISOString());
  assert.equal(ended.message, "timed out in AwaitingAgent");
  assert.ok(Rebuild.safeParse({ cluster: "a", ...ended, preflight: null }).success);
  const long = enter(waiting, "Failed", at(70), "é".repeat(5000));
  assert.ok(Buffer.byteLength(long.message!) <= 2048 && long.message!.endsWith("…"), "a message is bounded in UTF-8 bytes");
});

test("a rebuild found late ends at its deadline, or at its last phase if that came later", () => {
  const waiting = enter(requested, "AwaitingAgent", at(1));
  assert.deepEqual(endOf(waiting, at(900)), at(600));
  assert.deepEqual(endOf(waiting, at(300)), at(300), "never later than now");
  assert.deepEqual(endOf(enter(waiting, "AgentConnected", at(700)), at(900)), at(700));
});

test("enterAll enters only the phases after the current one, in order, however often it is called", () => {
  const waiting = enter(requested, "AwaitingAgent", at(1));
  const syncing = enterAll(waiting, AGENT_PATH.slice(0, 3), at(3));
  assert.deepEqual(
    syncing.phases.map((p) => p.phase),
    ["Requested", "AwaitingAgent", "AgentConnected", "Syncing"],
  );
  assert.equal(enterAll(syncing, AGENT_PATH.slice(0, 2), at(4)), syncing, "nothing goes back");
  const done = enterAll(syncing, AGENT_PATH, at(9));
  assert.deepEqual(
    done.phases.map((p) => [p.phase, p.seconds]),
    [
      ["Requested", 1],
      ["AwaitingAgent", 2],
      ["AgentConnected", 0],
      ["Syncing", 6],
      ["Converged", 0],
    ],
  );
});

const app = (name: string, revision: string | null, overrides: Partial<StoredApplicationStatus> = {}): StoredApplicationStatus => ({
  name,
  revision,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  updatedAt: T0.toISOString(),
  ...overrides,
});
const A = "a".repeat(40);
const B = "b".repeat(40);

test("converged: every application of the branch Synced and Healthy at an accepted revision; the others named with what they are", () => {
  const result = convergence(
    ["web", "db", "cache", "queue", "extra"],
    [app("web", A), app("db", B), app("cache", "c".repeat(40)), app("queue", A, { health: "Degraded", message: "CrashLoopBackOff" }), app("unexpected", A)],
    new Set([A, B]),
  );
  assert.equal(result.total, 5);
  assert.equal(result.converged, 2);
  assert.deepEqual(result.degraded, ["queue"]);
  assert.deepEqual(result.pending, [
    { name: "cache", state: "Synced/Healthy at cccccccccccc" },
    { name: "extra", state: "not reported yet" },
    { name: "queue", state: "Synced/Degraded: CrashLoopBackOff" },
  ]);
  assert.equal(describePending(result.pending, 2), "cache (Synced/Healthy at cccccccccccc), extra (not reported yet) and 1 more");
  assert.deepEqual(convergence([], [], new Set()), { converged: 0, total: 0, pending: [], degraded: [] });
});

test("the preflight lists claims, volumes, snapshots and StatefulSets with claim templates, and an unreadable manifest", () => {
  const manifests = new Map([
    [
      "db",
      [
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: pg, namespace: db }\nspec: { volumeClaimTemplates: [{ metadata: { name: data } }] }",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: stateless, namespace: db }\nspec: { volumeClaimTemplates: [] }",
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: { name: pv-1 }",
        "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: { name: nightly, namespace: db }",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: db }",
      ].join("\n---\n"),
    ],
    ["broken", "kind: [unclosed"],
    ["app", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: uploads }"],
  ]);
  const found = preflight(A, manifests);
  assert.equal(found.revision, A);
  assert.equal(found.truncated, false);
  assert.deepEqual(
    found.items.map((i) => [i.application, i.kind, i.namespace, i.name]),
    [
      ["app", "PersistentVolumeClaim", null, "uploads"],
      ["broken", "", null, "manifests.yaml"],
      ["db", "StatefulSet", "db", "pg"],
      ["db", "PersistentVolume", null, "pv-1"],
      ["db", "VolumeSnapshot", "db", "nightly"],
    ],
  );
  assert.match(found.items[1]!.why, /^could not be read/);
  const many = new Map([
    ["big", Array.from({ length: 201 }, (_, i) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: c${i} }`).join("\n---\n")],
  ]);
  const capped = preflight(null, many);
  assert.equal(capped.items.length, 200);
  assert.equal(capped.truncated, true);
});
