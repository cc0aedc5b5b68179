// The sync history the hub carries from an application's item to the next: what an item written
// before histories were kept contributes, and the age bound.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ApplicationStatus, StoredApplicationStatus } from "../../contract/index.js";
import { nextSyncHistory, SYNC_RETENTION_SECONDS } from "../../lambdas/status/sync-history.js";

const NOW = new Date("2026-12-04T12:00:00Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const A = "a".repeat(40);
const B = "b".repeat(40);
const app = (overrides: Partial<ApplicationStatus>): ApplicationStatus => ({
  name: "web",
  revision: B,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  ...overrides,
});

test("an item stored before histories were kept gives its last sync as the history's start", () => {
  const legacy: StoredApplicationStatus = { ...app({ revision: A, health: "Degraded", lastSyncedAt: ago(600) }), updatedAt: ago(600) };
  assert.deepEqual(nextSyncHistory(legacy, app({ lastSyncedAt: ago(60) }), NOW), [
    { at: ago(60), revision: B, sync: "Synced", health: "Healthy" },
    { at: ago(600), revision: A, sync: "Synced", health: "Degraded" },
  ]);
});

test("syncs older than the retention are dropped when the item is written; a report without a sync keeps the history", () => {
  const before: StoredApplicationStatus = {
    ...app({ lastSyncedAt: ago(60) }),
    updatedAt: ago(60),
    syncs: [
      { at: ago(60), revision: B, sync: "Synced", health: "Healthy" },
      { at: ago(SYNC_RETENTION_SECONDS + 1), revision: A, sync: "Synced", health: "Healthy" },
    ],
  };
  assert.deepEqual(nextSyncHistory(before, app({ lastSyncedAt: undefined, health: "Progressing" }), NOW), [before.syncs![0]]);
});
