import type { ApplicationStatus, StoredApplicationStatus, SyncRecord } from "../../contract/index.js";

/**
 * Agents report an application's last sync only; the hub keeps the recent ones in the
 * application's own item (written anyway when the application changes, so the history costs no
 * write of its own): at most SYNC_HISTORY of them, none older than SYNC_RETENTION_SECONDS when the
 * item is written. The bound keeps the item small (each record is under 200 bytes, against
 * DynamoDB's 400 KB) and the fleet snapshot, which holds every application, within its memory.
 */
export const SYNC_HISTORY = 5;
export const SYNC_RETENTION_SECONDS = 30 * 86_400;

/** What an item written before the hub kept a history says: its last sync, if any. */
function historyOf(before: StoredApplicationStatus | undefined): SyncRecord[] {
  if (!before) return [];
  if (before.syncs) return before.syncs;
  return before.lastSyncedAt ? [{ at: before.lastSyncedAt, revision: before.revision, sync: before.sync, health: before.health }] : [];
}

/**
 * The history to store with `application` as just reported, given the item it replaces: its last
 * sync first, carrying its current sync and health (a sync already recorded is updated, not
 * repeated), then the earlier ones, newest first, bounded in number and age.
 */
export function nextSyncHistory(before: StoredApplicationStatus | undefined, application: ApplicationStatus, now: Date): SyncRecord[] {
  const { lastSyncedAt, revision, sync, health } = application;
  const earlier = historyOf(before).filter((record) => record.at !== lastSyncedAt);
  const records = lastSyncedAt ? [{ at: lastSyncedAt, revision, sync, health }, ...earlier] : earlier;
  const oldest = now.getTime() - SYNC_RETENTION_SECONDS * 1000;
  return records
    .filter((record) => Date.parse(record.at) >= oldest)
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, SYNC_HISTORY);
}
