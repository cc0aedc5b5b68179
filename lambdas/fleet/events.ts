import type { FleetEvent, SyncFleetEvent } from "../../contract/index.js";
import type { SnapshotCluster } from "./snapshot.js";

/** Earlier syncs (beyond each application's last) that the feed shows per cluster, newest first: a bound on its size at 10,000 clusters. */
export const EARLIER_SYNCS_PER_CLUSTER = 20;

/** An event with the key that orders the fleet's events newest first (and pages them). */
export interface KeyedEvent {
  key: string;
  cluster: string;
  event: FleetEvent;
}

/** Later times give smaller keys, so ascending keys are newest first; ties are broken by cluster, application and what happened. */
function keyOf(at: string, ...parts: string[]): string {
  const fromEnd = String(9_000_000_000_000_000 - Date.parse(at)).padStart(16, "0");
  return [fromEnd, ...parts].join("|");
}

/**
 * A cluster's sync events: each application's last sync, and the newest EARLIER_SYNCS_PER_CLUSTER
 * of the earlier ones the hub kept (the applications' `syncs`).
 */
function syncEvents(cluster: SnapshotCluster): SyncFleetEvent[] {
  const last: SyncFleetEvent[] = [];
  const earlier: SyncFleetEvent[] = [];
  for (const app of cluster.applications) {
    const event = { type: "sync", cluster: cluster.name, application: app.name } as const;
    if (app.lastSyncedAt !== undefined) last.push({ ...event, at: app.lastSyncedAt, revision: app.revision, sync: app.sync, health: app.health });
    for (const record of app.syncs ?? []) if (record.at !== app.lastSyncedAt) earlier.push({ ...event, ...record });
  }
  earlier.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return [...last, ...earlier.slice(0, EARLIER_SYNCS_PER_CLUSTER)];
}

/** A cluster's events, kept per snapshot cluster: a refresh keeps the objects of clusters that did not change (snapshot.ts), so their events are not built again. */
const byCluster = new WeakMap<SnapshotCluster, KeyedEvent[]>();

function clusterEvents(cluster: SnapshotCluster): KeyedEvent[] {
  const known = byCluster.get(cluster);
  if (known) return known;
  const events: KeyedEvent[] = [];
  for (const drift of cluster.drift) {
    const { resource } = drift;
    const what = [drift.application, "drift", resource.group, resource.kind, resource.namespace ?? "", resource.name, drift.action];
    events.push({ key: keyOf(drift.at, cluster.name, ...what), cluster: cluster.name, event: { type: "drift", cluster: cluster.name, ...drift } });
  }
  for (const event of syncEvents(cluster)) events.push({ key: keyOf(event.at, cluster.name, event.application, "sync"), cluster: cluster.name, event });
  byCluster.set(cluster, events);
  return events;
}

/** Every event the snapshot holds: each cluster's newest drift events and its syncs (see syncEvents), newest first. */
export function fleetEvents(clusters: SnapshotCluster[]): KeyedEvent[] {
  const events: KeyedEvent[] = [];
  for (const cluster of clusters) for (const event of clusterEvents(cluster)) events.push(event);
  return events.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
