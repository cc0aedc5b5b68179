// The fleet snapshot on both stores: a report stored while a refresh is between its reads never
// shows half of it, and a snapshot kept past a cluster's stale deadline shows it Stale, never its
// last Healthy. Reports go through the status domain; clusters through the registry.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ApplicationStatus } from "../../contract/index.js";
import { StatusReport } from "../../contract/index.js";
import { DynamoDBFleetStore } from "../../lambdas/adapters/dynamodb/fleet-store.js";
import { DynamoDBInventoryStore } from "../../lambdas/adapters/dynamodb/inventory-store.js";
import { pageTokenSecret } from "../../lambdas/adapters/dynamodb/page-token-secret.js";
import { DynamoDBStatusStore } from "../../lambdas/adapters/dynamodb/status-store.js";
import { AwsEksLookup } from "../../lambdas/adapters/eks/eks-lookup.js";
import { FleetService } from "../../lambdas/fleet/fleet-service.js";
import { FleetSnapshots, SERVED_FOR_REFRESHES, type FleetSnapshot } from "../../lambdas/fleet/snapshot.js";
import { ClusterRegistry } from "../../lambdas/inventory/cluster-registry.js";
import type { StoredStatus } from "../../lambdas/ports.js";
import { NO_DEPLOY_REVISIONS } from "../../lambdas/status/deploy-revisions.js";
import { STALE_AFTER_POLL_INTERVALS, StatusService } from "../../lambdas/status/status-service.js";
import { engines, type Engine } from "../generate/engines.js";

const T0 = Date.parse("2026-12-04T12:00:00Z");
const POLL_SECONDS = 30;
const STALE_AFTER_MS = STALE_AFTER_POLL_INTERVALS * POLL_SECONDS * 1000;
const REFRESH_MS = 10 * 60_000;
const REVISION = "0123456789abcdef0123456789abcdef01234567";

const app = (name: string, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name,
  revision: REVISION,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  ...overrides,
});

/** The real fleet store, with one chance to act between a refresh's read of the status items and the rest. */
class InterleavedFleetStore extends DynamoDBFleetStore {
  afterStatuses: (() => Promise<void>) | undefined;
  /** How many refreshes have started (each lists the clusters once). */
  listings = 0;

  override listClusters() {
    this.listings += 1;
    return super.listClusters();
  }

  override async getStatuses(clusters: string[]): Promise<Map<string, StoredStatus>> {
    const statuses = await super.getStatuses(clusters);
    const act = this.afterStatuses;
    this.afterStatuses = undefined;
    await act?.();
    return statuses;
  }
}

interface Hub {
  clock: { now: number };
  store: InterleavedFleetStore;
  snapshots: FleetSnapshots;
  fleet: FleetService;
  report(cluster: string, applications: ApplicationStatus[]): Promise<void>;
}

/** The status domain, the registry and the fleet's read side on a fresh table, with a clock the test moves. */
async function hubOn(db: Engine, clusters: string[], refreshMs = REFRESH_MS): Promise<Hub> {
  const table = await db.table();
  const clock = { now: T0 };
  const now = () => new Date(clock.now);
  const statusStore = new DynamoDBStatusStore(db.client, table);
  const status = new StatusService({ store: statusStore, revisions: NO_DEPLOY_REVISIONS, clock: now, settings: { pollIntervalSeconds: POLL_SECONDS } });
  const registry = new ClusterRegistry({
    store: new DynamoDBInventoryStore(db.client, table),
    eks: new AwsEksLookup({ clock: now }),
    clock: now,
    settings: { hubUrl: "https://hub.radial.test", repoUrl: null, agentImage: "radial-agent:test", tokenGraceSeconds: 3600 },
  });
  for (const name of clusters) await registry.register({ name, labels: { env: "prod" } });
  clock.now += 1000;
  const store = new InterleavedFleetStore(db.client, table);
  const snapshots = new FleetSnapshots({ store, status: statusStore, revisions: NO_DEPLOY_REVISIONS, clock: now, refreshMs, driftHistory: 200 });
  const fleet = new FleetService({
    snapshots,
    clock: now,
    staleAfterMs: STALE_AFTER_MS,
    pageTokens: pageTokenSecret(DynamoDBDocumentClient.from(db.client), table, undefined),
    registry,
    status,
    revisions: NO_DEPLOY_REVISIONS,
    deploy: null,
    history: null,
  });
  const report = async (cluster: string, applications: ApplicationStatus[]) => {
    const parsed = StatusReport.parse({
      cluster,
      agentVersion: "test",
      heartbeatAt: now().toISOString(),
      revision: REVISION,
      conditions: [],
      applications,
      driftEvents: [],
    });
    await status.accept(parsed);
  };
  return { clock, store, snapshots, fleet, report };
}

