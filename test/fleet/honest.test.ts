// The hub's honest reading of reports: what a cell and a cluster show by the hub's clock and the
// deploy branch's head, whatever the agent last said.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredApplicationStatus } from "../../contract/index.js";
import { viewOf, type ReportedCluster } from "../../lambdas/fleet/honest.js";

const HEAD = "1".repeat(40);
const OLD = "0".repeat(40);
const RECEIVED = "2026-01-01T00:00:00.000Z";
const STALE_AFTER_MS = 90_000;

const app = (overrides: Partial<StoredApplicationStatus> = {}): StoredApplicationStatus => ({
  name: "web",
  revision: HEAD,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  updatedAt: RECEIVED,
  ...overrides,
});

const cluster = (overrides: Partial<ReportedCluster> = {}): ReportedCluster => ({
  name: "edge-1",
  labels: {},
  summary: { receivedAt: RECEIVED, agentVersion: "1", revision: HEAD },
  applications: [app()],
  head: HEAD,
  ...overrides,
});

const at = (ms: number) => new Date(Date.parse(RECEIVED) + ms);
const cellOf = (reported: ReportedCluster, now = at(1000)) => viewOf(reported, now, STALE_AFTER_MS).cells[0]!;

test("a report at the head, before the deadline, stands as reported", () => {
  const view = viewOf(cluster({ applications: [app({ health: "Degraded" })] }), at(1000), STALE_AFTER_MS);
  assert.deepEqual([view.cluster.state, view.cluster.sync, view.cluster.health, view.cluster.reason], ["Reporting", "Synced", "Degraded", undefined]);
  assert.deepEqual([view.cells[0]!.sync, view.cells[0]!.health, view.cells[0]!.reason], ["Synced", "Degraded", undefined]);
});

test("at its stale deadline (by the hub's clock) a cluster and its applications are Unknown, never their last Healthy", () => {
  const before = viewOf(cluster(), at(STALE_AFTER_MS - 1), STALE_AFTER_MS);
  assert.equal(before.cluster.state, "Reporting");
  const view = viewOf(cluster(), at(STALE_AFTER_MS), STALE_AFTER_MS);
  assert.deepEqual([view.cluster.state, view.cluster.sync, view.cluster.health, view.cluster.reason], ["Stale", "Unknown", "Unknown", "stale"]);
  assert.equal(view.cluster.staleAt, at(STALE_AFTER_MS).toISOString());
  const cell = view.cells[0]!;
  assert.deepEqual([cell.sync, cell.health, cell.reason, cell.reportedSync, cell.reportedHealth], ["Unknown", "Unknown", "stale", "Synced", "Healthy"]);
});

test("a cluster that never reported is NeverReported and Unknown, with no cells", () => {
  const view = viewOf(cluster({ summary: undefined, applications: [] }), at(0), STALE_AFTER_MS);
  assert.deepEqual(
    [view.cluster.state, view.cluster.sync, view.cluster.health, view.cluster.reason, view.cells],
    ["NeverReported", "Unknown", "Unknown", "never-reported", []],
  );
});

test("an application not applied at the head is OutOfSync once its agent fetched the head, Unknown before", () => {
  const applied = cellOf(cluster({ applications: [app({ revision: OLD })] }));
  assert.deepEqual([applied.sync, applied.reason, applied.desiredRevision], ["OutOfSync", "not-applied", HEAD]);
  const behind = cluster({ summary: { receivedAt: RECEIVED, agentVersion: "1", revision: OLD }, applications: [app({ revision: OLD })] });
  const fetched = viewOf(behind, at(1000), STALE_AFTER_MS);
  assert.deepEqual([fetched.cells[0]!.sync, fetched.cells[0]!.reason], ["Unknown", "not-fetched"]);
  assert.deepEqual([fetched.cluster.sync, fetched.cluster.reason], ["Unknown", "not-fetched"]);
  // What the agent itself calls OutOfSync stays OutOfSync.
  assert.equal(cellOf(cluster({ applications: [app({ revision: OLD, sync: "OutOfSync" })] })).sync, "OutOfSync");
});

test("an agent behind the head makes its cluster Unknown even when every application it reports is Synced (the head may add one)", () => {
  const view = viewOf(cluster({ summary: { receivedAt: RECEIVED, agentVersion: "1", revision: null }, applications: [] }), at(1000), STALE_AFTER_MS);
  assert.deepEqual([view.cluster.sync, view.cluster.reason], ["Unknown", "not-fetched"]);
});

test("without a known head (no fleet repo, no branch) the report stands", () => {
  const cell = cellOf(cluster({ head: null, applications: [app({ revision: OLD })] }));
  assert.deepEqual([cell.sync, cell.reason], ["Synced", undefined]);
});
