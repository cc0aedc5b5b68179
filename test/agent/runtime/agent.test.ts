// End to end: the real hub generates a cluster's deploy branch on a real git http-backend, and
// `radial agent` runs as its own process against a real kube-apiserver, as an operator runs it.
import assert from "node:assert/strict";
import { mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ClusterStatus, RegisterClusterResponse, RotateTokenResponse } from "../../../contract/index.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { waitFor } from "../../engines/process.js";
import { rewriteBranch as rewrite, spawnAgent, type AgentProcess } from "./agent-process.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";
import { generateAndWait } from "../../hub/generation-runs.js";
import { webFleet } from "../../fixtures/web-fleet.js";

const CLUSTER = "e2e-1";
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const WAIT = { timeoutMs: 90_000, intervalMs: 500 };

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let fleet: GitRepository;
/** The agent reaches the repo through its own alias, so the test can cut the agent off from Git alone. */
let agentRepoUrl: string;
let agent: AgentProcess;
let tokenFile: string;

/** Commits the fleet repo's main branch and has the hub generate the deploy branches from it. */
async function publish(configMaps: Record<string, string>): Promise<string> {
  await fleet.writeBranches([{ branch: "main", files: webFleet(fleet.url, { autoSync: true, configMaps }), message: "change the fleet" }], {
    author,
    now: new Date(),
  });
  const run = await generateAndWait((method, path) => hub.api(method, path));
  assert.deepEqual(run.errors, [], JSON.stringify(run));
  const head = (await fleet.remoteBranches(`radial/clusters/${CLUSTER}`)).get(`radial/clusters/${CLUSTER}`);
  assert.ok(head, "the hub wrote the deploy branch");
  return head;
}

const rewriteBranch = (change: (files: Record<string, string>) => void) => rewrite(fleet, `radial/clusters/${CLUSTER}`, change);

const status = async (): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));

async function color(name: string): Promise<string | null> {
  const out = await kubectl(kube, ["-n", "web", "get", "configmap", name, "-o", "json", "--ignore-not-found"]);
  return out.trim() ? (JSON.parse(out) as { data: { color: string } }).data.color : null;
}

