import * as z from "zod";
import type {
  ApplicationAcrossFleet,
  ApplicationMatrix,
  ClusterApplication,
  FleetClusterPage,
  FleetEventPage,
  FleetOverview,
  GenerationRecord,
  LastGeneration,
} from "../../contract/index.js";
import { matches, type Selector } from "../../core/labels/selector.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import { RegistryError } from "../inventory/errors.js";
import type { PageTokens } from "../inventory/page-cursor.js";
import { InvalidCursorError, type Clock, type DeployRepository, type GenerationHistory } from "../ports.js";
import type { DeployRevisions } from "../status/deploy-revisions.js";
import type { StatusService } from "../status/status-service.js";
import { fleetEvents, type KeyedEvent } from "./events.js";
import { viewOf, type ClusterView } from "./honest.js";
import { columnsOf, matrixRows, pageAfter, rolloutOf, type MatrixFilter } from "./matrix.js";
import { lastGenerationOf, overviewOf } from "./overview.js";
import type { FleetSnapshot, FleetSnapshots, SnapshotCluster } from "./snapshot.js";

/** Why a fleet read was refused; the HTTP layer maps each reason to a status. */
export class FleetError extends Error {
  constructor(
    readonly reason: "not_found",
    message: string,
  ) {
    super(message);
  }
}

/** Where a page of a fleet list stopped; `list` keeps one list's token from resuming another. */
const Position = z.strictObject({ list: z.enum(["clusters", "matrix", "application", "events"]), after: z.string().max(800) });
type Position = z.infer<typeof Position>;

/** Drift events read for one application on one cluster (the status domain's bound on what is kept). */
const DRIFT_PER_APPLICATION_READ = 200;
/** Generation runs looked through for the newest that is not a dry run. */
const GENERATIONS_LOOKED_AT = 20;

export interface FleetDependencies {
  snapshots: FleetSnapshots;
  clock: Clock;
  /** A cluster silent this long is stale (the status domain's rule). */
  staleAfterMs: number;
  pageTokens: () => Promise<PageTokens>;
  registry: Pick<ClusterRegistry, "get">;
  status: Pick<StatusService, "read">;
  revisions: DeployRevisions;
  /** Null when the hub has no fleet repo (so for `history` too). */
  deploy: Pick<DeployRepository, "url" | "ensureCommit" | "listFiles" | "readFile"> | null;
  /** Null when the hub has no fleet repo. */
  history: Pick<GenerationHistory, "list"> | null;
}

/** Clusters whose views are computed between two yields to the event loop. */
const VIEW_SLICE = 1000;

/**
 * Every cluster's view of one snapshot. A view depends on the clock only through the cluster's
 * stale deadline, so views are computed once per snapshot and only those of clusters whose
 * deadline passed are computed again.
 */
interface Views {
  snapshot: FleetSnapshot;
  views: ClusterView[];
  /** Reporting clusters (their index in `views`) by stale deadline (epoch ms), the soonest last. */
  turning: { at: number; index: number }[];
  /** Overviews of the views as they are, by group-by key. */
  overviews: Map<string | null, FleetOverview>;
}

/** The fleet's read models for the console: every answer honest as of now, from the shared snapshot (one cluster's application is read directly). */
export class FleetService {
  private memo: { snapshot: FleetSnapshot; views: Promise<Views> } | undefined;
  private derived = new WeakMap<FleetSnapshot, { events?: KeyedEvent[]; generation?: Promise<LastGeneration | null> }>();
  /** Each snapshot cluster's last view: a refresh keeps the objects of clusters that did not change, and their views hold until a stale deadline passes. */
  private viewed = new WeakMap<SnapshotCluster, ClusterView>();

  constructor(private readonly deps: FleetDependencies) {}

  /** Keeps the shared snapshot fresh in the background (a long-lived process only: see FleetSnapshots.keepFresh). */
  keepFresh(): { stop(): void } {
    return this.deps.snapshots.keepFresh();
  }

  async overview(groupBy: string | null): Promise<FleetOverview> {
    const memo = await this.views();
    const { snapshot, views, overviews } = memo;
    const lastGeneration = await this.lastGeneration(snapshot);
    // Cleared whenever a view changes: an overview kept here is of the views as they are.
    let overview = overviews.get(groupBy);
    if (!overview) {
      overview = overviewOf(views, { asOf: snapshot.asOf, staleAfterSeconds: Math.round(this.deps.staleAfterMs / 1000), groupBy, lastGeneration });
      overviews.set(groupBy, overview);
    }
    return overview;
  }

