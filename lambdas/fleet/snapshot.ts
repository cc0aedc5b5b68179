/**
 * The read side of the fleet views: one snapshot of every cluster, its last report, its
 * applications and its newest drift events, refreshed at most every `refreshMs` and shared by every
 * reader of this process. Fleet-wide answers then cost memory, not reads per request, and no item
 * of the table is read by every request (there is no hot item: clusters come from the eight index
 * shards, status items in batches of 100 by key).
 *
 * A refresh reads every cluster and every status item, but an application item or drift history
 * only when the status item says it changed since the last snapshot (a new digest, more drift
 * stored): a heartbeat that changes nothing costs the next refresh one status item.
 */
import type { StoredApplicationStatus, StoredDriftEvent } from "../../contract/index.js";
import { pool } from "../../core/pool.js";
import type { DeployRevisions } from "../status/deploy-revisions.js";
import type { Clock, FleetStore, StatusStore, StoredStatus } from "../ports.js";
import type { ReportedCluster } from "./honest.js";

/** Drift events kept per cluster in the snapshot, newest first: what `/v1/events` can show of one cluster. */
export const SNAPSHOT_DRIFT_PER_CLUSTER = 20;
/** Clusters whose changed items are read at once during a refresh. */
const CONCURRENT_CLUSTERS = 16;

export interface SnapshotCluster extends ReportedCluster {
  drift: StoredDriftEvent[];
}

export interface FleetSnapshot {
  /** When the refresh that made it started (the hub's clock). */
  asOf: Date;
  /** By name. */
  clusters: SnapshotCluster[];
}

/** What a refresh keeps of a cluster to read only what changed next time. */
interface Kept {
  applications: Map<string, { digest: string; status: StoredApplicationStatus }>;
  driftStored: number;
  seq: number;
  drift: StoredDriftEvent[];
}

export interface FleetSnapshotDependencies {
  store: FleetStore;
  /** For drift events (the status store's own query). */
  status: Pick<StatusStore, "listDriftEvents">;
  revisions: DeployRevisions;
  clock: Clock;
  /** A snapshot older than this is not served; one older than half of it is refreshed in the background. */
  refreshMs: number;
  /** The status domain's bound on drift history: past it, an unchanged count may hide new events. */
  driftHistory: number;
}

export class FleetSnapshots {
  private snapshot: FleetSnapshot | undefined;
  private refreshing: Promise<FleetSnapshot> | undefined;
  private kept = new Map<string, Kept>();

  constructor(private readonly deps: FleetSnapshotDependencies) {}

  /** A snapshot at most `refreshMs` old: the current one, or a new one when it is older. */
  async current(): Promise<FleetSnapshot> {
    const age = this.snapshot ? this.deps.clock().getTime() - this.snapshot.asOf.getTime() : Infinity;
    if (age < this.deps.refreshMs) {
      if (age >= this.deps.refreshMs / 2) void this.refresh().catch(() => undefined);
      return this.snapshot!;
    }
    return this.refresh();
  }

  /** Starts a refresh, or joins the one in flight. */
  refresh(): Promise<FleetSnapshot> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<FleetSnapshot> {
    const asOf = this.deps.clock();
    const entries = await this.deps.store.listClusters();
    const statuses = await this.deps.store.getStatuses(entries.map((entry) => entry.name));
    const kept = new Map<string, Kept>();
    const clusters = await pool(entries, CONCURRENT_CLUSTERS, async (entry): Promise<SnapshotCluster> => {
      const stored = statuses.get(entry.name);
      // Status from before `since` belongs to an earlier cluster of the same name, or an earlier incarnation.
      const status = stored && stored.summary.receivedAt >= entry.since && (stored.incarnation ?? 1) === entry.incarnation ? stored : undefined;
      const head = await this.deps.revisions.revisionOf(entry.name);
      const { name, labels } = entry;
      if (!status) return { name, labels, head, summary: undefined, applications: [], drift: [] };
      const now = await this.update(name, status, asOf);
      kept.set(name, now);
      const drift = now.drift.filter((event) => event.receivedAt >= entry.since);
      return { name, labels, head, summary: status.summary, applications: [...now.applications.values()].map((a) => a.status), drift };
    });
    clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.kept = kept;
    this.snapshot = { asOf, clusters };
    return this.snapshot;
  }

  /** The cluster's applications and drift as `status` names them, reading only what changed since the last refresh. */
  private async update(cluster: string, status: StoredStatus, asOf: Date): Promise<Kept> {
    const before = this.kept.get(cluster);
    const applications = new Map<string, { digest: string; status: StoredApplicationStatus }>();
    const missing: { name: string; digest: string }[] = [];
    for (const [name, digest] of Object.entries(status.digests)) {
      const known = before?.applications.get(name);
      if (known?.digest === digest) applications.set(name, known);
      else missing.push({ name, digest });
    }
    if (missing.length > 0) {
      const digestOf = new Map(missing.map((m) => [m.name, m.digest]));
      for (const app of await this.deps.store.getApplications(cluster, missing)) applications.set(app.name, { digest: digestOf.get(app.name)!, status: app });
    }
    const sorted = new Map([...applications].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { applications: sorted, driftStored: status.driftStored, seq: status.seq, drift: await this.drift(cluster, status, before, asOf) };
  }

  /** The newest drift events: read again only when the status item says more were stored (or, at the bound, when anything was). */
  private async drift(cluster: string, status: StoredStatus, before: Kept | undefined, asOf: Date): Promise<StoredDriftEvent[]> {
    if (status.driftStored === 0) return [];
    const atBound = status.driftStored >= this.deps.driftHistory;
    const unchanged = before?.driftStored === status.driftStored && !(atBound && before.seq !== status.seq);
    if (unchanged) return before.drift;
    return this.deps.status.listDriftEvents(cluster, SNAPSHOT_DRIFT_PER_CLUSTER, Math.floor(asOf.getTime() / 1000));
  }
}
