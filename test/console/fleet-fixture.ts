// The console's test fleet: a hub fed by real agents on real KWOK clusters, each cluster showing one
// truth. Every agent needs its own apiserver (an agent owns its namespace's inventory ConfigMaps and
// watches every object carrying its label), so the four truths take four clusters; the stale one's
// agent and apiserver are stopped once it has reported, leaving three running for the browser.
// Applications are named `<cluster>-<app>` (Application names are unique in a set, as in Argo CD):
//   alpha    healthy: alpha-web (a ConfigMap in wave -1, a Deployment KWOK runs) Synced and Healthy
//   bravo    degraded: bravo-web, and bravo-worker, a Deployment no node can take, past its progress deadline
//   charlie  drifted: charlie-web, and charlie-settings (automated, no selfHeal) whose ConfigMap kubectl edits and
//            nobody heals (the agent reports the drift, and the application OutOfSync, as Argo CD does)
//   delta    stale: delta-web reported Synced and Healthy, then its agent stopped
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterStatus, RegisterClusterResponse } from "../../contract/index.js";
import { spawnAgent, type AgentProcess } from "../agent/runtime/agent-process.js";
import { startGitServer } from "../engines/git-server.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { waitFor } from "../engines/process.js";
import { generateAndWait } from "../hub/generation-runs.js";
import { startConsoleHub, type ConsoleHub } from "./console-hub.js";

export const CLUSTERS = {
  alpha: { env: "prod", tier: "web" },
  bravo: { env: "prod", role: "worker" },
  charlie: { env: "staging", drift: "manual" },
  delta: { env: "prod", tier: "edge" },
} as const;
export type ClusterName = keyof typeof CLUSTERS;

/** The hub calls a cluster stale after 3 poll intervals: 30 s, well above the agents' 5 s heartbeat on a busy machine. */
const POLL_SECONDS = "10";
const WAIT = { timeoutMs: 240_000, intervalMs: 1000 };

function applicationSet(name: string, url: string, selector: string, policy: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${name}
spec:
  generators:
    - clusters: ${selector}
  template:
    metadata:
      name: '{{name}}-${name}'
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/${name} }
      destination: { name: '{{name}}', namespace: ${name} }
      syncPolicy:
        automated: ${policy}
        syncOptions: [CreateNamespace=true]
`;
}

function deployment(name: string, extra: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
${extra}  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: main, image: registry.invalid/${name}:1 }]
`;
}

export function fleetFiles(url: string): Record<string, string> {
  return {
    "generators/web.yaml": applicationSet("web", url, "{}", "{ prune: true, selfHeal: true }"),
    "generators/worker.yaml": applicationSet("worker", url, "{ selector: { matchLabels: { role: worker } } }", "{ prune: true, selfHeal: true }"),
    "generators/settings.yaml": applicationSet("settings", url, "{ selector: { matchLabels: { drift: manual } } }", "{ prune: true }"),
    "apps/web/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  annotations: { argocd.argoproj.io/sync-wave: "-1" }\ndata:\n  greeting: hello\n`,
    "apps/web/deployment.yaml": deployment("web", ""),
    // No node has this label, so the pod stays Pending and the Deployment exceeds its deadline: Degraded.
    "apps/worker/deployment.yaml": deployment("worker", "  progressDeadlineSeconds: 10\n").replace(
      "    spec:\n",
      '    spec:\n      nodeSelector: { radial.dev/no-such-node: "true" }\n',
    ),
    "apps/settings/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n`,
  };
}

export interface ConsoleFleet {
  hub: ConsoleHub;
  /** The fleet repo, and a folder the test may use. */
  repoUrl: string;
  scratch: string;
  kube: Record<ClusterName, Cluster>;
  agents: Partial<Record<ClusterName, AgentProcess>>;
  status(name: ClusterName): Promise<ClusterStatus>;
  stop(): Promise<void>;
}

async function startAgents(fleet: ConsoleFleet, repoUrl: string, scratch: string): Promise<void> {
  for (const name of Object.keys(CLUSTERS) as ClusterName[]) {
    const { token } = RegisterClusterResponse.parse(await fleet.hub.api("POST", "/v1/clusters", { name, labels: CLUSTERS[name] }));
    const dir = join(scratch, name);
    await mkdir(dir);
    const tokenFile = join(scratch, `${name}.token`);
    await writeFile(tokenFile, `${token}\n`);
    fleet.agents[name] = await spawnAgent({ kube: fleet.kube[name], cluster: name, hubUrl: fleet.hub.url, repoUrl, tokenFile, scratch: dir });
  }
}

