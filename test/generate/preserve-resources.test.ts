// An add-on catalog as platform teams write it (one ApplicationSet per add-on, a cluster generator
// picking clusters by an enable_* label, goTemplate): the set with `syncPolicy.preserveResourcesOnDeletion:
// true` leaves its objects on the cluster, unmanaged, when a cluster leaves it; the set without it
// deletes them, as Argo CD's default resources finalizer asks. The real embedded hub, a real git
// http-backend, and `radial agent` as its own process against a real kube-apiserver with KWOK.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { ApplicationDeletion, ClusterStatus, RegisterClusterResponse } from "../../contract/index.js";
import { AGENT_NAMESPACE } from "../../contract/agent-config.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { waitFor } from "../engines/process.js";
import { spawnAgent, type AgentProcess } from "../agent/runtime/agent-process.js";
import { restartableHub, type RestartableHub } from "../agent/runtime/restartable-hub.js";
import { generateAndWait } from "../hub/generation-runs.js";

const CLUSTER = "addons-1";
const METRICS = `addon-${CLUSTER}-metrics-server`;
const DASHBOARD = `addon-${CLUSTER}-dashboard`;
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const WAIT = { timeoutMs: 90_000, intervalMs: 500 };

/** One add-on's ApplicationSet, in the shape of the EKS add-on catalogs. */
const addonSet = (addon: string, syncPolicy: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: addons-${addon}
  namespace: argocd
spec:
${syncPolicy}  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
    - clusters:
        values:
          addonChart: ${addon}
        selector:
          matchExpressions:
            - key: enable_${addon.replace(/-/g, "_")}
              operator: In
              values: ["true"]
  template:
    metadata:
      name: addon-{{.name}}-{{.values.addonChart}}
    spec:
      project: default
      source:
        repoURL: '{{.metadata.annotations.addons_repo_url}}'
        targetRevision: '{{.metadata.annotations.addons_repo_revision}}'
        path: addons/{{.values.addonChart}}
      destination:
        namespace: addons
        name: '{{.name}}'
      syncPolicy:
        automated: {}
        syncOptions: [CreateNamespace=true, ServerSideApply=true]
`;

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  enabled: "true"\n`;

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let fleet: GitRepository;
let agent: AgentProcess;

const status = async () => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));
const reported = async (app: string) => (await status()).applications.some((a) => a.name === app);
const exists = async (args: string[]) => (await kubectl(kube, ["get", ...args, "-o", "name", "--ignore-not-found"])).trim() !== "";

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-preserve-resources-"));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    const url = await git.createRepo("fleet");
    fleet = new GitRepository({ url, dir: join(scratch, "owner") });
    hub = await restartableHub({ RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false" });
    const registered = await hub.api("POST", "/v1/clusters", {
      name: CLUSTER,
      labels: { enable_metrics_server: "true", enable_dashboard: "true" },
      annotations: { addons_repo_url: url, addons_repo_revision: "main" },
    });
    const tokenFile = join(scratch, "token");
    await writeFile(tokenFile, `${RegisterClusterResponse.parse(registered).token}\n`);
    const files = {
      "generators/addons-metrics-server.yaml": addonSet("metrics-server", "  syncPolicy:\n    preserveResourcesOnDeletion: true\n"),
      "generators/addons-dashboard.yaml": addonSet("dashboard", ""),
      "addons/metrics-server/config.yaml": configMap("metrics-server"),
      "addons/dashboard/config.yaml": configMap("dashboard"),
    };
    await fleet.writeBranches([{ branch: "main", files, message: "the add-on catalog" }], { author, now: new Date() });
    const run = await generateAndWait((method, path) => hub.api(method, path));
    assert.deepEqual(run.errors, [], JSON.stringify(run));
    agent = await spawnAgent({ kube, cluster: CLUSTER, hubUrl: hub.url, repoUrl: url, tokenFile, scratch });
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  if (agent.child.exitCode === null) agent.child.kill("SIGKILL");
  await Promise.all([hub.close(), kube.stop(), git.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

test("a cluster leaving a set that preserves resources keeps the objects, unmanaged; the set without it deletes them", { timeout: 8 * 60_000 }, async () => {
  await waitFor(
    "both add-ons applied and reported",
    async () => (await exists(["-n", "addons", "configmap", "metrics-server"])) && (await exists(["-n", "addons", "configmap", "dashboard"])),
    WAIT,
  );
  await waitFor("both reported", async () => (await reported(METRICS)) && (await reported(DASHBOARD)), WAIT);

  // The cluster leaves both sets: every Application on it goes, so the removal guard needs force.
  await hub.api("PATCH", `/v1/clusters/${CLUSTER}`, { labels: { enable_metrics_server: "false", enable_dashboard: "false" } });
  const run = await generateAndWait((method, path) => hub.api(method, path), "?force=true");
  assert.deepEqual(run.errors, [], JSON.stringify(run));
  assert.deepEqual(run.clusters.find((c) => c.name === CLUSTER)?.removed, [DASHBOARD, METRICS]);

  // On the branch: the preserving set's tombstone carries no finalizer, the other Argo CD's default one.
  const head = await fleet.fetch(`radial/clusters/${CLUSTER}`);
  const tombstone = async (app: string) =>
    ApplicationDeletion.parse(parse(new TextDecoder().decode(await fleet.readFile(fleet.url, head, `clusters/${CLUSTER}/${app}/deleted.yaml`))));
  assert.equal((await tombstone(METRICS)).metadata.finalizers, undefined);
  assert.deepEqual((await tombstone(DASHBOARD)).metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);

  await waitFor("both gone from the report", async () => !(await reported(METRICS)) && !(await reported(DASHBOARD)), WAIT);
  await waitFor("the dashboard's objects deleted", async () => !(await exists(["-n", "addons", "configmap", "dashboard"])), WAIT);
  assert.ok(await exists(["-n", "addons", "configmap", "metrics-server"]), "the preserved add-on's objects stay on the cluster");
  assert.ok(!(await exists(["-n", AGENT_NAMESPACE, "configmap", `radial-inventory-${METRICS}`])), "and are no longer managed: the agent dropped its inventory");
});
