// End to end: three KWOK clusters, each with `radial agent` running five applications (waves, a
// CRD with its custom resource, a PreSync Job hook, a bound PVC, a Deployment), all converged.
// One cluster is lost (apiserver stopped, its etcd prefix deleted); an empty cluster replaces it
// through `radial cluster rebuild --wait`, its new bootstrap manifest applied and its agent
// started; it converges from Git alone, and the other two clusters never notice.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AGENT_CLUSTER_HEADER, AGENT_NAMESPACE, ClusterStatus, RebuildList, RegisterClusterResponse } from "../../contract/index.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { spawnAgent, type AgentProcess } from "../agent/runtime/agent-process.js";
import { adminOf, radial } from "../cli/radial-cli.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { waitFor } from "../engines/process.js";
import { startTestHub, type TestHub } from "../hub/harness.js";

const CLUSTERS = ["east", "west", "north"];
const LOST = "east";
const WAIT = { timeoutMs: 8 * 60_000, intervalMs: 1000 };
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };

const APPS: Record<string, string> = {
  crd: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: gear }
spec: { teeth: 12 }
`,
  waves: ["-1", "0", "1"]
    .map(
      (wave, i) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: step-${i}\n  annotations: { argocd.argoproj.io/sync-wave: "${wave}" }\ndata: { wave: "${wave}" }\n`,
    )
    .join("---\n"),
  hooked: `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: { argocd.argoproj.io/hook: PreSync, argocd.argoproj.io/hook-delete-policy: BeforeHookCreation }
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: migrate, image: busybox }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: schema }
data: { version: "7" }
`,
  storage: `apiVersion: v1
kind: PersistentVolume
metadata: { name: data-pv }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  hostPath: { path: /tmp/radial-data }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: data-pv
  resources: { requests: { storage: 1Gi } }
`,
  web: `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx }] }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
};

function fleetFiles(url: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [app, manifests] of Object.entries(APPS)) {
    files[`apps/${app}/manifests.yaml`] = manifests;
    files[`generators/${app}.yaml`] = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: ${app} }
spec:
  generators: [{ clusters: {} }]
  template:
    metadata: { name: '{{name}}-${app}' }
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/${app} }
      destination: { name: '{{name}}', namespace: ${app} }
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [CreateNamespace=true] }
`;
  }
  return files;
}

let git: GitServer;
let hub: TestHub;
let fleet: GitRepository;
let scratch: string;
const kubes = new Map<string, Cluster>();
const agents: AgentProcess[] = [];
const tokens = new Map<string, string>();

const status = async (cluster: string) => ClusterStatus.parse((await hub.api("GET", `/v1/clusters/${cluster}/status`)).body);
const heads = async () => fleet.remoteBranches("radial/clusters/");

async function converged(cluster: string, revision: string): Promise<boolean> {
  const s = await status(cluster);
  return s.revision === revision && s.applications.length === 5 && s.applications.every((a) => a.sync === "Synced" && a.health === "Healthy");
}

async function startAgent(cluster: string, kube: Cluster, token: string): Promise<AgentProcess> {
  const dir = await mkdtemp(join(scratch, `${cluster}-`));
  const tokenFile = join(dir, "token");
  await writeFile(tokenFile, `${token}\n`);
  const agent = await spawnAgent({ kube, cluster, hubUrl: hub.url, repoUrl: fleet.url, tokenFile, scratch: dir });
  agents.push(agent);
  return agent;
}

/** What must not change on a cluster that is not rebuilt: its status as reported, application by application, and its drift events. */
async function fingerprint(cluster: string): Promise<string> {
  const s = await status(cluster);
  const applications = s.applications.map((a) => [a.name, a.sync, a.health, a.revision]);
  return JSON.stringify({ revision: s.revision, sync: s.sync, health: s.health, applications, drift: s.driftEvents, rebuild: s.rebuild ?? null });
}

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-rebuild-e2e-"));
    git = await startGitServer();
    const url = await git.createRepo("fleet");
    fleet = new GitRepository({ url, dir: join(scratch, "owner") });
    hub = await startTestHub({
      env: { RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GENERATE_INTERVAL: "0" },
    });
    for (const name of CLUSTERS) {
      kubes.set(name, await startCluster());
      const response = await hub.api("POST", "/v1/clusters", { body: { name, labels: { env: "e2e" } } });
      tokens.set(name, RegisterClusterResponse.parse(response.body).token);
    }
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  for (const agent of agents) if (agent.child.exitCode === null) agent.child.kill("SIGKILL");
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await hub?.stop();
  await Promise.all([...kubes.values()].map((kube) => kube.stop()));
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await git?.stop();
  await rm(scratch, { recursive: true, force: true });
});