const app = (status: ClusterStatus, name: string) => status.applications.find((a) => a.name === `${status.cluster}-${name}`);

/** Waits for each cluster's truth, in the order the clusters reach it. */
async function reachTruths(fleet: ConsoleFleet): Promise<void> {
  const synced = (s: ClusterStatus, name: string) => app(s, name)?.sync === "Synced" && app(s, name)?.health === "Healthy";
  await waitFor("delta reports web Synced and Healthy", async () => synced(await fleet.status("delta"), "web"), WAIT);
  // Stopped as an operator's lost cluster: the agent (a last report on SIGTERM), then its apiserver.
  const delta = fleet.agents.delta!;
  delta.child.kill("SIGTERM");
  await new Promise((resolve) => delta.child.once("exit", resolve));
  await fleet.kube.delta.stop();
  await waitFor("alpha reports web Synced and Healthy", async () => synced(await fleet.status("alpha"), "web"), WAIT);
  await waitFor("bravo reports worker Degraded", async () => app(await fleet.status("bravo"), "worker")?.health === "Degraded", WAIT);
  await waitFor("charlie reports settings Synced", async () => app(await fleet.status("charlie"), "settings")?.sync === "Synced", WAIT);
  await kubectl(fleet.kube.charlie, ["-n", "settings", "patch", "configmap", "settings", "--type=merge", "-p", '{"data":{"color":"hacked"}}']);
  // Without selfHeal the edit stays: the agent reports it as drift (fields, manager) and leaves it.
  await waitFor(
    "charlie reports the drift",
    async () => (await fleet.status("charlie")).driftEvents.some((e) => e.application === "charlie-settings" && e.action === "Detected"),
    WAIT,
  );
  await waitFor("charlie reports settings OutOfSync", async () => app(await fleet.status("charlie"), "settings")?.sync === "OutOfSync", WAIT);
  await waitFor("delta turns stale", async () => (await fleet.status("delta")).stale, WAIT);
}

/** Starts the engines, the hub and the agents, and returns once all four truths hold. */
export async function startConsoleFleet(): Promise<ConsoleFleet> {
  await installKubernetes();
  const scratch = await mkdtemp(join(tmpdir(), "radial-console-fleet-"));
  const names = Object.keys(CLUSTERS) as ClusterName[];
  const [git, ...kubes] = await Promise.all([startGitServer(), ...names.map((name) => startCluster({ name: `console-${name}` }))]);
  const kube = Object.fromEntries(names.map((name, i) => [name, kubes[i]!])) as Record<ClusterName, Cluster>;
  const repoUrl = `${git.url}/fleet.git`;
  // Generation runs only when the test asks, so a dry run can show a change waiting in Git.
  const hub = await startConsoleHub({
    RADIAL_REPO_URL: repoUrl,
    RADIAL_POLL_INTERVAL_SECONDS: POLL_SECONDS,
    RADIAL_GENERATE_ON_CHANGE: "false",
    RADIAL_GENERATE_INTERVAL: "0",
    RADIAL_SOURCE_POLL_INTERVAL: "0",
  });
  const fleet: ConsoleFleet = {
    hub,
    repoUrl,
    scratch,
    kube,
    agents: {},
    status: async (name) => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${name}/status`)),
    async stop() {
      for (const agent of Object.values(this.agents)) if (agent.child.exitCode === null) agent.child.kill("SIGKILL");
      await Promise.all([hub.stop(), git.stop(), ...Object.values(kube).map((cluster) => cluster.stop())]);
      await rm(scratch, { recursive: true, force: true });
    },
  };
  try {
    await git.createRepo("fleet", { seed: fleetFiles(repoUrl), branch: "main" });
    await startAgents(fleet, repoUrl, scratch);
    const run = await generateAndWait((method, path) => hub.api(method, path));
    if (run.errors.length > 0) throw new Error(`generation failed: ${JSON.stringify(run.errors)}`);
    await reachTruths(fleet);
    return fleet;
  } catch (error) {
    const outputs = Object.entries(fleet.agents).map(([name, agent]) => `--- agent ${name}\n${agent.output().slice(-3000)}`);
    await fleet.stop();
    throw new Error(`${(error as Error).message}\n${outputs.join("\n")}`, { cause: error });
  }
}
