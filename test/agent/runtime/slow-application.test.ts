// One application whose wave never turns healthy does not hold up the others: they converge, take
// new revisions and have drift healed while it waits, and the agent stays live. The real hub
// generates the deploy branch on a real git http-backend; the agent runs in-process (composed as
// `radial agent` composes it, with a short wedge limit) against a real kube-apiserver with KWOK.
// The interleaving is forced: the slow application cannot finish until the test fixes it.
import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AgentConfig } from "../../../contract/agent-config.js";
import { ClusterStatus, RegisterClusterResponse, type ApplicationStatus } from "../../../contract/index.js";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { composeAgent, type ComposedAgent } from "../../../agent/compose.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { MAX_CONCURRENT_SYNCS } from "../../../agent/reconcile/applications.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { freePort, waitFor } from "../../engines/process.js";
import { generateAndWait } from "../../hub/generation-runs.js";
import { restartableHub, type RestartableHub } from "./restartable-hub.js";

const CLUSTER = "slow-1";
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const WAIT = { timeoutMs: 90_000, intervalMs: 250 };
/** /healthz fails when a piece of work has not moved for this long; the slow wave waits far longer. */
const WEDGED_AFTER_MS = 3_000;
/** More applications than workers, so the others also queue behind the one stuck worker. */
const OTHERS = Array.from({ length: MAX_CONCURRENT_SYNCS + 2 }, (_, i) => `web-${String(i + 1).padStart(2, "0")}`);
/** Sorted before the others, so a one-at-a-time agent would sync it first and wait on it. */
const SLOW = "canary";
const WAITING = `waiting for healthy state of Service ${SLOW}/front`;

let kube: Cluster;
let git: GitServer;
let hub: RestartableHub;
let scratch: string;
let fleet: GitRepository;
let running: ComposedAgent | undefined;
const timings: Record<string, string> = {};

