/**
 * The read side of the fleet views: one snapshot of every cluster, its last report, its
 * applications and its newest drift events, refreshed about every `refreshMs` and shared by every
 * reader of this process. Fleet-wide answers then cost memory, not reads per request, and no item
 * of the table is read by every request (there is no hot item: clusters come from the eight index
 * shards, status items in batches of 100 by key).
 *
 * A refresh reads every cluster and the version (`seq`, receipt time) of every status item, the
 * whole status item only when its version changed since the last snapshot, and an application
 * item or drift history only when the status item says it changed (a new digest, more drift
 * stored): a heartbeat that changes nothing costs the next refresh one status item. Changed
 * application items of all clusters are read together in batches of 100, not one request per
 * cluster, and the snapshot is assembled in slices that yield to the event loop, so a first build
 * at 10,000 clusters does not hold up the status intake that shares the process.
 *
 * A report stored between the read of a status item and that of its application items deletes the
 * items it replaced: the cluster's status is read again (up to READ_ROUNDS times) so that a
 * snapshot never shows a report with some of its applications missing.
 */
import type { StoredApplicationStatus, StoredDriftEvent } from "../../contract/index.js";
import { pool } from "../../core/pool.js";
import type { DeployRevisions } from "../status/deploy-revisions.js";
import type { ClusterApplicationVersion, Clock, FleetClusterEntry, FleetStore, StatusStore, StoredStatus } from "../ports.js";
import type { ReportedCluster } from "./honest.js";

/** Drift events kept per cluster in the snapshot, newest first: what `/v1/events` can show of one cluster. */
export const SNAPSHOT_DRIFT_PER_CLUSTER = 20;
/** Clusters whose drift history is read at once during a refresh. */
const CONCURRENT_DRIFT_READS = 8;
/** Reads of a cluster's status and application items before the refresh keeps its last consistent state. */
const READ_ROUNDS = 3;
/** Clusters assembled between two yields to the event loop. */
const SLICE = 500;
/**
 * How many refresh intervals old a snapshot may be and still answer while a newer one is read:
 * 15 s at the default 5 s, half of an agent's default heartbeat, so a change still shows within
 * one heartbeat; a stale deadline passed meanwhile shows at once (views are computed as of now).
 */
export const SERVED_FOR_REFRESHES = 3;

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
  status: StoredStatus;
  applications: Map<string, { digest: string; status: StoredApplicationStatus }>;
  drift: StoredDriftEvent[];
}

export interface FleetSnapshotDependencies {
  store: FleetStore;
  /** For drift events (the status store's own query). */
  status: Pick<StatusStore, "listDriftEvents">;
  revisions: DeployRevisions;
  clock: Clock;
  /**
   * A reader finding the snapshot older than this starts a refresh in the background and is
   * answered from the snapshot it has, up to SERVED_FOR_REFRESHES times this old; past that it
   * waits for the refresh.
   */
  refreshMs: number;
  /** The status domain's bound on drift history: past it, an unchanged count may hide new events. */
  driftHistory: number;
}

/** The status items that belong to their entry: status from before `since` is an earlier cluster's of the same name, or an earlier incarnation's. */
function current(entries: Map<string, FleetClusterEntry>, statuses: Map<string, StoredStatus>): Map<string, StoredStatus> {
  const belong = [...statuses].filter(([name, status]) => {
    const entry = entries.get(name);
    return entry && status.summary.receivedAt >= entry.since && (status.incarnation ?? 1) === entry.incarnation;
  });
  return new Map(belong);
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const byName = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : a > b ? 1 : 0);

export class FleetSnapshots {
  private snapshot: FleetSnapshot | undefined;
  private refreshing: Promise<FleetSnapshot> | undefined;
  private kept = new Map<string, Kept>();
  /** What each snapshot cluster was assembled from. */
  private sources = new WeakMap<SnapshotCluster, { kept: Kept | undefined; since: string }>();

  constructor(private readonly deps: FleetSnapshotDependencies) {}

