// POST /v1/clusters/{name}/rebuild and GET .../rebuilds over HTTP, on both stores, with deploy
// branches on a real git http-backend and reports sent as an agent sends them.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AGENT_CLUSTER_HEADER,
  Cluster,
  ClusterStatus,
  GenerationHistoryPage,
  RebuildDryRunResponse,
  RebuildList,
  RebuildResponse,
  RegisterClusterResponse,
  type ApplicationStatus,
  type Rebuild,
  type RebuildPhase,
} from "../../contract/index.js";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBRebuildStore } from "../../lambdas/adapters/dynamodb/rebuild-store.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { TABLE_NAME } from "../../lambdas/local/hub.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { waitFor } from "../engines/process.js";
import { errorOf, type TestHub } from "../hub/harness.js";
import { hubStores, type SharedStore } from "../hub/stores.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };

const MANIFESTS: Record<string, string> = {
  web: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\nspec:\n  replicas: 1\n",
  db: [
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pg\n  namespace: db\nspec:\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n",
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: uploads\n  namespace: db\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n",
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\n  namespace: db\nspec:\n  replicas: 1\n",
  ].join("---\n"),
};

const app = (name: string, revision: string | null, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name,
  revision,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  ...overrides,
});

for (const store of hubStores) {
  describe(`cluster rebuilds (${store.name})`, () => {
    let shared: SharedStore;
    let hub: TestHub;
    let git: GitServer;
    let fleet: GitRepository;
    let scratch: string;
    const heads = new Map<string, string>();
    /** The agent token of cluster lost's second incarnation. */
    let secondToken = "";

    /** Writes a cluster's deploy branch as the hub does. */
    async function writeBranch(cluster: string, apps: Record<string, string>): Promise<string> {
      const files = Object.fromEntries(Object.entries(apps).map(([name, text]) => [`clusters/${cluster}/${name}/manifests.yaml`, text]));
      const [result] = await fleet.writeBranches([{ branch: `radial/clusters/${cluster}`, files, message: "generated" }], { author, now: new Date() });
      heads.set(cluster, result!.commit ?? heads.get(cluster)!);
      return heads.get(cluster)!;
    }

    async function register(name: string): Promise<string> {
      const response = await hub.api("POST", "/v1/clusters", { body: { name, labels: { env: "test" } } });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return RegisterClusterResponse.parse(response.body).token;
    }

    async function sendReport(cluster: string, token: string, revision: string | null, applications: ApplicationStatus[]) {
      const body = { cluster, agentVersion: "0.1.0", heartbeatAt: new Date().toISOString(), revision, conditions: [], applications, driftEvents: [] };
      return hub.api("POST", "/v1/agent/status", { body, token, headers: { [AGENT_CLUSTER_HEADER]: cluster } });
    }

    async function rebuilds(cluster: string): Promise<Rebuild[]> {
      const response = await hub.api("GET", `/v1/clusters/${cluster}/rebuilds`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      return RebuildList.parse(response.body).items;
    }

    async function rebuild(cluster: string, body: Record<string, unknown>): Promise<RebuildResponse> {
      const response = await hub.api("POST", `/v1/clusters/${cluster}/rebuild`, { body });
      assert.equal(response.status, 202, JSON.stringify(response.body));
      return RebuildResponse.parse(response.body);
    }

    const phasesOf = (r: Rebuild): RebuildPhase[] => r.phases.map((p) => p.phase);

    before(async () => {
      scratch = await mkdtemp(join(tmpdir(), "radial-rebuild-api-"));
      [shared, git] = await Promise.all([store.start(), startGitServer()]);
      const url = await git.createRepo("fleet");
      fleet = new GitRepository({ url, dir: join(scratch, "git") });
      hub = await shared.hub({ RADIAL_REPO_URL: url, RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GENERATE_INTERVAL: "0" });
    });
    after(async () => {
      await shared.stop();
      await git.stop();
      await rm(scratch, { recursive: true, force: true });
    });

    test("a dry run lists what Git cannot bring back and changes nothing", async () => {
      const token = await register("dry");
      const head = await writeBranch("dry", MANIFESTS);
      const before = Cluster.parse((await hub.api("GET", "/v1/clusters/dry")).body);
      const response = await hub.api("POST", "/v1/clusters/dry/rebuild", { body: { reason: "drill", dryRun: true } });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const { preflight } = RebuildDryRunResponse.parse(response.body);
      assert.equal(preflight.revision, head);
      assert.deepEqual(
        preflight.items.map((i) => `${i.application}/${i.kind}/${i.namespace}/${i.name}`),
        ["db/StatefulSet/db/pg", "db/PersistentVolumeClaim/db/uploads"],
        "the StatefulSet without claim templates and the Deployment are left out",
      );
      assert.match(preflight.items[1]!.why, /restore/);
      assert.equal(Cluster.parse((await hub.api("GET", "/v1/clusters/dry")).body).resourceVersion, before.resourceVersion);
      assert.equal((await sendReport("dry", token, null, [])).status, 200, "the token still works");
      assert.deepEqual(await rebuilds("dry"), []);
    });

    test("a rebuild: new incarnation, old token refused at once, phases in order up to Converged at the branch head", async () => {
      const oldToken = await register("lost");
      const registeredToken = Cluster.parse((await hub.api("GET", "/v1/clusters/lost")).body).tokenIssuedAt!;
      const head = await writeBranch("lost", MANIFESTS);
      await register("bystander");
      const bystanderHead = await writeBranch("bystander", { web: MANIFESTS.web! });
      const generationsBefore = GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations?limit=50")).body).items.length;
      assert.equal((await sendReport("lost", oldToken, head, [app("web", head), app("db", head)])).status, 200);

      const started = await rebuild("lost", { reason: "region lost" });
      assert.equal(started.rebuild.incarnation, 2);
      assert.equal(started.rebuild.targetRevision, head);
      assert.deepEqual(phasesOf(started.rebuild), ["Requested", "AwaitingAgent"]);
      assert.ok(started.rebuild.preflight?.items.some((i) => i.kind === "PersistentVolumeClaim" && i.name === "uploads"));
      assert.match(started.bootstrap, new RegExp(started.token));
      assert.notEqual(started.token, oldToken);
      assert.ok(Cluster.parse((await hub.api("GET", "/v1/clusters/lost")).body).tokenIssuedAt! > registeredToken, "the rebuild's token is issued anew");
      secondToken = started.token;

      assert.equal((await sendReport("lost", oldToken, head, [app("web", head)])).status, 401, "the old incarnation's token is refused at once");
      const fresh = ClusterStatus.parse((await hub.api("GET", "/v1/clusters/lost/status")).body);
      assert.equal(fresh.reported, false, "the old incarnation's status is not the new one's");
      assert.equal(fresh.rebuild?.phase, "AwaitingAgent");
      const second = await hub.api("POST", "/v1/clusters/lost/rebuild", { body: { reason: "again" } });
      assert.equal(second.status, 409);
      assert.match(errorOf(second).message, /being rebuilt/);

      // Connected, not fetched yet; then fetched, one application still progressing; then all converged.
      assert.equal((await sendReport("lost", started.token, null, [])).status, 200);
      assert.equal((await rebuilds("lost"))[0]!.phase, "AgentConnected");
      await sendReport("lost", started.token, head, [app("web", head), app("db", head, { health: "Progressing" })]);
      const syncing = (await rebuilds("lost"))[0]!;
      assert.equal(syncing.phase, "Syncing");
      assert.deepEqual(syncing.applications, { converged: 1, total: 2 });
      await sendReport("lost", started.token, head, [app("web", head), app("db", head)]);
      const [done] = await rebuilds("lost");
      assert.deepEqual(phasesOf(done!), ["Requested", "AwaitingAgent", "AgentConnected", "Syncing", "Converged"]);
      assert.ok(done!.phases.every((p) => p.seconds !== null && p.seconds >= 0));
      assert.ok(done!.totalSeconds !== null && done!.finishedAt !== null);
      assert.deepEqual(done!.applications, { converged: 2, total: 2 });
      assert.equal(Cluster.parse((await hub.api("GET", "/v1/clusters/lost")).body).rebuild?.phase, "Converged");

      // Nothing else moved: no generation run, the other cluster's branch and status as they were.
      assert.equal(GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations?limit=50")).body).items.length, generationsBefore);
      assert.equal((await fleet.remoteBranches("radial/clusters/bystander")).get("radial/clusters/bystander"), bystanderHead);
      const bystander = ClusterStatus.parse((await hub.api("GET", "/v1/clusters/bystander/status")).body);
      assert.equal(bystander.reported, false);
      assert.equal(bystander.rebuild, undefined);
    });

    test("the next rebuild keeps the last in the history, and the previous incarnation's token stops", async () => {
      const first = await rebuild("lost", { reason: "drill 2" });
      assert.equal(first.rebuild.incarnation, 3);
      assert.equal((await sendReport("lost", secondToken, null, [])).status, 401, "the second incarnation's token is refused");
      assert.equal((await sendReport("lost", first.token, null, [])).status, 200);
      const items = await rebuilds("lost");
      assert.deepEqual(
        items.map((r) => [r.incarnation, r.phase]),
        [
          [3, "AgentConnected"],
          [2, "Converged"],
        ],
      );
      assert.ok(items[1]!.preflight?.items.length, "the history keeps each rebuild's preflight");
    });

    test("an agent that never connects: TimedOut naming the phase", async () => {
      await register("silent");
      await writeBranch("silent", { web: MANIFESTS.web! });
      await rebuild("silent", { reason: "drill", timeoutSeconds: 1 });
      await waitFor("TimedOut", async () => (await rebuilds("silent"))[0]!.phase === "TimedOut", { timeoutMs: 60_000, intervalMs: 300 });
      const [ended] = await rebuilds("silent");
      assert.match(ended!.message ?? "", /timed out in AwaitingAgent: no report from the agent of incarnation 2/);
      assert.deepEqual(phasesOf(ended!), ["Requested", "AwaitingAgent", "TimedOut"]);
      assert.equal(ended!.totalSeconds, 1, "it ended at its deadline, whenever it was looked at");
      assert.equal(ended!.finishedAt, ended!.deadline);
    });

    test("an application that stays Degraded: Failed naming it", async () => {
      await register("sick");
      const head = await writeBranch("sick", MANIFESTS);
      const started = await rebuild("sick", { reason: "drill", timeoutSeconds: 1 });
      await sendReport("sick", started.token, head, [app("web", head), app("db", head, { health: "Degraded", message: "CrashLoopBackOff" })]);
      await waitFor("ended", async () => ["Failed", "TimedOut"].includes((await rebuilds("sick"))[0]!.phase), { timeoutMs: 60_000, intervalMs: 300 });
      const [ended] = await rebuilds("sick");
      assert.equal(ended!.phase, "Failed");
      assert.match(ended!.message ?? "", /stayed Degraded until the deadline: db \(Synced\/Degraded: CrashLoopBackOff\)/);
    });

    test("refusals: unknown cluster, bad body, EKS options without EKS", async () => {
      assert.equal((await hub.api("POST", "/v1/clusters/nowhere/rebuild", { body: { reason: "x" } })).status, 404);
      assert.equal((await hub.api("GET", "/v1/clusters/nowhere/rebuilds")).status, 404);
      const noReason = await hub.api("POST", "/v1/clusters/dry/rebuild", { body: {} });
      assert.equal(noReason.status, 400);
      assert.match(errorOf(noReason).message, /reason/);
      const timeout = await hub.api("POST", "/v1/clusters/dry/rebuild", { body: { reason: "x", timeoutSeconds: 0 } });
      assert.match(errorOf(timeout).message, /timeoutSeconds/);
      const replace = await hub.api("POST", "/v1/clusters/dry/rebuild", { body: { reason: "x", replace: true } });
      assert.equal(replace.status, 400);
      assert.match(errorOf(replace).message, /replace applies only with recreateEks/);
      const eks = await hub.api("POST", "/v1/clusters/dry/rebuild", { body: { reason: "x", recreateEks: true } });
      assert.equal(eks.status, 400);
      assert.match(errorOf(eks).message, /registered without an EKS ARN/);
      assert.deepEqual(await rebuilds("dry"), [], "nothing was started");
    });

    test("a hub whose URL for agents is loopback refuses to issue the manifest unless allowed, and changes nothing", async () => {
      const loopback = await shared.hub({ RADIAL_HUB_URL: undefined, RADIAL_GENERATE_ON_CHANGE: "false" });
      const registered = await loopback.api("POST", "/v1/clusters", { body: { name: "loop", allowLoopbackHub: true } });
      const token = RegisterClusterResponse.parse(registered.body).token;
      const refused = await loopback.api("POST", "/v1/clusters/loop/rebuild", { body: { reason: "drill" } });
      assert.equal(refused.status, 400);
      assert.match(errorOf(refused).message, /loopback address/);
      assert.deepEqual(errorOf(refused).details, { field: "allowLoopbackHub" });
      assert.equal((await sendReport("loop", token, null, [])).status, 200, "the token still works");
      const allowed = await loopback.api("POST", "/v1/clusters/loop/rebuild", { body: { reason: "drill", allowLoopbackHub: true } });
      assert.equal(allowed.status, 202, JSON.stringify(allowed.body));
      assert.match(RebuildResponse.parse(allowed.body).bootstrap, /127\.0\.0\.1/);
    });

    test("crash safety: a history item a crash left ahead of the cluster is not listed, and the next rebuild takes its place", async () => {
      await register("crashy");
      const dynamodb = new DynamoDBClient({ endpoint: shared.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
      try {
        const orphan = (await rebuilds("lost"))[0]!;
        await new DynamoDBRebuildStore(dynamodb, TABLE_NAME).putHistory("crashy", { ...orphan, cluster: "crashy", incarnation: 2, reason: "never committed" });
      } finally {
        dynamodb.destroy();
      }
      assert.deepEqual(await rebuilds("crashy"), []);
      const started = await rebuild("crashy", { reason: "real" });
      assert.deepEqual(
        (await rebuilds("crashy")).map((r) => [r.incarnation, r.reason]),
        [[2, "real"]],
      );
      assert.equal(started.rebuild.incarnation, 2);
    });
  });
}
