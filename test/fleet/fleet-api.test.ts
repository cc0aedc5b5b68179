// The fleet API over HTTP on both stores: a hub with a real fleet repo (git http-backend) that
// generates deploy branches, and reports built by the agent's own report builder.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { buildReport, type ApplicationState } from "../../agent/report/build.js";
import {
  AGENT_CLUSTER_HEADER,
  DEPLOY_BRANCH_PREFIX,
  ApplicationAcrossFleet,
  ApplicationMatrix,
  ClusterApplication,
  FleetClusterPage,
  FleetEventPage,
  FleetOverview,
  RegisterClusterResponse,
  type DriftEvent,
} from "../../contract/index.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { errorOf, type TestHub } from "../hub/harness.js";
import { generateAndWait } from "../hub/generation-runs.js";
import { hubStores, type SharedStore } from "../hub/stores.js";

const generator = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters:
        selector:
          matchExpressions:
            - {key: env, operator: Exists}
  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source:
        repoURL: REPO
        targetRevision: HEAD
        path: apps/web
      destination:
        name: '{{name}}'
        namespace: web
`;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
  namespace: web
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
  color: blue
`;

const OLD_COMMIT = "a".repeat(40);

interface Fleet {
  hub: TestHub;
  tokens: Map<string, string>;
  /** The head of each cluster's deploy branch after the generation. */
  heads: Map<string, string>;
  drift: DriftEvent;
  reportedAt: number;
}