  /**
   * The current snapshot while it is younger than SERVED_FOR_REFRESHES × `refreshMs` (refreshed
   * in the background once older than `refreshMs`), else a new one. A refresh reads every
   * cluster's status version, seconds of work at 10,000 clusters on the embedded store, so a
   * console polling every few seconds is answered from memory instead of waiting for it.
   */
  async current(): Promise<FleetSnapshot> {
    const age = this.snapshot ? this.deps.clock().getTime() - this.snapshot.asOf.getTime() : Infinity;
    if (age < SERVED_FOR_REFRESHES * this.deps.refreshMs) {
      if (age >= this.deps.refreshMs) void this.refresh().catch(() => undefined);
      return this.snapshot!;
    }
    return this.refresh();
  }

  /**
   * Refreshes in the background until stopped, for a long-lived process (the embedded hub): the
   * first build, which reads every application item (seconds at 10,000 clusters), then happens at
   * start and while clusters register, never when someone first opens the console. Every
   * SERVED_FOR_REFRESHES - 1 intervals: a snapshot that old is still served at once to a reader
   * (who starts the next refresh), and nobody reading costs the table a third of the reads a
   * refresh every interval would. A Lambda function cannot: it is frozen between requests, so there
   * the first read after a cold start builds the snapshot.
   */
  keepFresh(): { stop(): void } {
    const tick = () => {
      void this.refresh()
        .catch(() => undefined)
        .then(() => {
          if (timer) timer = setTimeout(tick, (SERVED_FOR_REFRESHES - 1) * this.deps.refreshMs).unref();
        });
    };
    let timer: NodeJS.Timeout | undefined = setTimeout(tick, 0).unref();
    return {
      stop: () => {
        clearTimeout(timer);
        timer = undefined;
      },
    };
  }

  /** Starts a refresh, or joins the one in flight. */
  refresh(): Promise<FleetSnapshot> {
    if (!this.refreshing) {
      const first = this.snapshot === undefined;
      this.refreshing = this.read().finally(() => {
        this.refreshing = undefined;
        // The first build reads every application item: at 10,000 clusters it ends older than the
        // interval, and the next reader would wait for a refresh. The next one starts at once instead,
        // and reads only what changed meanwhile.
        if (first && this.snapshot && this.deps.clock().getTime() - this.snapshot.asOf.getTime() >= this.deps.refreshMs) {
          void this.refresh().catch(() => undefined);
        }
      });
    }
    return this.refreshing;
  }

  private async read(): Promise<FleetSnapshot> {
    const asOf = this.deps.clock();
    const entries = await this.deps.store.listClusters();
    const statuses = await this.statuses(entries.map((entry) => entry.name));
    const kept = await this.applications(new Map(entries.map((entry) => [entry.name, entry])), statuses);
    await this.readDrift(kept, asOf);
    const clusters: SnapshotCluster[] = [];
    const before = new Map((this.snapshot?.clusters ?? []).map((cluster) => [cluster.name, cluster]));
    for (let i = 0; i < entries.length; i += SLICE) {
      if (i > 0) await yieldToEventLoop();
      for (const entry of entries.slice(i, i + SLICE)) clusters.push(await this.clusterOf(entry, kept.get(entry.name), before.get(entry.name)));
    }
    clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.kept = kept;
    this.snapshot = { asOf, clusters };
    return this.snapshot;
  }

  /** Every cluster's status item: those whose version the last snapshot holds from it, the others read whole. */
  private async statuses(clusters: string[]): Promise<Map<string, StoredStatus>> {
    const statuses = new Map<string, StoredStatus>();
    const changed: string[] = [];
    for (const [cluster, version] of await this.deps.store.getStatusVersions(clusters)) {
      const before = this.kept.get(cluster)?.status;
      if (before?.seq === version.seq && before.summary.receivedAt === version.receivedAt) statuses.set(cluster, before);
      else changed.push(cluster);
    }
    for (const [cluster, status] of await this.deps.store.getStatuses(changed)) statuses.set(cluster, status);
    return statuses;
  }

  /** The cluster as of this refresh: the last snapshot's own object when nothing of it changed, so the fleet's views of it can be kept too. */
  private async clusterOf(entry: FleetClusterEntry, kept: Kept | undefined, before: SnapshotCluster | undefined): Promise<SnapshotCluster> {
    const { name, labels } = entry;
    const head = await this.deps.revisions.revisionOf(name);
    const unchanged = before && this.sources.get(before)?.kept === kept && this.sources.get(before)?.since === entry.since;
    if (unchanged && before.head === head && sameLabels(before.labels, labels)) return before;
    const cluster = this.assembled(entry, kept, head);
    this.sources.set(cluster, { kept, since: entry.since });
    return cluster;
  }