/** Resolves once `done()` holds, checking after each turn of the event loop; fails after 20 s. */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The first cluster's applications' health in a snapshot. */
const health = (snapshot: FleetSnapshot) => snapshot.clusters[0]!.applications.map((a) => a.health);

/** cluster → application → health, as the snapshot holds them. */
async function healthOf(snapshots: FleetSnapshots): Promise<Record<string, Record<string, string>>> {
  const snapshot = await snapshots.refresh();
  return Object.fromEntries(snapshot.clusters.map((cluster) => [cluster.name, Object.fromEntries(cluster.applications.map((a) => [a.name, a.health]))]));
}

for (const engine of engines) {
  describe(`fleet snapshot on ${engine.name}`, () => {
    let db: Engine;
    before(async () => {
      db = await engine.start();
    });
    after(async () => {
      await db.stop();
    });

    test("a report stored between a refresh's reads shows whole, in the first build and in a later one", async () => {
      const hub = await hubOn(db, ["edge-1", "edge-2"]);
      await hub.report("edge-1", [app("web"), app("api")]);
      await hub.report("edge-2", [app("web")]);

      // First build: edge-1 reports again after its old status was read; the items that status names are deleted.
      hub.store.afterStatuses = () => hub.report("edge-1", [app("web", { health: "Degraded" }), app("db")]);
      assert.deepEqual(await healthOf(hub.snapshots), { "edge-1": { db: "Healthy", web: "Degraded" }, "edge-2": { web: "Healthy" } });
      assert.equal(hub.store.afterStatuses, undefined, "the report was stored mid-build");

      // A later refresh that finds edge-2's status changed, and edge-2 reporting again after that status was read.
      hub.clock.now += 1000;
      await hub.report("edge-2", [app("web", { health: "Progressing" })]);
      hub.store.afterStatuses = () => hub.report("edge-2", [app("web"), app("cache", { health: "Missing" })]);
      assert.deepEqual(await healthOf(hub.snapshots), { "edge-1": { db: "Healthy", web: "Degraded" }, "edge-2": { cache: "Missing", web: "Healthy" } });

      // A report after a status read that names only items the last snapshot holds: that report shows whole, the next one at the next refresh.
      hub.store.afterStatuses = () => hub.report("edge-1", [app("web")]);
      assert.deepEqual(await healthOf(hub.snapshots), { "edge-1": { db: "Healthy", web: "Degraded" }, "edge-2": { cache: "Missing", web: "Healthy" } });
      assert.deepEqual(await healthOf(hub.snapshots), { "edge-1": { web: "Healthy" }, "edge-2": { cache: "Missing", web: "Healthy" } });
    });

    test("a reader is answered at once from the snapshot it has while a newer one is read, up to three refresh intervals old; past that it waits", async () => {
      const hub = await hubOn(db, ["edge-1"]);
      await hub.report("edge-1", [app("web")]);
      const first = await hub.snapshots.current();
      await hub.report("edge-1", [app("web", { health: "Degraded" })]);
      hub.clock.now += REFRESH_MS / 2;
      assert.equal(await hub.snapshots.current(), first, "younger than the refresh interval");
      hub.clock.now += REFRESH_MS;
      assert.equal(await hub.snapshots.current(), first, "older than the interval: answered from the snapshot it has");
      const refreshed = await hub.snapshots.refresh();
      assert.deepEqual(health(refreshed), ["Degraded"], "the refresh that reader started holds the new report");
      assert.equal(await hub.snapshots.current(), refreshed);

      await hub.report("edge-1", [app("web")]);
      hub.clock.now += SERVED_FOR_REFRESHES * REFRESH_MS;
      const waited = await hub.snapshots.current();
      assert.equal(waited.asOf.getTime(), hub.clock.now, "too old to answer: the reader waited for a fresh one");
      assert.deepEqual(health(waited), ["Healthy"]);
    });

    test("a first build that ends older than the refresh interval starts the next refresh at once, which reads only what changed", async () => {
      const hub = await hubOn(db, ["edge-1", "edge-2"]);
      await hub.report("edge-1", [app("web")]);
      await hub.report("edge-2", [app("web")]);
      const reportedAt = new Date(hub.clock.now).toISOString();
      // The first build takes two intervals (the test's clock), and edge-2's heartbeat lands after its status was read.
      hub.store.afterStatuses = async () => {
        hub.clock.now += 2 * REFRESH_MS;
        await hub.report("edge-2", [app("web")]);
      };
      const received = (snapshot: FleetSnapshot) => snapshot.clusters.map((cluster) => cluster.summary?.receivedAt);
      const first = await hub.snapshots.current();
      assert.deepEqual(received(first), [reportedAt, reportedAt]);
      assert.equal(hub.store.listings, 2, "the next refresh started as the first build ended, with no reader asking");
      const next = await hub.snapshots.refresh();
      assert.equal(hub.store.listings, 2, "the refresh joined is that one, not a new one");
      assert.deepEqual(received(next), [reportedAt, new Date(hub.clock.now).toISOString()]);
      assert.equal(next.clusters[0], first.clusters[0], "edge-1 did not change");
      assert.equal(await hub.snapshots.current(), next);
      assert.equal(hub.store.listings, 2, "a refresh that ends younger than the interval starts none");
    });

    test("kept fresh (the embedded hub), the snapshot is built with no reader and renewed, so a reader gets a report stored since without a read of its own", async () => {
      // Refreshes every 40 ms of real time (two 20 ms intervals); the hub's clock stands still, so a reader never finds the snapshot old.
      const hub = await hubOn(db, ["edge-1"], 20);
      await hub.report("edge-1", [app("web")]);
      const fresh = hub.snapshots.keepFresh();
      try {
        await until("the first build started", () => hub.store.listings >= 1);
        assert.deepEqual(health(await hub.snapshots.current()), ["Healthy"]);
        await hub.report("edge-1", [app("web", { health: "Degraded" })]);
        // The refresh in flight may have read before the report; the one after it started after the report.
        const listed = hub.store.listings;
        await until("a refresh after the report ended", () => hub.store.listings >= listed + 2);
        const listings = hub.store.listings;
        assert.deepEqual(health(await hub.snapshots.current()), ["Degraded"]);
        assert.equal(hub.store.listings, listings, "answered from the kept snapshot: the reader started no refresh");
      } finally {
        fresh.stop();
      }
    });

    test("a refresh keeps the objects and views of clusters that did not change, and a kept view still turns Stale at its deadline", async () => {
      const hub = await hubOn(db, ["edge-1", "edge-2"]);
      const reportedAt = hub.clock.now;
      await hub.report("edge-1", [app("web")]);
      await hub.report("edge-2", [app("web")]);
      const first = await hub.snapshots.refresh();
      assert.deepEqual((await hub.fleet.overview(null)).clusters.health, { Healthy: 2 });

      hub.clock.now += 1000;
      await hub.report("edge-2", [app("web", { health: "Degraded" })]);
      const second = await hub.snapshots.refresh();
      assert.equal(second.clusters[0], first.clusters[0], "edge-1 did not change: the same object");
      assert.notEqual(second.clusters[1], first.clusters[1]);
      assert.deepEqual((await hub.fleet.overview(null)).clusters.health, { Healthy: 1, Degraded: 1 });

      // Past edge-1's deadline; edge-2 keeps reporting. edge-1's object and view are kept from before, the view must not be.
      hub.clock.now = reportedAt + STALE_AFTER_MS;
      await hub.report("edge-2", [app("web", { health: "Degraded" })]);
      const third = await hub.snapshots.refresh();
      assert.equal(third.clusters[0], first.clusters[0]);
      const overview = await hub.fleet.overview(null);
      assert.deepEqual([overview.clusters.reporting, overview.clusters.stale, overview.clusters.health], [1, 1, { Unknown: 1, Degraded: 1 }]);
      assert.deepEqual(
        overview.problems.stale.map((stale) => stale.cluster),
        ["edge-1"],
      );
    });

    test("a cluster past its stale deadline is Stale and Unknown from a snapshot taken while it was Healthy", async () => {
      const hub = await hubOn(db, ["edge-1", "edge-2"]);
      await hub.report("edge-1", [app("web")]);
      hub.clock.now += STALE_AFTER_MS / 2;
      await hub.report("edge-2", [app("web")]);
      const fresh = await hub.fleet.overview(null);
      assert.deepEqual([fresh.clusters.reporting, fresh.clusters.stale, fresh.applications.health], [2, 0, { Healthy: 2 }]);

      // Past edge-1's deadline (by the hub's clock), well within the snapshot's refresh interval: the same snapshot answers.
      hub.clock.now += STALE_AFTER_MS / 2;
      const later = await hub.fleet.overview(null);
      assert.equal(later.asOf, fresh.asOf, "served from the snapshot taken while edge-1 was fresh");
      assert.deepEqual([later.clusters.reporting, later.clusters.stale], [1, 1]);
      assert.deepEqual(later.clusters.health, { Healthy: 1, Unknown: 1 });
      assert.deepEqual(later.applications.health, { Healthy: 1, Unknown: 1 });
      const matrix = await hub.fleet.matrix({ selector: [] }, 10);
      const edge1 = matrix.rows.find((row) => row.cluster.name === "edge-1")!;
      assert.deepEqual([edge1.cluster.state, edge1.cluster.health, edge1.cells[0]!.health, edge1.cells[0]!.reason], ["Stale", "Unknown", "Unknown", "stale"]);
      assert.equal(edge1.cells[0]!.reportedHealth, "Healthy", "the last report stays visible as reported, not as the status");
    });
  });
}