test("a lost cluster is rebuilt onto an empty one and converges; the other clusters are untouched", { timeout: 30 * 60_000 }, async () => {
  await fleet.writeBranches([{ branch: "main", files: fleetFiles(fleet.url), message: "the fleet" }], { author, now: new Date() });
  await hub.api("POST", "/v1/generate");
  await waitFor("every deploy branch", async () => (await heads()).size === CLUSTERS.length, WAIT);
  const before = await heads();
  const oldAgents = new Map<string, AgentProcess>();
  for (const name of CLUSTERS) oldAgents.set(name, await startAgent(name, kubes.get(name)!, tokens.get(name)!));
  for (const name of CLUSTERS) await waitFor(`${name} converged`, () => converged(name, before.get(`radial/clusters/${name}`)!), WAIT);
  const bystanders = CLUSTERS.filter((name) => name !== LOST);
  const untouched = await Promise.all(bystanders.map(fingerprint));

  // The cluster is lost: its control plane stops and its data goes; its agent lives on, half dead.
  const deleted = await kubes.get(LOST)!.destroy();
  assert.ok(deleted > 100, `the lost cluster's etcd prefix held its objects (${deleted} keys deleted)`);
  const empty = await startCluster();
  kubes.set(`${LOST}-new`, empty);

  const manifest = join(scratch, `${LOST}-bootstrap.yaml`);
  const rebuilding = radial(["cluster", "rebuild", LOST, "--reason", "region lost", "--bootstrap-out", manifest, "--wait", "--timeout", "15m"], {
    env: adminOf(hub),
  });
  await waitFor("the new bootstrap manifest", async () => (await readFile(manifest, "utf8").catch(() => "")).includes("kind: Deployment"), WAIT);
  await kubectl(empty, ["apply", "--server-side", "-f", manifest]);
  const secret = await kubectl(empty, ["-n", AGENT_NAMESPACE, "get", "secret", "radial-agent-token", "-o", "jsonpath={.data.token}"]);
  const newToken = Buffer.from(secret, "base64").toString("utf8");
  assert.notEqual(newToken, tokens.get(LOST));
  await startAgent(LOST, empty, newToken);

  const run = await rebuilding;
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, new RegExp(`${LOST}-storage\\s+PersistentVolumeClaim\\s+\\S+\\s+data`), "the preflight listed the PVC");

  const [rebuild] = RebuildList.parse((await hub.api("GET", `/v1/clusters/${LOST}/rebuilds`)).body).items;
  assert.deepEqual(
    rebuild!.phases.map((p) => p.phase),
    ["Requested", "AwaitingAgent", "AgentConnected", "Syncing", "Converged"],
  );
  assert.equal(rebuild!.targetRevision, before.get(`radial/clusters/${LOST}`));
  assert.deepEqual(rebuild!.applications, { converged: 5, total: 5 });
  assert.ok(rebuild!.preflight?.items.some((i) => i.kind === "PersistentVolumeClaim" && i.name === "data"));
  assert.ok(await converged(LOST, before.get(`radial/clusters/${LOST}`)!));
  assert.match(await kubectl(empty, ["-n", "crd", "get", "widgets.example.com", "gear", "-o", "name"]), /widget.example.com\/gear/);
  assert.match(await kubectl(empty, ["-n", "storage", "get", "pvc", "data", "-o", "jsonpath={.status.phase}"]), /Bound/);

  // The old incarnation's token is refused, by the hub and as its half-dead agent sees it.
  const report = {
    cluster: LOST,
    agentVersion: "0.1.0",
    heartbeatAt: new Date().toISOString(),
    revision: null,
    conditions: [],
    applications: [],
    driftEvents: [],
  };
  const refused = await hub.api("POST", "/v1/agent/status", { body: report, token: tokens.get(LOST)!, headers: { [AGENT_CLUSTER_HEADER]: LOST } });
  assert.equal(refused.status, 401);
  await waitFor("the old agent told its token is revoked", () => Promise.resolve(oldAgents.get(LOST)!.output().includes("revoked or rotated")), WAIT);

  // The others: no new commit on their branches, the same status, no drift events.
  const afterHeads = await heads();
  for (const name of bystanders) assert.equal(afterHeads.get(`radial/clusters/${name}`), before.get(`radial/clusters/${name}`));
  assert.deepEqual(await Promise.all(bystanders.map(fingerprint)), untouched);
  for (const name of bystanders) assert.deepEqual((await status(name)).driftEvents, []);
});