  private assembled({ name, labels, since }: FleetClusterEntry, kept: Kept | undefined, head: string | null): SnapshotCluster {
    if (!kept) return { name, labels, head, summary: undefined, applications: [], drift: [] };
    const applications = [...kept.applications.values()].map((app) => app.status);
    const drift = kept.drift.filter((event) => event.receivedAt >= since);
    return { name, labels, head, summary: kept.status.summary, applications, drift };
  }

  /**
   * Each cluster's applications as its status item names them: the unchanged ones from the last
   * snapshot, the others read in batches across clusters. A cluster one of whose items is gone was
   * reported meanwhile: its status is read again, and after READ_ROUNDS it keeps its last state.
   */
  private async applications(entries: Map<string, FleetClusterEntry>, statuses: Map<string, StoredStatus>): Promise<Map<string, Kept>> {
    const kept = new Map<string, Kept>();
    let pending = current(entries, statuses);
    for (let round = 1; pending.size > 0; round++) {
      const missing: ClusterApplicationVersion[] = [];
      for (const [cluster, status] of pending) {
        for (const [name, digest] of Object.entries(status.digests)) {
          if (this.kept.get(cluster)?.applications.get(name)?.digest !== digest) missing.push({ cluster, name, digest });
        }
      }
      const read = new Map<string, Map<string, { digest: string; status: StoredApplicationStatus }>>();
      for (const item of await this.deps.store.getApplications(missing)) {
        if (!read.has(item.cluster)) read.set(item.cluster, new Map());
        read.get(item.cluster)!.set(item.name, { digest: item.digest, status: item.status });
      }
      const torn: string[] = [];
      for (const [cluster, status] of pending) {
        const complete = this.assemble(status, this.kept.get(cluster), read.get(cluster));
        if (complete) kept.set(cluster, complete);
        else torn.push(cluster);
      }
      if (torn.length === 0) break;
      if (round === READ_ROUNDS) {
        for (const cluster of torn) if (this.kept.has(cluster)) kept.set(cluster, this.kept.get(cluster)!);
        break;
      }
      pending = current(entries, await this.deps.store.getStatuses(torn));
    }
    return kept;
  }

  /** The cluster's applications by name, from the last snapshot or what was read; undefined if one of them is neither. */
  private assemble(status: StoredStatus, before: Kept | undefined, read: Kept["applications"] | undefined): Kept | undefined {
    // The same status item (its version unchanged): the same applications and drift.
    if (before?.status === status) return before;
    const applications: Kept["applications"] = new Map();
    for (const [name, digest] of Object.entries(status.digests)) {
      const known = before?.applications.get(name);
      const app = known?.digest === digest ? known : read?.get(name);
      if (app?.digest !== digest) return undefined;
      applications.set(name, app);
    }
    const drift = status.driftStored > 0 && before && !this.driftChanged(status, before) ? before.drift : [];
    return { status, applications: new Map([...applications].sort(byName)), drift };
  }

  /** Reads the newest drift events of the clusters whose status item says more were stored (or, at the bound, that anything was). */
  private async readDrift(kept: Map<string, Kept>, asOf: Date): Promise<void> {
    const stale = [...kept].filter(([cluster, now]) => now.status.driftStored > 0 && this.driftChanged(now.status, this.kept.get(cluster)));
    const nowSeconds = Math.floor(asOf.getTime() / 1000);
    await pool(stale, CONCURRENT_DRIFT_READS, async ([cluster, now]) => {
      now.drift = await this.deps.status.listDriftEvents(cluster, SNAPSHOT_DRIFT_PER_CLUSTER, nowSeconds);
    });
  }

  private driftChanged(status: StoredStatus, before: Kept | undefined): boolean {
    if (status.driftStored === 0) return false;
    if (before?.status.driftStored !== status.driftStored) return true;
    return status.driftStored >= this.deps.driftHistory && before.status.seq !== status.seq;
  }
}
