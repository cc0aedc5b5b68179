// Rebuild benchmark, on the engines the tests use (kube-apiserver + KWOK, git http-backend, the hub):
// one cluster's deploy branch holds --apps applications (default 20) of 25 objects each, a mix of
// kinds in two sync waves. The floor: `kubectl apply --server-side` of the same hydrated manifests
// onto an empty cluster, then waiting for the same readiness (every Deployment Available). The
// rebuild: POST /v1/clusters/bench/rebuild, its bootstrap manifest applied onto another empty
// cluster, `radial agent` started with the token from it, until the hub records Converged. Prints
// each phase's duration, rebuild → converged and bootstrap applied → converged, and their ratio to
// the floor (goal: at most 1.5x).
//
//   npm run bench:rebuild [-- --apps 20 --output table|json]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { APPLICATION_FILE, MANIFESTS_FILE } from "../contract/deploy-branch.js";
import { RebuildList, RebuildResponse, TERMINAL_REBUILD_PHASES, type Rebuild } from "../contract/rebuild.js";
import { GitRepository } from "../lambdas/adapters/git/repository.js";
import { spawnAgent } from "../test/agent/runtime/agent-process.js";
import { startGitServer } from "../test/engines/git-server.js";
import { kubectl, startCluster } from "../test/engines/kubernetes.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { parseBenchOptions } from "./lib/options.js";
import { formatNumber, formatRatio, formatTable } from "./lib/table.js";

const CLUSTER = "bench";
const progress = (text: string) => process.stderr.write(`[bench:rebuild] ${text}\n`);
const author = { name: "Radial Bench", email: "bench@radial.invalid" };

/** One application's 25 objects: wave 0 holds configuration and RBAC, wave 1 the workloads that use them. */
const MIX: [kind: string, count: number, wave: string][] = [
  ["ConfigMap", 8, "0"],
  ["Secret", 4, "0"],
  ["ServiceAccount", 3, "0"],
  ["Role", 3, "0"],
  ["RoleBinding", 3, "0"],
  ["Deployment", 2, "1"],
  ["Service", 2, "1"],
];

function object(kind: string, namespace: string, name: string, wave: string): Record<string, unknown> {
  const metadata = { name, namespace, annotations: { "argocd.argoproj.io/sync-wave": wave } };
  const pod = { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] } };
  const body: Record<string, Record<string, unknown>> = {
    ConfigMap: { apiVersion: "v1", data: { "app.properties": `name=${name}\nlevel=info\n` } },
    Secret: { apiVersion: "v1", type: "Opaque", stringData: { password: `${name}-secret` } },
    ServiceAccount: { apiVersion: "v1" },
    Role: { apiVersion: "rbac.authorization.k8s.io/v1", rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] },
    RoleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: name.replace("rolebinding", "role") },
      subjects: [{ kind: "ServiceAccount", name: name.replace("rolebinding", "serviceaccount"), namespace }],
    },
    Deployment: { apiVersion: "apps/v1", spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: pod } },
    Service: { apiVersion: "v1", spec: { selector: { app: name.replace("service", "deployment") }, ports: [{ port: 80 }] } },
  };
  return { ...body[kind], kind, metadata };
}

function applicationObjects(namespace: string): Record<string, unknown>[] {
  return MIX.flatMap(([kind, count, wave]) => Array.from({ length: count }, (_, i) => object(kind, namespace, `${kind.toLowerCase()}-${i}`, wave)));
}

const yaml = (objects: Record<string, unknown>[]) => objects.map((o) => stringify(o)).join("---\n");

/** The deploy branch the hub would write: each application's Application and hydrated manifests. */
function deployBranch(apps: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const app of apps) {
    const application = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: app },
      spec: {
        project: "default",
        source: { repoURL: "https://git.example.com/fleet.git", targetRevision: "HEAD", path: `apps/${app}` },
        destination: { name: CLUSTER, namespace: app },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
      },
    };
    files[`clusters/${CLUSTER}/${app}/${APPLICATION_FILE}`] = stringify(application);
    files[`clusters/${CLUSTER}/${app}/${MANIFESTS_FILE}`] = yaml(applicationObjects(app));
  }
  return files;
}

/** The floor: every object applied at once by kubectl onto an empty cluster, then every Deployment Available. */
async function floor(apps: string[]): Promise<number> {
  const kube = await startCluster();
  try {
    const namespaces = apps.map((app) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: app } }));
    const started = performance.now();
    await kubectl(kube, ["apply", "--server-side", "-f", "-"], yaml([...namespaces, ...apps.flatMap(applicationObjects)]));
    await kubectl(kube, ["wait", "--for=condition=Available", "deployment", "--all", "-A", "--timeout=900s"]);
    return (performance.now() - started) / 1000;
  } finally {
    await kube.stop();
  }
}