  /** The clusters the selector picks, by name, without cells: the views' own objects, so a whole fleet costs its serialization only. */
  async clusters(selector: Selector, limit: number, pageToken?: string): Promise<FleetClusterPage> {
    const after = await this.position("clusters", pageToken);
    const { snapshot, views } = await this.views();
    const clusters = views.flatMap((view) => (matches(selector, view.cluster.labels) ? [view.cluster] : []));
    const { page, last } = pageAfter(clusters, (cluster) => cluster.name, limit, after);
    return { asOf: snapshot.asOf.toISOString(), totals: { clusters: clusters.length }, clusters: page, nextPageToken: await this.token("clusters", last) };
  }

  async matrix(filter: MatrixFilter, limit: number, pageToken?: string): Promise<ApplicationMatrix> {
    const after = await this.position("matrix", pageToken);
    const { snapshot, views } = await this.views();
    const rows = matrixRows(views, filter);
    const { page, last } = pageAfter(rows, (row) => row.cluster.name, limit, after);
    return {
      asOf: snapshot.asOf.toISOString(),
      applications: columnsOf(rows),
      totals: { clusters: rows.length, cells: rows.reduce((sum, row) => sum + row.cells.length, 0) },
      rows: page,
      nextPageToken: await this.token("matrix", last),
    };
  }

  async application(name: string, selector: Selector, limit: number, pageToken?: string): Promise<ApplicationAcrossFleet> {
    const after = await this.position("application", pageToken);
    const { snapshot, views } = await this.views();
    if (!views.some((view) => view.cells.some((cell) => cell.application === name))) {
      throw new FleetError("not_found", `application ${name} is not reported by any cluster; list them with GET /v1/applications`);
    }
    const rows = matrixRows(views, { selector, application: name });
    const all = rows.map((row) => ({ cluster: row.cluster, cell: row.cells[0]! }));
    const { page, last } = pageAfter(all, (entry) => entry.cluster.name, limit, after);
    return {
      asOf: snapshot.asOf.toISOString(),
      application: name,
      ...rolloutOf(all.map((entry) => entry.cell)),
      clusters: page,
      nextPageToken: await this.token("application", last),
    };
  }

  async events(selector: Selector, application: string | undefined, limit: number, pageToken?: string): Promise<FleetEventPage> {
    const after = await this.position("events", pageToken);
    const { snapshot, views } = await this.views();
    const derived = this.derivedOf(snapshot);
    derived.events ??= fleetEvents(snapshot.clusters);
    // Unfiltered (the overview's recent drift), the fleet's events are paged as they are: 38,000 at 10,000 clusters.
    const kept = application === undefined && selector.length === 0 ? derived.events : this.filtered(derived.events, views, selector, application);
    const { page, last } = pageAfter(kept, (keyed) => keyed.key, limit, after);
    return { asOf: snapshot.asOf.toISOString(), items: page.map((keyed) => keyed.event), nextPageToken: await this.token("events", last) };
  }

  private filtered(events: KeyedEvent[], views: ClusterView[], selector: Selector, application: string | undefined): KeyedEvent[] {
    const labels = new Map(views.map((view) => [view.cluster.name, view.cluster.labels]));
    return events.filter(
      (keyed) => (application === undefined || keyed.event.application === application) && matches(selector, labels.get(keyed.cluster) ?? {}),
    );
  }