async function post(
  hub: TestHub,
  cluster: string,
  token: string,
  input: { revision: string | null; applications: ApplicationState[]; driftEvents?: DriftEvent[] },
) {
  const report = buildReport({ cluster, agentVersion: "test", now: new Date(), conditions: [], driftEvents: [], ...input });
  const response = await hub.api("POST", "/v1/agent/status", { body: report, token, headers: { [AGENT_CLUSTER_HEADER]: cluster } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
}

/** The Application the set generates for `cluster` (names are unique fleet-wide, as in Argo CD). */
const web = (cluster: string, revision: string | null, overrides: Partial<ApplicationState> = {}): ApplicationState => ({
  name: `web-${cluster}`,
  revision,
  sync: "Synced",
  health: "Healthy",
  resources: [],
  lastSyncedAt: new Date().toISOString(),
  ...overrides,
});

/** Gives up on a wait that can only hang (a hub that never moves on), saying what it waited for. */
function deadline(what: string): () => void {
  const until = Date.now() + 180_000;
  return () => {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
  };
}

/** Waits (polling) until the fleet snapshot was read after `since`: the sentinel that every report before it is counted. */
async function fleetAfter(hub: TestHub, since: number, query = ""): Promise<FleetOverview> {
  const check = deadline("a fleet snapshot newer than the reports");
  for (;;) {
    check();
    const response = await hub.api("GET", `/v1/fleet${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const overview = FleetOverview.parse(response.body);
    if (Date.parse(overview.asOf) > since) return overview;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The deploy branches' heads (cluster → commit) once `count` exist: the run has written them. */
async function deployHeads(url: string, count: number): Promise<Map<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "radial-fleet-heads-"));
  try {
    const reader = new GitRepository({ url, dir });
    const check = deadline(`${count} deploy branches`);
    for (;;) {
      check();
      const branches = await reader.remoteBranches(DEPLOY_BRANCH_PREFIX);
      if (branches.size >= count) return new Map([...branches].map(([branch, commit]) => [branch.slice(DEPLOY_BRANCH_PREFIX.length), commit]));
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function setUp(store: SharedStore, git: GitServer): Promise<Fleet> {
  const url = `${git.url}/fleet-${Math.random().toString(36).slice(2)}.git`;
  const name = url.slice(git.url.length + 1, -".git".length);
  await git.createRepo(name, {
    seed: { "generators/web.yaml": generator.replace("REPO", url), "generators/broken.yaml": "kind: [unclosed\n", "apps/web/all.yaml": manifests },
  });
  const hub = await store.hub({
    RADIAL_REPO_URL: url,
    RADIAL_GENERATE_ON_CHANGE: "false",
    RADIAL_FLEET_REFRESH_SECONDS: "1",
    // Stale after 3 × 20 s: every test runs within that of the reports before it, even on a loaded machine.
    RADIAL_POLL_INTERVAL_SECONDS: "20",
  });
  const tokens = new Map<string, string>();
  for (const [cluster, env] of [
    ["prod-1", "prod"],
    ["prod-2", "prod"],
    ["dev-1", "dev"],
    ["silent-1", "dev"],
  ] as const) {
    const response = await hub.api("POST", "/v1/clusters", { body: { name: cluster, labels: { env } } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    tokens.set(cluster, RegisterClusterResponse.parse(response.body).token);
  }
  await generateAndWait(async (method, path) => (await hub.api(method, path)).body);
  const heads = await deployHeads(url, 4);
  assert.equal(heads.size, 4);
  const drift: DriftEvent = {
    at: new Date().toISOString(),
    application: "web-prod-2",
    resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
    fields: ["spec.replicas"],
    manager: "kubectl-edit",
    action: "Healed",
  };
  const fleet = { hub, tokens, heads, drift, reportedAt: 0 };
  await reportAll(fleet);
  return fleet;
}

/**
 * The three agents report (again): prod-1 healthy, prod-2 degraded with a drift event (stored once
 * however often it is sent), dev-1 behind the head. Before each test, so that none depends on how
 * long the ones before it took (the clusters turn stale 60 s after a report).
 */
async function reportAll(fleet: Fleet): Promise<void> {
  const { hub, tokens, heads, drift } = fleet;
  // As an agent's heartbeat does: the same last sync each time.
  const lastSyncedAt = drift.at;
  await post(hub, "prod-1", tokens.get("prod-1")!, { revision: heads.get("prod-1")!, applications: [web("prod-1", heads.get("prod-1")!, { lastSyncedAt })] });
  const degraded = web("prod-2", heads.get("prod-2")!, {
    lastSyncedAt,
    health: "Degraded",
    resources: [
      { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web", sync: "Synced", health: "Degraded", message: "ImagePullBackOff" },
    ],
  });
  await post(hub, "prod-2", tokens.get("prod-2")!, { revision: heads.get("prod-2")!, applications: [degraded], driftEvents: [drift] });
  // dev-1's agent fetched the head but still runs an older commit of web.
  await post(hub, "dev-1", tokens.get("dev-1")!, { revision: heads.get("dev-1")!, applications: [web("dev-1", OLD_COMMIT, { lastSyncedAt })] });
  fleet.reportedAt = Date.now();
}

for (const storeKind of hubStores) {
  describe(`fleet API on the ${storeKind.name}`, () => {
    let store: SharedStore;
    let git: GitServer;
    let fleet: Fleet;
    before(async () => {
      [store, git] = await Promise.all([storeKind.start(), startGitServer()]);
      fleet = await setUp(store, git);
    });
    beforeEach(() => reportAll(fleet));
    after(async () => {
      await store.stop();
      await git.stop();
    });

    test("GET /v1/fleet counts clusters and applications honestly, groups by a label, and lists the newest problems", async () => {
      const overview = await fleetAfter(fleet.hub, fleet.reportedAt);
      assert.deepEqual(overview.clusters, {
        total: 4,
        reporting: 3,
        stale: 0,
        neverReported: 1,
        sync: { Synced: 2, OutOfSync: 1, Unknown: 1 },
        health: { Healthy: 2, Degraded: 1, Unknown: 1 },
      });
      assert.deepEqual(overview.applications, { total: 3, sync: { Synced: 2, OutOfSync: 1 }, health: { Healthy: 2, Degraded: 1 } });
      assert.deepEqual(
        overview.problems.degraded.map((cell) => [cell.cluster, cell.application, cell.health]),
        [["prod-2", "web-prod-2", "Degraded"]],
      );
      assert.deepEqual(
        overview.problems.outOfSync.map((cell) => [cell.cluster, cell.reason, cell.reportedSync]),
        [["dev-1", "not-applied", "Synced"]],
      );
      assert.deepEqual(overview.problems.stale, []);
      const generation = overview.problems.lastGeneration;
      assert.ok(generation);
      assert.deepEqual(
        generation.failedFiles.map((f) => [f.file, f.errors]),
        [["generators/broken.yaml", 1]],
      );

      const grouped = await fleetAfter(fleet.hub, fleet.reportedAt, "?groupBy=env");
      assert.equal(grouped.groupBy, "env");
      assert.deepEqual(
        grouped.groups?.map((g) => [g.value, g.clusters.total, g.clusters.neverReported, g.applications.total]),
        [
          ["dev", 2, 1, 1],
          ["prod", 2, 0, 2],
        ],
      );
      const byMissing = await fleetAfter(fleet.hub, fleet.reportedAt, "?groupBy=team");
      assert.deepEqual(
        byMissing.groups?.map((g) => [g.value, g.clusters.total]),
        [[null, 4]],
      );
    });

    test("GET /v1/applications is the matrix, filtered by selector, application, sync and health, paged with signed tokens", async () => {
      await fleetAfter(fleet.hub, fleet.reportedAt);
      const all = ApplicationMatrix.parse((await fleet.hub.api("GET", "/v1/applications")).body);
      assert.deepEqual(all.applications, ["web-dev-1", "web-prod-1", "web-prod-2"]);
      assert.deepEqual(all.totals, { clusters: 4, cells: 3 });
      assert.deepEqual(
        all.rows.map((row) => [row.cluster.name, row.cluster.state, row.cells.map((c) => `${c.sync}/${c.health}`).join()]),
        [
          ["dev-1", "Reporting", "OutOfSync/Healthy"],
          ["prod-1", "Reporting", "Synced/Healthy"],
          ["prod-2", "Reporting", "Synced/Degraded"],
          ["silent-1", "NeverReported", ""],
        ],
      );
      const prod = ApplicationMatrix.parse((await fleet.hub.api("GET", "/v1/applications?selector=env%3Dprod&health=Degraded")).body);
      assert.deepEqual(
        prod.rows.map((row) => row.cluster.name),
        ["prod-2"],
      );
      const first = ApplicationMatrix.parse((await fleet.hub.api("GET", "/v1/applications?limit=2")).body);
      assert.deepEqual(
        first.rows.map((row) => row.cluster.name),
        ["dev-1", "prod-1"],
      );
      assert.ok(first.nextPageToken);
      const second = ApplicationMatrix.parse(
        (await fleet.hub.api("GET", `/v1/applications?limit=2&pageToken=${encodeURIComponent(first.nextPageToken)}`)).body,
      );
      assert.deepEqual(
        second.rows.map((row) => row.cluster.name),
        ["prod-2", "silent-1"],
      );
      const one = ApplicationMatrix.parse((await fleet.hub.api("GET", "/v1/applications?application=web-prod-1")).body);
      assert.deepEqual(
        one.rows.map((row) => [row.cluster.name, row.cells.length]),
        [["prod-1", 1]],
      );
      assert.equal(second.nextPageToken, null);
    });

    test("GET /v1/fleet/clusters lists every cluster's honest state without its applications, by selector, paged with signed tokens", async () => {
      await fleetAfter(fleet.hub, fleet.reportedAt);
      const all = FleetClusterPage.parse((await fleet.hub.api("GET", "/v1/fleet/clusters")).body);
      assert.deepEqual(
        all.clusters.map((cluster) => [cluster.name, cluster.state, cluster.sync, cluster.health]),
        [
          ["dev-1", "Reporting", "OutOfSync", "Healthy"],
          ["prod-1", "Reporting", "Synced", "Healthy"],
          ["prod-2", "Reporting", "Synced", "Degraded"],
          ["silent-1", "NeverReported", "Unknown", "Unknown"],
        ],
      );
      assert.deepEqual([all.totals, all.nextPageToken], [{ clusters: 4 }, null]);
      const matrix = ApplicationMatrix.parse((await fleet.hub.api("GET", "/v1/applications")).body);
      assert.deepEqual(
        all.clusters,
        matrix.rows.map((row) => row.cluster),
        "the same clusters as the matrix's rows",
      );
      const dev = FleetClusterPage.parse((await fleet.hub.api("GET", "/v1/fleet/clusters?selector=env%3Ddev")).body);
      assert.deepEqual(
        dev.clusters.map((cluster) => cluster.name),
        ["dev-1", "silent-1"],
      );
      const first = FleetClusterPage.parse((await fleet.hub.api("GET", "/v1/fleet/clusters?limit=3")).body);
      assert.deepEqual([first.clusters.length, first.totals.clusters], [3, 4]);
      assert.ok(first.nextPageToken);
      const second = FleetClusterPage.parse(
        (await fleet.hub.api("GET", `/v1/fleet/clusters?limit=3&pageToken=${encodeURIComponent(first.nextPageToken)}`)).body,
      );
      assert.deepEqual([second.clusters.map((cluster) => cluster.name), second.nextPageToken], [["silent-1"], null]);
      const crossed = await fleet.hub.api("GET", `/v1/applications?pageToken=${encodeURIComponent(first.nextPageToken)}`);
      assert.deepEqual([crossed.status, errorOf(crossed).details], [400, { field: "pageToken" }], "a clusters token does not page the matrix");
      for (const [path, field] of [
        ["/v1/fleet/clusters?limit=10001", "limit"],
        ["/v1/fleet/clusters?selector=env%20in%20(prod", "selector"],
        ["/v1/fleet/clusters?application=web", "application"],
      ]) {
        const response = await fleet.hub.api("GET", path!);
        assert.deepEqual([response.status, errorOf(response).details], [400, { field }], path);
      }
    });

    test("bad query parameters are refused naming the field; an events token does not page the matrix", async () => {
      const cases: [string, string][] = [
        ["/v1/applications?selector=env%20in%20(prod", "selector"],
        ["/v1/applications?sync=Sinked", "sync"],
        ["/v1/applications?health=Fine", "health"],
        ["/v1/applications?application=Web_App", "application"],
        ["/v1/applications?limit=0", "limit"],
        ["/v1/applications?limit=2x", "limit"],
        ["/v1/applications?pageToken=forged.token", "pageToken"],
        ["/v1/applications?selektor=env", "selektor"],
        ["/v1/fleet?groupBy=-bad-", "groupBy"],
        ["/v1/events?limit=501", "limit"],
        ["/v1/applications/Not_An_App", "app"],
        ["/v1/clusters/Bad_Name/applications/web-prod-1", "name"],
      ];
      for (const [path, field] of cases) {
        const response = await fleet.hub.api("GET", path);
        assert.equal(response.status, 400, `${path}: ${JSON.stringify(response.body)}`);
        const error = errorOf(response);
        assert.deepEqual(error.details, { field }, path);
        assert.match(error.message, new RegExp(field), path);
      }
      const events = FleetEventPage.parse((await fleet.hub.api("GET", "/v1/events?limit=1")).body);
      assert.ok(events.nextPageToken);
      const crossed = await fleet.hub.api("GET", `/v1/applications?pageToken=${encodeURIComponent(events.nextPageToken)}`);
      assert.equal(crossed.status, 400);
      assert.deepEqual(errorOf(crossed).details, { field: "pageToken" });
      const anonymous = await fleet.hub.api("GET", "/v1/fleet", { token: null });
      assert.equal(anonymous.status, 401);
      const agent = await fleet.hub.api("GET", "/v1/applications", { token: fleet.tokens.get("prod-1")! });
      assert.equal(agent.status, 401);
    });

    test("GET /v1/applications/{app} shows the rollout per revision; an unknown application or cluster is a 404 saying so", async () => {
      await fleetAfter(fleet.hub, fleet.reportedAt);
      const across = ApplicationAcrossFleet.parse((await fleet.hub.api("GET", "/v1/applications/web-dev-1")).body);
      assert.deepEqual(across.counts, { total: 1, sync: { OutOfSync: 1 }, health: { Healthy: 1 } });
      assert.deepEqual(across.revisions, [{ revision: OLD_COMMIT, clusters: 1 }]);
      assert.deepEqual(
        across.clusters.map((c) => [c.cluster.name, c.cell.reason, c.cell.desiredRevision === fleet.heads.get("dev-1"), c.cell.lastSyncedAt !== null]),
        [["dev-1", "not-applied", true, true]],
      );
      const none = ApplicationAcrossFleet.parse((await fleet.hub.api("GET", "/v1/applications/web-dev-1?selector=env%3Dprod")).body);
      assert.deepEqual([none.counts.total, none.clusters], [0, []]);
      for (const [path, words] of [
        ["/v1/applications/nope", /application nope is not reported by any cluster/],
        ["/v1/clusters/nope/applications/web-prod-1", /cluster nope is not registered/],
        ["/v1/clusters/prod-1/applications/nope", /application nope is not on cluster prod-1/],
      ] as const) {
        const response = await fleet.hub.api("GET", path);
        assert.equal(response.status, 404, path);
        assert.match(errorOf(response).message, words);
      }
    });

    test("GET /v1/clusters/{name}/applications/{app} joins the deploy branch's resources with the reported ones, drift and manifests", async () => {
      const response = await fleet.hub.api("GET", "/v1/clusters/prod-2/applications/web-prod-2");
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const detail = ClusterApplication.parse(response.body);
      const { git } = detail;
      assert.ok(git);
      assert.equal(git.revision, fleet.heads.get("prod-2"));
      assert.equal(git.path, "clusters/prod-2/web-prod-2/");
      assert.match(git.manifests ?? "", /kind: Deployment/);
      assert.match(git.application ?? "", /kind: Application/);
      assert.deepEqual(
        detail.resources.map((r) => [r.wave, r.kind, r.name, r.desired, r.reported, r.sync, r.health]),
        [
          [-1, "ConfigMap", "web-settings", true, false, "Synced", "Healthy"],
          [0, "Service", "web", true, false, "Synced", "Healthy"],
          [1, "Deployment", "web", true, true, "Synced", "Degraded"],
        ],
      );
      assert.deepEqual(
        detail.driftEvents.map((e) => [e.resource.kind, e.fields, e.manager, e.action]),
        [["Deployment", ["spec.replicas"], "kubectl-edit", "Healed"]],
      );
      // dev-1 has not applied the head: what Git holds is not known to be applied there.
      const behind = ClusterApplication.parse((await fleet.hub.api("GET", "/v1/clusters/dev-1/applications/web-dev-1")).body);
      assert.equal(behind.cell?.reason, "not-applied");
      assert.deepEqual(new Set(behind.resources.map((r) => `${r.sync}/${r.health}`)), new Set(["Unknown/Unknown"]));
      // silent-1 never reported: the branch alone answers.
      const silent = ClusterApplication.parse((await fleet.hub.api("GET", "/v1/clusters/silent-1/applications/web-silent-1")).body);
      assert.equal(silent.cell, null);
      assert.equal(silent.cluster.state, "NeverReported");
      assert.equal(silent.resources.length, 3);
    });

    test("GET /v1/events lists drift and sync events newest first, by selector and application", async () => {
      await fleetAfter(fleet.hub, fleet.reportedAt);
      const page = FleetEventPage.parse((await fleet.hub.api("GET", "/v1/events")).body);
      assert.deepEqual(page.items.map((e) => `${e.type}:${e.cluster}`).sort(), ["drift:prod-2", "sync:dev-1", "sync:prod-1", "sync:prod-2"]);
      const times = page.items.map((e) => e.at);
      assert.deepEqual(times, [...times].sort().reverse());
      const drift = page.items.find((e) => e.type === "drift");
      assert.equal(drift?.type === "drift" && drift.manager, "kubectl-edit");
      const dev = FleetEventPage.parse((await fleet.hub.api("GET", "/v1/events?selector=env%3Ddev")).body);
      assert.deepEqual(
        dev.items.map((e) => `${e.type}:${e.cluster}`),
        ["sync:dev-1"],
      );
      const none = FleetEventPage.parse((await fleet.hub.api("GET", "/v1/events?application=web-prod-1&selector=env%3Ddev")).body);
      assert.deepEqual(none.items, []);
    });

    test("the fleet routes are in /v1/openapi.json", async () => {
      const document = (await fleet.hub.api("GET", "/v1/openapi.json", { token: null })).body as { paths: Record<string, unknown> };
      for (const path of [
        "/v1/fleet",
        "/v1/fleet/clusters",
        "/v1/applications",
        "/v1/applications/{app}",
        "/v1/clusters/{name}/applications/{app}",
        "/v1/events",
      ]) {
        assert.ok(document.paths[path], path);
      }
    });

    test("a cluster past its stale deadline is Stale and Unknown everywhere, never its last Degraded", async () => {
      // prod-1 keeps reporting; the others fall silent and turn stale after 3 poll intervals (60 s).
      const { hub, tokens, heads } = fleet;
      let overview: FleetOverview;
      const check = deadline("two clusters to turn stale");
      do {
        check();
        await post(hub, "prod-1", tokens.get("prod-1")!, { revision: heads.get("prod-1")!, applications: [web("prod-1", heads.get("prod-1")!)] });
        await new Promise((r) => setTimeout(r, 1000));
        overview = FleetOverview.parse((await hub.api("GET", "/v1/fleet")).body);
      } while (overview.clusters.stale < 2);
      assert.deepEqual(overview.clusters, {
        total: 4,
        reporting: 1,
        stale: 2,
        neverReported: 1,
        sync: { Synced: 1, Unknown: 3 },
        health: { Healthy: 1, Unknown: 3 },
      });
      assert.deepEqual(overview.applications, { total: 3, sync: { Synced: 1, Unknown: 2 }, health: { Healthy: 1, Unknown: 2 } });
      assert.deepEqual(overview.problems.degraded, []);
      assert.deepEqual(overview.problems.stale.map((s) => s.cluster).sort(), ["dev-1", "prod-2"]);
      const detail = ClusterApplication.parse((await hub.api("GET", "/v1/clusters/prod-2/applications/web-prod-2")).body);
      assert.equal(detail.cluster.state, "Stale");
      assert.deepEqual([detail.cell?.sync, detail.cell?.health, detail.cell?.reason, detail.cell?.reportedHealth], ["Unknown", "Unknown", "stale", "Degraded"]);
      assert.deepEqual(new Set(detail.resources.filter((r) => !r.reported).map((r) => r.health)), new Set(["Unknown"]));
    });
  });
}
