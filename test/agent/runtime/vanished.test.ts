// An application whose folder left the deploy branch without a tombstone is not forgotten when the
// agent restarts: its inventory ConfigMap names it, so it stays reported, kept and watched, until a
// tombstone deletes it. The real hub, a real git http-backend and `radial agent` as its own process
// against a real kube-apiserver.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ClusterStatus, RegisterClusterResponse } from "../../../contract/index.js";
import { AGENT_NAMESPACE } from "../../../contract/agent-config.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { waitFor } from "../../engines/process.js";
import { rewriteBranch as rewrite, spawnAgent, type AgentProcess } from "./agent-process.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";
import { generateAndWait } from "../../hub/generation-runs.js";
import { webFleet } from "../../fixtures/web-fleet.js";

const CLUSTER = "vanish-1";
const BRANCH = `radial/clusters/${CLUSTER}`;
const FOLDER = `clusters/${CLUSTER}/web/`;
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const WAIT = { timeoutMs: 90_000, intervalMs: 500 };

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let fleet: GitRepository;
let tokenFile: string;
let agent: AgentProcess | undefined;

// With no cloud to give it an address a LoadBalancer Service stays Progressing: health read from the live object.
const SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  ports: [{ port: 80 }]\n";

const rewriteBranch = (change: (files: Record<string, string>) => void) => rewrite(fleet, BRANCH, change);

const status = async (): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));
const web = async () => (await status()).applications.find((a) => a.name === "web");

/** An object as kubectl reads it, with a ConfigMap's data; null when there is none. */
async function get(args: string[]): Promise<(KubeObject & { data?: Record<string, string> }) | null> {
  const out = await kubectl(kube, ["get", ...args, "-o", "json", "--ignore-not-found"]);
  return out.trim() ? (JSON.parse(out) as KubeObject & { data?: Record<string, string> }) : null;
}
const color = async (): Promise<string | null> => (await get(["-n", "web", "configmap", "web"]))?.data?.color ?? null;

async function startAgent(): Promise<void> {
  agent = await spawnAgent({ kube, cluster: CLUSTER, hubUrl: hub.url, repoUrl: fleet.url, tokenFile, scratch });
}

async function stopAgent(): Promise<void> {
  const { child, output } = agent!;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  assert.equal(await exited, 0, output());
}

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-agent-vanished-"));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    const url = await git.createRepo("fleet");
    fleet = new GitRepository({ url, dir: join(scratch, "owner") });
    hub = await restartableHub({ RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false" });
    const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, labels: { env: "test" } }));
    tokenFile = join(scratch, "token");
    await writeFile(tokenFile, `${token}\n`);
    const files = { ...webFleet(url, { autoSync: true }), "apps/web/service.yaml": SERVICE };
    await fleet.writeBranches([{ branch: "main", files, message: "the fleet" }], { author, now: new Date() });
    const run = await generateAndWait((method, path) => hub.api(method, path));
    assert.deepEqual(run.errors, [], JSON.stringify(run));
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  if (agent?.child.exitCode === null) agent.child.kill("SIGKILL");
  await Promise.all([hub.close(), kube.stop(), git.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

test(
  "after a restart, an application whose folder vanished without a tombstone is still reported, kept and watched; a tombstone then deletes it and its inventory",
  { timeout: 8 * 60_000 },
  async () => {
    await startAgent();
    await waitFor("web applied and reported", async () => (await color()) === "blue" && (await web())?.sync === "Synced", WAIT);
    const synced = (await web())!;
    assert.equal(synced.health, "Progressing", "the LoadBalancer Service has no address");

    const gone = await rewriteBranch((files) => {
      for (const path of Object.keys(files)) if (path.startsWith(FOLDER)) Reflect.deleteProperty(files, path);
      files[`clusters/${CLUSTER}/README.md`] = "nothing here\n";
    });
    await waitFor(
      "the vanished folder reported",
      async () => (await status()).revision === gone && ((await web())?.message ?? "").includes("without a tombstone"),
      WAIT,
    );

    // A new process knows only the branch (no folder) and the cluster (the inventory, the objects).
    await stopAgent();
    await startAgent();
    await waitFor("reported by the restarted agent", async () => ((await web())?.message ?? "").includes("restarted"), WAIT);
    const kept = (await web())!;
    assert.equal(kept.sync, "Unknown");
    assert.equal(kept.health, "Progressing", "health read from the live objects");
    assert.equal(kept.resourceCount, synced.resourceCount);
    assert.match(kept.message ?? "", /folder is missing from radial\/clusters\/vanish-1/);
    assert.match(kept.message ?? "", /nothing is pruned/);
    assert.match(kept.message ?? "", /drift is reported, not healed/);
    assert.equal(await color(), "blue", "its objects are kept");
    assert.ok(await get(["-n", "web", "service", "web"]));

    // Still watched: a manual edit is reported as drift, and left alone (the desired state is unknown).
    await kubectl(kube, ["-n", "web", "patch", "configmap", "web", "--type=merge", "-p", '{"data":{"color":"hacked"}}']);
    await waitFor(
      "the drift reported",
      async () => (await status()).driftEvents.some((e) => e.application === "web" && e.action === "Detected" && e.fields.includes("data.color")),
      WAIT,
    );
    const detected = (await status()).driftEvents.find((e) => e.application === "web" && e.action === "Detected")!;
    assert.match(detected.manager ?? "", /kubectl/);
    assert.equal(await color(), "hacked", "not healed");
    assert.ok(!(await status()).driftEvents.some((e) => e.application === "web" && e.action === "Healed"));

    // The hub deletes the application with Argo CD's finalizer: its objects go, then its inventory and its report.
    await rewriteBranch((files) => {
      files[`${FOLDER}deleted.yaml`] =
        "apiVersion: radial.dev/v1alpha1\nkind: ApplicationDeletion\nmetadata:\n  name: web\n  finalizers: [resources-finalizer.argocd.argoproj.io]\n";
    });
    await waitFor("deleted with its objects", async () => (await color()) === null && (await get(["-n", "web", "service", "web"])) === null, WAIT);
    await waitFor("gone from the report", async () => (await status()).reported && !(await status()).applications.some((a) => a.name === "web"), WAIT);
    assert.equal(await get(["-n", AGENT_NAMESPACE, "configmap", "radial-inventory-web"]), null, "the inventory is removed");

    // Restarted once more, the agent has nothing left to report of it.
    await stopAgent();
    await startAgent();
    const restarted = new Date().toISOString();
    await waitFor(
      "a report from the new process",
      async () => ((await status()).receivedAt ?? "") > restarted && (await status()).conditions.some((c) => c.type === "Ready" && c.status === "True"),
      WAIT,
    );
    assert.ok(!(await status()).applications.some((a) => a.name === "web"));
    await stopAgent();
  },
);