  /** Read now, not from the snapshot: one cluster costs a few reads, and a click through shows the latest. */
  async clusterApplication(cluster: string, application: string): Promise<ClusterApplication> {
    // Imported here, not with this module: it brings the manifest reader and yaml, which the hub's
    // API function would otherwise load at every cold start for this one route.
    const { clusterApplication, readDeployFolder } = await import("./cluster-application.js");
    const registered = await this.registered(cluster);
    const { rebuild } = registered;
    const status = await this.deps.status.read(cluster, rebuild?.requestedAt ?? registered.createdAt, DRIFT_PER_APPLICATION_READ, rebuild?.incarnation ?? 1);
    const head = await this.deps.revisions.revisionOf(cluster);
    const folder = head && this.deps.deploy ? await readDeployFolder(this.deps.deploy, cluster, application, head) : null;
    const reported = status.applications.some((app) => app.name === application);
    if (!folder && !reported) {
      throw new FleetError("not_found", `application ${application} is not on cluster ${cluster}: neither its deploy branch holds it nor its agent reports it`);
    }
    const summary = status.reported ? { receivedAt: status.receivedAt!, agentVersion: status.agentVersion!, revision: status.revision } : undefined;
    const view = viewOf(
      { name: cluster, labels: registered.labels, summary, applications: status.applications, head },
      this.deps.clock(),
      this.deps.staleAfterMs,
    );
    return clusterApplication(view, status, application, folder);
  }

  private async registered(cluster: string) {
    try {
      return await this.deps.registry.get(cluster);
    } catch (error) {
      if (error instanceof RegistryError && error.reason === "not_found") throw new FleetError("not_found", error.message);
      throw error;
    }
  }

  /** Every cluster's view as of now. */
  private async views(): Promise<Views> {
    const snapshot = await this.deps.snapshots.current();
    if (this.memo?.snapshot !== snapshot) this.memo = { snapshot, views: this.viewsOf(snapshot) };
    const memo = await this.memo.views;
    this.turnStale(memo);
    return memo;
  }

  /** The views of a new snapshot, computed in slices so that a fleet of 10,000 clusters does not hold up other requests. */
  private async viewsOf(snapshot: FleetSnapshot): Promise<Views> {
    const views: ClusterView[] = [];
    for (let i = 0; i < snapshot.clusters.length; i += VIEW_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const now = this.deps.clock();
      for (const cluster of snapshot.clusters.slice(i, i + VIEW_SLICE)) views.push(this.viewOf(cluster, now));
    }
    const turning = views.flatMap((view, index) => (view.cluster.state === "Reporting" ? [{ at: Date.parse(view.cluster.staleAt!), index }] : []));
    turning.sort((a, b) => b.at - a.at);
    return { snapshot, views, turning, overviews: new Map() };
  }

  /** The cluster's view as of `now`: the one computed before unless its stale deadline passed since. */
  private viewOf(cluster: SnapshotCluster, now: Date): ClusterView {
    const known = this.viewed.get(cluster);
    if (known && (known.cluster.state !== "Reporting" || now.getTime() < Date.parse(known.cluster.staleAt!))) return known;
    const view = viewOf(cluster, now, this.deps.staleAfterMs);
    this.viewed.set(cluster, view);
    return view;
  }

  /** The views of the clusters whose stale deadline passed since they were computed, computed again. */
  private turnStale(memo: Views): void {
    const now = this.deps.clock();
    while (memo.turning.length > 0 && memo.turning.at(-1)!.at <= now.getTime()) {
      const { index } = memo.turning.pop()!;
      memo.views[index] = this.viewOf(memo.snapshot.clusters[index]!, now);
      memo.overviews.clear();
    }
  }

  private derivedOf(snapshot: FleetSnapshot) {
    let derived = this.derived.get(snapshot);
    if (!derived) this.derived.set(snapshot, (derived = {}));
    return derived;
  }

  private lastGeneration(snapshot: FleetSnapshot): Promise<LastGeneration | null> {
    const { history } = this.deps;
    if (!history) return Promise.resolve(null);
    const derived = this.derivedOf(snapshot);
    derived.generation ??= history
      .list(GENERATIONS_LOOKED_AT)
      .then((page) => lastGenerationOf(page.records.find((record: GenerationRecord) => !record.dryRun)));
    return derived.generation;
  }

  private async position(list: Position["list"], pageToken: string | undefined): Promise<string | undefined> {
    if (pageToken === undefined) return undefined;
    const position = (await this.deps.pageTokens()).decode(pageToken, Position);
    if (position.list !== list) throw new InvalidCursorError(`pageToken belongs to another list (${position.list}); start again without it`);
    return position.after;
  }

  private async token(list: Position["list"], last: string | undefined): Promise<string | null> {
    return last === undefined ? null : (await this.deps.pageTokens()).encode({ list, after: last } satisfies Position);
  }
}