const GENERATOR = (url: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - git: { repoURL: ${url}, revision: HEAD, directories: [{ path: apps/* }] }
          - clusters: {}
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: '{{.path.path}}' }
      destination: { name: '{{.name}}', namespace: '{{.path.basename}}' }
      syncPolicy:
        automated: { prune: true, selfHeal: true }
        syncOptions: [CreateNamespace=true]
`;

/** Two waves: a ConfigMap, then a Deployment that KWOK makes Available. */
const webFiles = (app: string, color: string): Record<string, string> => ({
  [`apps/${app}/config.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  color: ${color}\n`,
  [`apps/${app}/deploy.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: { argocd.argoproj.io/sync-wave: "1" }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: registry.example/web:1 }]
      nodeSelector: { type: kwok }
`,
});

/** Wave 0 a Service; wave 1 a ConfigMap. As a LoadBalancer with no cloud to give it an address, the Service stays Progressing. */
const slowFiles = (serviceType: "LoadBalancer" | "ClusterIP"): Record<string, string> => ({
  [`apps/${SLOW}/service.yaml`]: `apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  type: ${serviceType}\n  ports: [{ port: 80 }]\n  selector: { app: front }\n`,
  [`apps/${SLOW}/after.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\n  annotations: { argocd.argoproj.io/sync-wave: "1" }\ndata:\n  step: two\n`,
});

/** Commits the fleet's main branch and has the hub generate the deploy branch; returns its head. */
async function publish(files: Record<string, string>): Promise<string> {
  await fleet.writeBranches([{ branch: "main", files: { "generators/apps.yaml": GENERATOR(fleet.url), ...files }, message: "change the fleet" }], {
    author,
    now: new Date(),
  });
  const run = await generateAndWait((method, path) => hub.api(method, path));
  assert.deepEqual(run.errors, [], JSON.stringify(run));
  const head = (await fleet.remoteBranches(`radial/clusters/${CLUSTER}`)).get(`radial/clusters/${CLUSTER}`);
  assert.ok(head, "the hub wrote the deploy branch");
  return head;
}

const fleetFiles = (colors: Record<string, string>, slow: "LoadBalancer" | "ClusterIP") =>
  OTHERS.reduce<Record<string, string>>((files, app) => ({ ...files, ...webFiles(app, colors[app] ?? "blue") }), slowFiles(slow));

const status = async (): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${CLUSTER}/status`));
const byName = (s: ClusterStatus) => new Map<string, ApplicationStatus>(s.applications.map((a) => [a.name, a]));
const converged = (app: ApplicationStatus | undefined, revision: string) => app?.revision === revision && app.sync === "Synced" && app.health === "Healthy";

/** An object as kubectl reads it, with a ConfigMap's data; null when there is none. */
async function get(args: string[]): Promise<(KubeObject & { data?: Record<string, string> }) | null> {
  const out = await kubectl(kube, ["get", ...args, "-o", "json", "--ignore-not-found"]);
  return out.trim() ? (JSON.parse(out) as KubeObject & { data?: Record<string, string> }) : null;
}
const color = async (app: string): Promise<string | null> => (await get(["-n", app, "configmap", "config"]))?.data?.color ?? null;
const healthz = async () => (await fetch(`${running!.url}/healthz`)).status;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What before() started, stopped in reverse order by after(), however far before() got. */
const started: (() => Promise<unknown>)[] = [];

before(
  async () => {
    await installKubernetes();
    scratch = await mkdtemp(join(tmpdir(), "radial-agent-slow-"));
    started.push(() => rm(scratch, { recursive: true, force: true }));
    [kube, git] = await Promise.all([startCluster(), startGitServer()]);
    started.push(
      () => kube.stop(),
      () => git.stop(),
    );
    const url = await git.createRepo("fleet");
    fleet = new GitRepository({ url, dir: join(scratch, "owner") });
    hub = await restartableHub({ RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false" });
    started.push(() => hub.close());
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  await running?.stop();
  for (const stop of started.reverse()) await stop();
  if (Object.keys(timings).length > 0) console.log(`slow application timings: ${JSON.stringify(timings)}`);
});

test(
  "while one application's wave never turns healthy, every other application converges, takes new revisions and is healed, and the agent stays live",
  { timeout: 8 * 60_000 },
  async () => {
    const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: CLUSTER, labels: { env: "test" } }));
    const first = await publish(fleetFiles({}, "LoadBalancer"));
    const config = AgentConfig.parse({
      hubUrl: hub.url,
      cluster: CLUSTER,
      token,
      repoUrl: fleet.url,
      pollIntervalSeconds: 5,
      heartbeatSeconds: 5,
      dataDir: join(scratch, "agent-data"),
      metricsPort: await freePort(),
    });
    const logger = new Logger({ serviceName: "radial-agent-test", logLevel: "SILENT" });
    const connection = await loadKubeConfig({ kubeconfig: kube.kubeconfig });
    running = await composeAgent({
      config,
      logger,
      connection,
      token: () => token,
      host: "127.0.0.1",
      wedgedAfterMs: WEDGED_AFTER_MS,
      waves: { pollIntervalMs: 200 },
    });
    const startedAt = Date.now();
    void running.agent.start();

    // 1. The slow application is reported waiting in its first wave; every other one converges meanwhile.
    await waitFor(
      "every other application Synced and Healthy at the first revision",
      async () => {
        const apps = byName(await status());
        return OTHERS.every((name) => converged(apps.get(name), first));
      },
      WAIT,
    );
    timings.othersConverged = seconds(Date.now() - startedAt);
    await waitFor("the slow application reported waiting on its wave", async () => (byName(await status()).get(SLOW)?.message ?? "").includes(WAITING), WAIT);
    const slow = byName(await status()).get(SLOW)!;
    assert.equal(slow.sync, "OutOfSync");
    assert.equal(slow.health, "Progressing");
    assert.ok(await get(["-n", SLOW, "service", "front"]), "wave 0 is applied");
    assert.equal(await get(["-n", SLOW, "configmap", "after"]), null, "wave 1 waits for wave 0");
    for (const app of OTHERS) assert.equal(await color(app), "blue");

    // 2. Live although the slow sync has waited longer than the wedge limit: waiting on health is progress.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 2 * WEDGED_AFTER_MS - Date.now())));
    assert.equal(await healthz(), 200, running.agent.healthy().message);

    // 3. A new revision for another application is applied while the slow one still waits.
    const published = Date.now();
    const second = await publish(fleetFiles({ "web-03": "red" }, "LoadBalancer"));
    await waitFor(
      "the new revision applied and reported",
      async () => (await color("web-03")) === "red" && converged(byName(await status()).get("web-03"), second),
      WAIT,
    );
    timings.newRevisionApplied = seconds(Date.now() - published);

    // 4. Drift on another application is healed while the slow one still waits.
    const edited = Date.now();
    await kubectl(kube, ["-n", "web-05", "patch", "configmap", "config", "--type=merge", "-p", '{"data":{"color":"hacked"}}']);
    await waitFor(
      "the drift healed and reported",
      async () => (await color("web-05")) === "blue" && (await status()).driftEvents.some((e) => e.application === "web-05" && e.action === "Healed"),
      WAIT,
    );
    timings.driftHealed = seconds(Date.now() - edited);
    assert.equal(await get(["-n", SLOW, "configmap", "after"]), null, "the slow application still waits");
    assert.ok(
      byName(await status())
        .get(SLOW)
        ?.message?.includes(WAITING),
      "the slow application still waits",
    );
    timings.slowWaitedAtLeast = seconds(Date.now() - startedAt);
    assert.equal(await healthz(), 200, running.agent.healthy().message);

    // 5. A fix for the slow application ends its wait at once (the wave timeout is minutes away) and it converges.
    const fixed = Date.now();
    const third = await publish(fleetFiles({ "web-03": "red" }, "ClusterIP"));
    await waitFor("the slow application converged", async () => converged(byName(await status()).get(SLOW), third), WAIT);
    timings.slowFixedConverged = seconds(Date.now() - fixed);
    assert.equal((await get(["-n", SLOW, "configmap", "after"]))?.data?.step, "two");
    assert.equal(await healthz(), 200);
    // The stuck sync ended early, as a failure; every other sync succeeded.
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    assert.match(metrics, /^radial_agent_sync_duration_seconds_count\{result="failure"\} 1$/m);
    assert.match(metrics, /^radial_agent_sync_duration_seconds_count\{result="success"\} [1-9]\d+$/m);

    const stopping = Date.now();
    await running.stop();
    running = undefined;
    timings.stopped = seconds(Date.now() - stopping);
  },
);
