// An agent whose bootstrap manifest was issued while the hub had no fleet repo (so it sets no
// RADIAL_AGENT_REPO_URL) waits for the hub to name one, then fetches and applies from it: real
// hub, real git http-backend, real kube-apiserver, `radial agent` as its own process.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { AGENT_VARIABLES, ClusterStatus, RegisterClusterResponse } from "../../../contract/index.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { waitFor } from "../../engines/process.js";
import { spawnAgent, type AgentProcess } from "./agent-process.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";

const CLUSTER = "late-repo-1";
const WAIT = { timeoutMs: 90_000, intervalMs: 500 };

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let agent: AgentProcess | undefined;
/** The hub's settings (its own loopback URL for agents, as the agent here runs beside it); the test adds RADIAL_REPO_URL and restarts it. */
const hubEnv: NodeJS.ProcessEnv = { RADIAL_HUB_URL: undefined, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false" };

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-repo-from-hub-"));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    hub = await restartableHub(hubEnv);
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  if (agent?.child.exitCode === null) agent.child.kill("SIGKILL");
  await Promise.all([hub.close(), kube.stop(), git.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

const status = async (): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));

/** The agent container's variables in a bootstrap manifest. */
function agentEnv(manifest: string): Map<string, string | undefined> {
  const deployment = parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as { kind: string; spec?: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } })
    .find((object) => object.kind === "Deployment");
  return new Map(deployment?.spec?.template.spec.containers[0]?.env.map((variable) => [variable.name, variable.value]));
}

const fleetFiles = (url: string) => ({
  "generators/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: web }
spec:
  generators: [{ clusters: {} }]
  template:
    metadata: { name: web }
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/web }
      destination: { name: '{{name}}', namespace: web }
      syncPolicy: { automated: { prune: true }, syncOptions: [CreateNamespace=true] }
`,
  "apps/web/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: blue\n",
});

test("an agent installed before the hub had a fleet repo waits for one, then applies from the repo the hub names", { timeout: 5 * 60_000 }, async () => {
  const registered = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, allowLoopbackHub: true }));
  const env = agentEnv(registered.bootstrap);
  assert.equal(env.get(AGENT_VARIABLES.hubUrl), hub.url);
  assert.equal(env.has(AGENT_VARIABLES.repoUrl), false, "the hub had no fleet repo to put in the manifest");
  const tokenFile = join(scratch, "token");
  await writeFile(tokenFile, `${registered.token}\n`);
  agent = await spawnAgent({ kube, cluster: CLUSTER, hubUrl: hub.url, tokenFile, scratch });

  await waitFor(
    "the agent reporting that it has no repo yet",
    async () => (await status()).conditions.some((c) => c.type === "Fetched" && c.status === "False" && c.reason === "RepoUnknown"),
    WAIT,
  );
  assert.equal(agent.child.exitCode, null, `the agent runs on:\n${agent.output()}`);

  const url = await git.createRepo("fleet");
  const fleet = new GitRepository({ url, dir: join(scratch, "owner") });
  await fleet.writeBranches([{ branch: "main", files: fleetFiles(url), message: "the fleet" }], {
    author: { name: "Fleet Owner", email: "owner@radial.invalid" },
    now: new Date(),
  });
  hubEnv.RADIAL_REPO_URL = url;
  await hub.stop();
  await hub.start();
  await hub.api("POST", "/v1/generate");
  const branch = `radial/clusters/${CLUSTER}`;
  let head: string | undefined;
  await waitFor("the hub writing the deploy branch", async () => (head = (await fleet.remoteBranches(branch)).get(branch)) !== undefined, WAIT);

  await waitFor(
    "the ConfigMap applied from the repo the hub named",
    async () => (await kubectl(kube, ["-n", "web", "get", "configmap", "web", "-o", "jsonpath={.data.color}", "--ignore-not-found"])) === "blue",
    WAIT,
  );
  await waitFor(
    "a Synced report at the branch's head",
    async () => {
      const s = await status();
      return s.revision === head && s.sync === "Synced" && s.conditions.some((c) => c.type === "Fetched" && c.status === "True");
    },
    WAIT,
  );
  assert.match(agent.output(), /fetching the deploy branch from the fleet repo the hub names/);
});
