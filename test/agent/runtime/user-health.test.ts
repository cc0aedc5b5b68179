// A user's own Argo CD Lua health check, end to end: the fleet repo's health/argocd-cm.yaml, read by
// the real hub and delivered on the cluster's deploy branch (real git http-backend), is run by the
// agent (composed as `radial agent` composes it) in its Lua sandbox on what a real kube-apiserver
// holds: the application is Degraded by the script, and Healthy once a new version of
// the script, delivered the same way, says so. ConfigMaps have no built-in check: only the script
// can make the application anything but Healthy.
import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AgentConfig } from "../../../contract/agent-config.js";
import { ClusterStatus, RegisterClusterResponse } from "../../../contract/index.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { composeAgent, type ComposedAgent } from "../../../agent/compose.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { freePort, waitFor } from "../../engines/process.js";
import { generateAndWait } from "../../hub/generation-runs.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";

const CLUSTER = "lua-1";
const WAIT = { timeoutMs: 120_000, intervalMs: 250 };
const POLL_SECONDS = 3600;

const generator = (url: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: paint
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: paint
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/paint }
      destination: { name: '{{name}}', namespace: paint }
      syncPolicy:
        automated: { prune: true }
        syncOptions: [CreateNamespace=true]
`;
const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: paint\ndata:\n  color: red\n";
/** argocd-cm as an Argo CD user keeps it: the script Degrades a ConfigMap of any color but `allowed`. */
const argocdCm = (allowed: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
data:
  resource.customizations.health.ConfigMap: |
    hs = {}
    if obj.data ~= nil and obj.data.color ~= "${allowed}" then
      hs.status = "Degraded"
      hs.message = "color " .. obj.data.color .. " is not ${allowed}"
      return hs
    end
    hs.status = "Healthy"
    return hs
`;

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let running: ComposedAgent | undefined;
const started: (() => Promise<unknown>)[] = [];

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-agent-lua-"));
    started.push(() => rm(scratch, { recursive: true, force: true }));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    started.push(
      () => kube.stop(),
      () => git.stop(),
    );
    const url = await git.createRepo("fleet");
    hub = await restartableHub({ RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: String(POLL_SECONDS), RADIAL_GENERATE_ON_CHANGE: "false" });
    started.push(() => hub.close());
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  await running?.stop();
  for (const stop of started.reverse()) await stop();
});

const status = async (): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));

test("a user's Lua check delivered on the deploy branch decides the application's health on the cluster", { timeout: 10 * 60_000 }, async () => {
  const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, labels: {} }));
  const fleet = new GitRepository({ url: `${git.url}/fleet.git`, dir: join(scratch, "owner") });
  const push = async (allowed: string) => {
    const files = { "generators/paint.yaml": generator(fleet.url), "apps/paint/configmap.yaml": configMap, "health/argocd-cm.yaml": argocdCm(allowed) };
    await fleet.writeBranches([{ branch: "main", files, message: `allow ${allowed}` }], {
      author: { name: "Fleet Owner", email: "owner@radial.invalid" },
      now: new Date(),
    });
    assert.deepEqual((await generateAndWait((method, path) => hub.api(method, path))).errors, []);
  };
  await push("blue");
  const config = AgentConfig.parse({
    hubUrl: hub.url,
    cluster: CLUSTER,
    token,
    repoUrl: fleet.url,
    pollIntervalSeconds: POLL_SECONDS,
    heartbeatSeconds: POLL_SECONDS,
    dataDir: join(scratch, "agent-data"),
    metricsPort: await freePort(),
  });
  running = await composeAgent({
    config,
    logger: new Logger({ serviceName: "radial-agent-test", logLevel: "SILENT" }),
    connection: await loadKubeConfig({ kubeconfig: kube.kubeconfig }),
    token: () => token,
    host: "127.0.0.1",
    waves: { pollIntervalMs: 200 },
  });
  void running.agent.start();

  await waitFor(
    "paint synced and Degraded by the script",
    async () => (await status()).applications.some((a) => a.sync === "Synced" && a.health === "Degraded"),
    WAIT,
  );
  const degraded = await status();
  assert.equal(degraded.health, "Degraded");
  // The report carries each resource's health, not its message.
  assert.deepEqual(
    degraded.applications[0]?.resources.map((r) => [r.kind, r.name, r.health]),
    [["ConfigMap", "paint", "Degraded"]],
  );

  // Only the script changes: the new branch commit carries it, and the agent assesses with it.
  await push("red");
  await waitFor("paint Healthy by the new script", async () => (await status()).health === "Healthy", WAIT);
  assert.deepEqual(
    (await status()).applications.map((a) => [a.name, a.sync, a.health]),
    [["paint", "Synced", "Healthy"]],
  );
});
