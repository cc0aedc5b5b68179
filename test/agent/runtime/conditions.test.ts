// The agent's Healthy and Ready conditions follow its applications' health as the watches see it
// change, not only at the next pass: a report never says "not healthy: X" while X is Healthy in
// it. The real hub generates the deploy branch on a real git http-backend; the agent runs
// in-process (composed as `radial agent` composes it) against a real kube-apiserver, with a poll
// interval of an hour, so no pass or full resync can be what updates the conditions.
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
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { freePort, waitFor } from "../../engines/process.js";
import { generateAndWait } from "../../hub/generation-runs.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";

const CLUSTER = "conditions-1";
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };
/** Far longer than the test: the watches alone must move the conditions. */
const POLL_SECONDS = 3600;

const generator = (url: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: front
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: front
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/front }
      destination: { name: '{{name}}', namespace: front }
      syncPolicy:
        automated: { prune: true, selfHeal: true }
        syncOptions: [CreateNamespace=true]
`;
/** A LoadBalancer with no cloud to give it an address stays Progressing until the test gives it one. */
const service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  type: LoadBalancer\n  ports: [{ port: 80 }]\n  selector: { app: front }\n";

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let running: ComposedAgent | undefined;
const started: (() => Promise<unknown>)[] = [];

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-agent-conditions-"));
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
const condition = (s: ClusterStatus, type: string) => s.conditions.find((c) => c.type === type);

/** Sets (or clears) the Service's load balancer address, as a cloud controller would. */
const setIngress = (ingress: { ip: string }[]) =>
  kubectl(kube, [
    "-n",
    "front",
    "patch",
    "service",
    "front",
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({ status: { loadBalancer: { ingress } } }),
  ]);

test("Healthy and Ready follow an application's health as the watch sees it change, with no new pass", { timeout: 8 * 60_000 }, async () => {
  const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, labels: {} }));
  const fleet = new GitRepository({ url: `${git.url}/fleet.git`, dir: join(scratch, "owner") });
  await fleet.writeBranches(
    [{ branch: "main", files: { "generators/front.yaml": generator(fleet.url), "apps/front/service.yaml": service }, message: "front" }],
    {
      author: { name: "Fleet Owner", email: "owner@radial.invalid" },
      now: new Date(),
    },
  );
  assert.deepEqual((await generateAndWait((method, path) => hub.api(method, path))).errors, []);
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
    "front synced, waiting for its address",
    async () => (await status()).applications.some((a) => a.sync === "Synced" && a.health === "Progressing"),
    WAIT,
  );
  let reported = await status();
  assert.equal(condition(reported, "Healthy")?.status, "False");
  assert.equal(condition(reported, "Healthy")?.message, "not healthy: front");
  assert.equal(condition(reported, "Ready")?.status, "False");

  await setIngress([{ ip: "203.0.113.10" }]);
  await waitFor("front Healthy", async () => (await status()).health === "Healthy", WAIT);
  reported = await status();
  assert.equal(reported.applications[0]?.health, "Healthy");
  assert.deepEqual([condition(reported, "Healthy")?.status, condition(reported, "Healthy")?.message], ["True", "1 applications healthy"]);
  assert.equal(condition(reported, "Ready")?.status, "True", JSON.stringify(reported.conditions));

  await setIngress([]);
  await waitFor("front Progressing again", async () => (await status()).health === "Progressing", WAIT);
  reported = await status();
  assert.deepEqual([condition(reported, "Healthy")?.status, condition(reported, "Healthy")?.message], ["False", "not healthy: front"]);
  assert.equal(condition(reported, "Ready")?.status, "False");
});