async function latest(hub: TestHub): Promise<Rebuild> {
  return RebuildList.parse((await hub.api("GET", `/v1/clusters/${CLUSTER}/rebuilds`)).body).items[0]!;
}

/** The rebuild onto an empty cluster, as an operator runs it; returns the rebuild as it ended and when its bootstrap was applied. */
async function rebuild(hub: TestHub, repoUrl: string, scratch: string): Promise<{ ended: Rebuild; bootstrapAppliedAt: number }> {
  const kube = await startCluster();
  try {
    const answer = RebuildResponse.parse((await hub.api("POST", `/v1/clusters/${CLUSTER}/rebuild`, { body: { reason: "bench", timeoutSeconds: 900 } })).body);
    await kubectl(kube, ["apply", "--server-side", "-f", "-"], answer.bootstrap);
    const bootstrapAppliedAt = Date.now();
    const tokenFile = join(scratch, "token");
    await writeFile(tokenFile, `${answer.token}\n`);
    const agent = await spawnAgent({ kube, cluster: CLUSTER, hubUrl: hub.url, repoUrl, tokenFile, scratch });
    try {
      for (;;) {
        const current = await latest(hub);
        if (TERMINAL_REBUILD_PHASES.includes(current.phase)) return { ended: current, bootstrapAppliedAt };
        if (agent.child.exitCode !== null) throw new Error(`the agent exited: ${agent.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      agent.child.kill("SIGTERM");
    }
  } finally {
    await kube.stop();
  }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), { apps: { default: 20, max: 200 } });
  const apps = Array.from({ length: options.apps }, (_, i) => `app-${String(i + 1).padStart(2, "0")}`);
  const scratch = await mkdtemp(join(tmpdir(), "radial-bench-rebuild-"));
  const git = await startGitServer();
  let hub: TestHub | undefined;
  try {
    const url = await git.createRepo("fleet");
    hub = await startTestHub({
      env: { RADIAL_REPO_URL: url, RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GENERATE_INTERVAL: "0" },
    });
    await hub.api("POST", "/v1/clusters", { body: { name: CLUSTER } });
    const writer = new GitRepository({ url, dir: join(scratch, "git") });
    await writer.writeBranches([{ branch: `radial/clusters/${CLUSTER}`, files: deployBranch(apps), message: "hydrated" }], { author, now: new Date() });
    progress(`${apps.length} applications x 25 objects; the floor (kubectl apply --server-side, then every Deployment Available)`);
    const floorSeconds = await floor(apps);
    progress(`floor ${floorSeconds.toFixed(1)} s; now the rebuild onto an empty cluster`);
    const { ended, bootstrapAppliedAt } = await rebuild(hub, url, scratch);
    report(ended, floorSeconds, bootstrapAppliedAt, options.output);
  } finally {
    await hub?.stop();
    await git.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

function report(ended: Rebuild, floorSeconds: number, bootstrapAppliedAt: number, output: "table" | "json"): void {
  const convergedAt = Date.parse(ended.finishedAt ?? new Date().toISOString());
  const total = ended.totalSeconds ?? Number.NaN;
  const fromBootstrap = (convergedAt - bootstrapAppliedAt) / 1000;
  const figures = {
    phase: ended.phase,
    phases: ended.phases.map((p) => ({ phase: p.phase, seconds: p.seconds })),
    floorSeconds,
    rebuildToConvergedSeconds: total,
    bootstrapAppliedToConvergedSeconds: fromBootstrap,
    ratio: total / floorSeconds,
    ratioFromBootstrap: fromBootstrap / floorSeconds,
  };
  if (output === "json") return void process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  const rows = [
    ...ended.phases.map((p) => [`  ${p.phase}`, p.seconds === null ? "-" : formatNumber(p.seconds)]),
    ["floor: kubectl apply --server-side + readiness", formatNumber(floorSeconds)],
    ["rebuild -> converged", formatNumber(total)],
    ["bootstrap applied -> converged", formatNumber(fromBootstrap)],
    ["ratio rebuild / floor (goal <= 1.5x)", formatRatio(figures.ratio)],
    ["ratio bootstrap applied -> converged / floor", formatRatio(figures.ratioFromBootstrap)],
  ];
  process.stdout.write(`${formatTable([`rebuild of ${CLUSTER}: ${ended.phase}`, "seconds"], rows)}\n`);
}

await main();
