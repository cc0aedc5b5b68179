// The agent waits on the hub for a new head (GET /v1/agent/revision) instead of polling for it, and
// falls back to its poll when the hub does not wait. Real hub, git http-backend, kube-apiserver+KWOK.
import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { composeAgent, type ComposedAgent } from "../../../agent/compose.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import { AgentConfig } from "../../../contract/agent-config.js";
import { RegisterClusterResponse } from "../../../contract/index.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { freePort, waitFor } from "../../engines/process.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";
import { webFleet } from "../../fixtures/web-fleet.js";

const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const WAIT = { timeoutMs: 120_000, intervalMs: 250 };

let kube: Cluster;
let git: GitServer;
let scratch: string;
const cleanups: (() => Promise<unknown>)[] = [];

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-head-watch-"));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await Promise.all([kube.stop(), git.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

/** A fleet repo, a hub over it, and an agent of cluster `name` applying into namespace `name`, polling every `pollSeconds`. */
async function fleetWithAgent(name: string, pollSeconds: number, hubEnv: NodeJS.ProcessEnv) {
  const url = await git.createRepo(name);
  const fleet = new GitRepository({ url, dir: join(scratch, `${name}-owner`) });
  const hub: RestartableHub = await restartableHub({
    RADIAL_REPO_URL: url,
    RADIAL_POLL_INTERVAL_SECONDS: String(pollSeconds),
    RADIAL_GENERATE_ON_CHANGE: "false",
    ...hubEnv,
  });
  cleanups.push(() => hub.close());
  const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name, labels: {} }));
  const branch = `radial/clusters/${name}`;
  const head = async () => (await fleet.remoteBranches(branch)).get(branch) ?? null;
  /** Commits the color and has the hub generate; resolves once the deploy branch moved. */
  const publish = async (color: string) => {
    const before = await head();
    await fleet.writeBranches([{ branch: "main", files: webFleet(url, { namespace: name, autoSync: true, configMaps: { web: color } }), message: color }], {
      author,
      now: new Date(),
    });
    await hub.api("POST", "/v1/generate");
    await waitFor("the hub's push", async () => (await head()) !== before, WAIT);
  };
  await publish("blue");
  const config = AgentConfig.parse({
    hubUrl: hub.url,
    cluster: name,
    token,
    repoUrl: url,
    pollIntervalSeconds: pollSeconds,
    heartbeatSeconds: pollSeconds,
    dataDir: join(scratch, `${name}-agent`),
    metricsPort: await freePort(),
  });
  const agent: ComposedAgent = await composeAgent({
    config,
    logger: new Logger({ serviceName: "radial-agent-test", logLevel: "SILENT" }),
    connection: await loadKubeConfig({ kubeconfig: kube.kubeconfig }),
    token: () => token,
    host: "127.0.0.1",
  });
  cleanups.push(() => agent.stop());
  void agent.agent.start();
  const color = async () => {
    const out = await kubectl(kube, ["-n", name, "get", "configmap", "web", "-o", "json", "--ignore-not-found"]);
    return out.trim() ? (JSON.parse(out) as { data: { color: string } }).data.color : null;
  };
  await waitFor("the first commit applied", async () => (await color()) === "blue", WAIT);
  /** radial_agent_hub_waits_total of one outcome. */
  const waits = async (outcome: string) => {
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    return Number(new RegExp(`^radial_agent_hub_waits_total\\{outcome="${outcome}"\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  };
  return { publish, color, waits };
}

test("an agent that polls once an hour applies a new commit as soon as the hub has pushed it: it waits on the hub", { timeout: 10 * 60_000 }, async () => {
  // Poll and heartbeat of an hour: nothing but the wait can tell the agent of the new head in time.
  const { publish, color, waits } = await fleetWithAgent("wait-1", 3600, {});
  const before = await waits("head");
  await publish("red");
  await waitFor("the new commit applied", async () => (await color()) === "red", WAIT);
  await waitFor("the wait that named the new head", async () => (await waits("head")) > before, WAIT);
  assert.equal(await waits("polling"), 0, "the hub was waited on throughout");
});

test("with a hub that does not hold waits the agent falls back to its poll", { timeout: 10 * 60_000 }, async () => {
  const { publish, color, waits } = await fleetWithAgent("poll-1", 5, { RADIAL_AGENT_WAIT_SECONDS: "0" });
  await publish("green");
  await waitFor("the new commit applied by the poll", async () => (await color()) === "green", WAIT);
  assert.ok((await waits("polling")) > 0, "the watch fell back to polling");
  assert.equal(await waits("unchanged"), 0, "no wait was held");
});