async function startAgent(): Promise<void> {
  agent = await spawnAgent({ kube, cluster: CLUSTER, hubUrl: hub.url, repoUrl: agentRepoUrl, tokenFile, scratch });
}

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-agent-e2e-"));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    const url = await git.createRepo("fleet");
    await symlink(git.repoPath("fleet"), git.repoPath("fleet-agent"));
    agentRepoUrl = `${git.url}/fleet-agent.git`;
    fleet = new GitRepository({ url, dir: join(scratch, "owner") });
    hub = await restartableHub({
      RADIAL_REPO_URL: url,
      RADIAL_POLL_INTERVAL_SECONDS: "5",
      RADIAL_TOKEN_GRACE_SECONDS: "0",
      RADIAL_GENERATE_ON_CHANGE: "false",
    });
    const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, labels: { env: "test" } }));
    tokenFile = join(scratch, "token");
    await writeFile(tokenFile, `${token}\n`);
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  // Unset when a test failed before starting it.
  const child = (agent as AgentProcess | undefined)?.child;
  if (child?.exitCode === null) child.kill("SIGKILL");
  await Promise.all([hub.close(), kube.stop(), git.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

test("the agent applies its cluster's branch, reports Synced and Healthy at that revision, and follows new commits", { timeout: 5 * 60_000 }, async () => {
  const first = await publish({ web: "blue", extra: "green" });
  await startAgent();
  await waitFor("the ConfigMaps on the apiserver", async () => (await color("web")) === "blue" && (await color("extra")) === "green", WAIT);

  await waitFor(
    "a Synced, Healthy report at the branch's head",
    async () => {
      const s = await status();
      return s.reported && s.revision === first && s.sync === "Synced" && s.health === "Healthy";
    },
    WAIT,
  );
  const reported = await status();
  const web = reported.applications.find((a) => a.name === "web");
  assert.equal(web?.revision, first);
  assert.equal(web.resourceCount, 2);
  assert.equal(reported.conditions.find((c) => c.type === "Ready")?.status, "True");

  assert.equal((await fetch(`${agent.metrics}/readyz`)).status, 200);
  assert.equal((await fetch(`${agent.metrics}/healthz`)).status, 200);
  const metrics = await (await fetch(`${agent.metrics}/metrics`)).text();
  assert.match(metrics, /^radial_agent_applies_total [1-9]/m);
  assert.match(metrics, /^radial_agent_last_successful_sync_timestamp_seconds [1-9]/m);
  assert.match(metrics, /^radial_agent_git_received_bytes_total [1-9]/m);
  assert.match(metrics, /^radial_agent_kube_requests_total\{method="PATCH",code="20[01]"\} [1-9]/m);

  // A new commit reaches the running agent (through the hub's reply), no restart.
  const second = await publish({ web: "red", extra: "green" });
  await waitFor("the new commit applied", async () => (await color("web")) === "red", WAIT);
  await waitFor("reported at the new revision", async () => (await status()).revision === second, WAIT);

  // A manual edit of a field Git sets is undone (selfHeal) and reported with the editor's field manager.
  await kubectl(kube, ["-n", "web", "patch", "configmap", "web", "--type=merge", "-p", '{"data":{"color":"hacked"}}']);
  await waitFor("healed", async () => (await color("web")) === "red", WAIT);
  await waitFor("the drift reported", async () => (await status()).driftEvents.some((e) => e.resource.name === "web" && e.action === "Healed"), WAIT);
  const detected = (await status()).driftEvents.find((e) => e.resource.name === "web" && e.action === "Detected");
  assert.deepEqual(detected?.fields, ["data.color"]);
  assert.match(detected.manager ?? "", /kubectl/);
  assert.equal(agent.child.exitCode, null);
});

test("Git unreachable: nothing is pruned, the report says why, and the agent catches up once Git is back", { timeout: 5 * 60_000 }, async () => {
  const alias = git.repoPath("fleet-agent");
  await rename(alias, `${alias}.away`);
  // This commit drops `extra`: pruning it now would mean acting on a source the agent could not read.
  const third = await publish({ web: "yellow" });
  await waitFor(
    "Fetched=False in the report",
    async () => {
      const fetched = (await status()).conditions.find((c) => c.type === "Fetched");
      return fetched?.status === "False" && /FetchFailed|RefLookupFailed/.test(fetched.reason);
    },
    WAIT,
  );
  assert.equal(await color("extra"), "green", "nothing pruned while Git is unreachable");
  assert.equal(await color("web"), "red", "what was applied stays applied");
  assert.equal((await status()).conditions.find((c) => c.type === "Ready")?.status, "False");

  await rename(`${alias}.away`, alias);
  await waitFor("caught up", async () => (await color("web")) === "yellow" && (await color("extra")) === null, WAIT);
  await waitFor(
    "reported at the new revision",
    async () => {
      const s = await status();
      return s.revision === third && s.conditions.find((c) => c.type === "Fetched")?.status === "True";
    },
    WAIT,
  );
});

test("hub down, then back: the agent keeps applying and its reports resume", { timeout: 5 * 60_000 }, async () => {
  await hub.stop();
  await waitFor("a failed report logged", () => Promise.resolve(agent.output().includes("could not report to the hub")), WAIT);
  // With no reply from the hub the agent looks the branch up itself: a commit written meanwhile is applied.
  await rewriteBranch((files) => {
    const manifests = `clusters/${CLUSTER}/web/manifests.yaml`;
    files[manifests] = files[manifests]!.replace(/color: \w+/, "color: orange");
  });
  await waitFor("applied while the hub is down", async () => (await color("web")) === "orange", WAIT);

  await hub.start();
  const restartedAt = new Date().toISOString();
  await waitFor(
    "reports resume",
    async () => {
      const s = await status();
      return s.receivedAt !== null && s.receivedAt > restartedAt;
    },
    WAIT,
  );
  assert.equal(agent.child.exitCode, null);
});

test(
  "a folder gone without a tombstone prunes nothing; a tombstone with Argo CD's finalizer deletes the application's objects",
  { timeout: 5 * 60_000 },
  async () => {
    const folder = `clusters/${CLUSTER}/web/`;
    const gone = await rewriteBranch((files) => {
      for (const path of Object.keys(files)) if (path.startsWith(folder)) Reflect.deleteProperty(files, path);
      files[`clusters/${CLUSTER}/README.md`] = "nothing here\n";
    });
    await waitFor(
      "the vanished folder reported",
      async () => {
        const s = await status();
        return s.revision === gone && (s.applications.find((a) => a.name === "web")?.message ?? "").includes("without a tombstone");
      },
      WAIT,
    );
    assert.equal(await color("web"), "orange", "kept while its folder is missing");

    await rewriteBranch((files) => {
      files[`${folder}deleted.yaml`] =
        "apiVersion: radial.dev/v1alpha1\nkind: ApplicationDeletion\nmetadata:\n  name: web\n  finalizers: [resources-finalizer.argocd.argoproj.io]\n";
    });
    await waitFor("deleted with its objects", async () => (await color("web")) === null, WAIT);
    await waitFor("gone from the report", async () => !(await status()).applications.some((a) => a.name === "web"), WAIT);
  },
);

test("a revoked token: the agent logs the 401 clearly, stops reporting and keeps reconciling", { timeout: 5 * 60_000 }, async () => {
  RotateTokenResponse.parse(await hub.api("POST", `/v1/clusters/${CLUSTER}/token`));
  await waitFor("the 401 logged", () => Promise.resolve(agent.output().includes("revoked or rotated")), WAIT);
  assert.match(agent.output(), /Re-bootstrap the cluster/);
  const before = (await status()).receivedAt;

  await publish({ web: "purple" });
  await waitFor("still applying new commits", async () => (await color("web")) === "purple", WAIT);
  assert.equal((await status()).receivedAt, before, "no report accepted with the revoked token");

  agent.child.kill("SIGTERM");
  const code = await new Promise<number | null>((resolve) => agent.child.once("exit", resolve));
  assert.equal(code, 0, agent.output());
});
