import type { FleetEvent } from "../../contract/index.js";
import type { SnapshotCluster } from "./snapshot.js";

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
 * Every event the snapshot holds: each cluster's newest drift events, and each application's last
 * sync (agents report the last sync of an application, not a history), newest first.
 */
export function fleetEvents(clusters: SnapshotCluster[]): KeyedEvent[] {
  const events: KeyedEvent[] = [];
  for (const cluster of clusters) {
    for (const drift of cluster.drift) {
      const { resource } = drift;
      const what = [drift.application, "drift", resource.group, resource.kind, resource.namespace ?? "", resource.name, drift.action];
      events.push({ key: keyOf(drift.at, cluster.name, ...what), cluster: cluster.name, event: { type: "drift", cluster: cluster.name, ...drift } });
    }
    for (const app of cluster.applications) {
      if (app.lastSyncedAt === undefined) continue;
      const event: FleetEvent = {
        type: "sync",
        cluster: cluster.name,
        application: app.name,
        at: app.lastSyncedAt,
        revision: app.revision,
        sync: app.sync,
        health: app.health,
      };
      events.push({ key: keyOf(app.lastSyncedAt, cluster.name, app.name, "sync"), cluster: cluster.name, event });
    }
  }
  return events.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
