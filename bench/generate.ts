// Generation benchmark: a fleet of clusters, ApplicationSets with cluster generators and label
// selectors, small plain-YAML apps; evaluates, hydrates and writes one deploy branch per cluster to
// a real git server (git http-backend over smart HTTP), then measures a run after relabeling one
// cluster, what a fresh hub process (a cold Lambda container: empty store, empty caches) pays for
// its first run over the unchanged fleet, what an agent fetches for its own branch, and last a
// relabel run again once the server packed its refs (as git gc would). Peers run
// side by side: native `git` for the push, the fresh process's fetch of every deploy head and the
// agent's fetch, isomorphic-git's one-ref-per-request push for the old write path.
//
//   npx tsx bench/generate.ts [--clusters 10000] [--sets 20] [--sample 30] [--output table|json]
//
// What is measured: runGeneration end to end (source fetch, deploy heads, evaluation, hydration,
// trees, pushes) with the inventory given as an in-memory list; the inventory's own speed is
// bench/inventory's. Evaluation alone is timed separately with the same functions the run calls.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import git from "isomorphic-git";
import nodeHttp from "isomorphic-git/http/node";
import { parseApplicationSetFile } from "../lambdas/generate/application-set.js";
import { GenerationCaches } from "../lambdas/generate/caches.js";
import { evaluateApplicationSet, type EvaluationCaches } from "../lambdas/generate/evaluate.js";
import { inventoryView } from "../lambdas/generate/inventory-view.js";
import { KustomizeBinary } from "../lambdas/adapters/kustomize/binary.js";
import type { InventoryCluster } from "../lambdas/generate/params.js";
import { DEPLOY_BRANCH_PREFIX } from "../contract/deploy-branch.js";
import { runGeneration, type GenerationDeps, type GenerationResult } from "../lambdas/generate/pipeline/run.js";
import { GitRepository } from "../lambdas/adapters/git/repository.js";
import { bareGit, startGitServer, type GitServer } from "../test/engines/git-server.js";
import { installKustomize } from "../test/engines/kustomize.js";
import { startByteProxy } from "./lib/byte-proxy.js";
import { makeFleet } from "./lib/fleet.js";
import { startMeter, type Usage } from "./lib/meter.js";
import { parseBenchOptions, type OutputFormat } from "./lib/options.js";
import { formatNumber, formatRatio, formatTable } from "./lib/table.js";

const execFileAsync = promisify(execFile);

interface Options {
  clusters: number;
  sets: number;
  /** Branches pushed with isomorphic-git one ref at a time, to extrapolate the old write path. */
  sample: number;
  output: OutputFormat;
}

function parseOptions(argv: string[]): Options {
  return parseBenchOptions(argv, { clusters: { default: 10_000 }, sets: { default: 20, max: SELECTORS.length }, sample: { default: 30 } });
}

// ---- the fleet repo -------------------------------------------------------------------------

/** One selector per ApplicationSet, from fleet-wide to narrow, in Argo CD's LabelSelector form. */
const SELECTORS = [
  "matchLabels: {env: prod}",
  "matchExpressions: [{key: env, operator: In, values: [prod, staging]}]",
  "matchLabels: {tier: web}",
  "matchLabels: {tier: api}",
  "matchExpressions: [{key: tier, operator: NotIn, values: [batch, data]}]",
  "matchExpressions: [{key: canary, operator: DoesNotExist}]",
  "matchLabels: {canary: 'true'}",
  "matchExpressions: [{key: region, operator: In, values: [us-east-1, us-east-2, us-west-2]}]",
  "matchExpressions: [{key: region, operator: In, values: [eu-west-1, eu-central-1]}]",
  "matchLabels: {env: dev}",
  "matchExpressions: [{key: env, operator: Exists}]",
  "matchLabels: {env: staging}",
  "matchLabels: {team: team-01}",
  "matchLabels: {team: team-02}",
  "matchLabels: {team: team-03}",
  "matchLabels: {team: team-04}",
  "matchLabels: {team: team-05}",
  "matchLabels: {env: prod, tier: web}",
  "matchExpressions: [{key: env, operator: In, values: [prod]}, {key: canary, operator: DoesNotExist}]",
  "matchLabels: {tier: data}",
];

const appName = (i: number) => `app-${String(i).padStart(2, "0")}`;

function applicationSet(i: number, url: string): string {
  const app = appName(i);
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${app}
spec:
  generators:
    - clusters:
        selector:
          ${SELECTORS[i]}
  template:
    metadata:
      name: '${app}-{{name}}'
      labels:
        env: '{{metadata.labels.env}}'
      finalizers: [resources-finalizer.argocd.argoproj.io]
    spec:
      project: default
      source:
        repoURL: ${url}
        targetRevision: HEAD
        path: apps/${app}
      destination:
        name: '{{name}}'
        namespace: ${app}
      syncPolicy:
        automated: {prune: true, selfHeal: true}
`;
}

function appFiles(i: number): Record<string, string> {
  const app = appName(i);
  return {
    [`apps/${app}/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${app}}
  template:
    metadata:
      labels: {app: ${app}}
    spec:
      containers:
        - name: ${app}
          image: registry.example.com/${app}:1.${i}.0
          ports: [{containerPort: 8080}]
`,
    [`apps/${app}/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: ${app}
spec:
  selector: {app: ${app}}
  ports: [{port: 80, targetPort: 8080}]
`,
    [`apps/${app}/configmap.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "a,b,c"
`,
  };
}

function fleetRepo(url: string, sets: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < sets; i++) Object.assign(files, { [`generators/${appName(i)}.yaml`]: applicationSet(i, url) }, appFiles(i));
  return files;
}

// ---- the phases -----------------------------------------------------------------------------

interface RunFigures {
  usage: Usage;
  /** Time spent inside GitRepository.writeBranches (trees, commits, pack, push). */
  writeMs: number;
  commits: number;
  applications: number;
}

const progress = (text: string) => process.stderr.write(`[generate] ${text}\n`);

function commitsOf(result: GenerationResult): number {
  return result.clusters.filter((c) => c.commit !== null).length;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`benchmark run is wrong: ${message}`);
}

/** The hub's dependencies, fleet and deploy branches in the same repository; a new cache object, as a new hub process has. */
function hubDeps(hub: GitRepository, kustomize: string): GenerationDeps {
  return {
    caches: new GenerationCaches(),
    fleet: hub,
    deploy: hub,
    sourceBranch: "main",
    kustomize: KustomizeBinary(kustomize),
    clock: () => new Date(),
    author: { name: "Radial Bench", email: "bench@radial.invalid" },
  };
}

/** Adds up the time spent inside one of `hub`'s methods (`timer.ms`, reset by the caller). */
function timeMethod(hub: GitRepository, method: "writeBranches" | "ensureCommits"): { ms: number } {
  const timer = { ms: 0 };
  const original = (hub[method] as (...args: unknown[]) => Promise<unknown>).bind(hub);
  Object.assign(hub, {
    [method]: async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        timer.ms += performance.now() - started;
      }
    },
  });
  return timer;
}

async function timedRun(
  clusters: InventoryCluster[],
  deps: GenerationDeps,
  writeTimer: { ms: number },
): Promise<{ result: GenerationResult; figures: RunFigures }> {
  writeTimer.ms = 0;
  const meter = startMeter();
  const result = await runGeneration({ clusters, dryRun: false, force: false }, deps);
  const usage = meter.stop();
  check(result.errors.length === 0, `errors: ${JSON.stringify(result.errors.slice(0, 3))}`);
  check(result.blocked === undefined, `blocked: ${result.blocked?.message}`);
  const applications = result.clusters.reduce((sum, c) => sum + c.added.length + c.changed.length + c.removed.length, 0);
  return { result, figures: { usage, writeMs: writeTimer.ms, commits: commitsOf(result), applications } };
}

/** Relabels cluster `index` into another environment and runs: only its branch may change. */
async function relabelRun(
  clusters: InventoryCluster[],
  index: number,
  deps: GenerationDeps,
  writeTimer: { ms: number },
): Promise<{ clusters: InventoryCluster[]; figures: RunFigures }> {
  const target = clusters[index]!;
  const env = target.labels.env === "prod" ? "dev" : "prod";
  const relabeled = clusters.map((cluster, i) => (i === index ? { ...target, labels: { ...target.labels, env } } : cluster));
  progress(`relabel ${target.name} env=${env}`);
  const { result, figures } = await timedRun(relabeled, deps, writeTimer);
  const changed = result.clusters.filter((c) => c.commit !== null).map((c) => c.name);
  check(changed.length === 1 && changed[0] === target.name, `the relabel run committed ${JSON.stringify(changed.slice(0, 5))}`);
  return { clusters: relabeled, figures };
}

/** The same functions the run calls, over the whole fleet, with nothing else in the timing; into the hub's caches, which the first run then finds filled. */
async function timeEvaluation(
  files: Record<string, string>,
  clusters: InventoryCluster[],
  reader: GitRepository,
  caches: EvaluationCaches,
): Promise<{ ms: number; applications: number }> {
  const sets = Object.entries(files)
    .filter(([path]) => path.startsWith("generators/"))
    .flatMap(([, text]) => parseApplicationSetFile(text));
  const started = performance.now();
  const inventory = inventoryView(clusters);
  let applications = 0;
  for (const set of sets) {
    const evaluation = await evaluateApplicationSet(set, { inventory, repo: reader, revision: () => "HEAD", caches });
    check(evaluation.complete && evaluation.problems.length === 0, `evaluation of ${set.metadata.name}: ${JSON.stringify(evaluation.problems.slice(0, 2))}`);
    applications += evaluation.applications.length;
  }
  return { ms: performance.now() - started, applications };
}

const GIT_ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
/** Refspecs per native `git push`, as many as Radial sends per request. */
const NATIVE_PUSH_BATCH = 1000;

/** Native git pushes the same deploy heads from the hub's store into an empty repo, many refs per push. */
async function nativePush(server: GitServer, store: string, heads: Map<string, string>): Promise<number> {
  const url = await server.createRepo("native");
  const refspecs = [...heads].map(([branch, commit]) => `${commit}:refs/heads/${branch}`);
  const started = performance.now();
  for (let i = 0; i < refspecs.length; i += NATIVE_PUSH_BATCH) {
    await execFileAsync("git", ["--git-dir", store, "push", "--quiet", url, ...refspecs.slice(i, i + NATIVE_PUSH_BATCH)], {
      env: GIT_ENV,
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  return performance.now() - started;
}

/** The old write path: isomorphic-git's push, one ref per request, each listing every remote ref. */
async function isomorphicGitPushPerRef(url: string, store: string, heads: [string, string][]): Promise<number> {
  const started = performance.now();
  for (const [branch, commit] of heads) {
    const local = `refs/bench/${branch}`;
    await git.writeRef({ fs, gitdir: store, ref: local, value: commit, force: true });
    await git.push({ fs, http: nodeHttp, gitdir: store, url, ref: local, remoteRef: `refs/heads/bench/${branch}` });
  }
  return (performance.now() - started) / heads.length;
}

interface FetchFigures {
  bytes: number;
  requests: number;
  ms: number;
}

/** An agent's fetch of its own branch at depth 1, through a byte-counting proxy: Radial's client, then native git. */
async function agentFetch(server: GitServer, branch: string, scratch: string): Promise<{ radial: FetchFigures; native: FetchFigures }> {
  const proxy = await startByteProxy(server.url);
  try {
    const url = `${proxy.url}/fleet.git`;
    const agent = new GitRepository({ url, dir: join(scratch, "agent") });
    let started = performance.now();
    await agent.fetch(branch);
    const radial = { ...pick(proxy.counts()), ms: performance.now() - started };
    proxy.reset();
    const bare = join(scratch, "native-agent");
    await execFileAsync("git", ["init", "--quiet", "--bare", bare], { env: GIT_ENV });
    started = performance.now();
    await execFileAsync("git", ["--git-dir", bare, "fetch", "--quiet", "--depth", "1", url, `refs/heads/${branch}`], { env: GIT_ENV });
    const native = { ...pick(proxy.counts()), ms: performance.now() - started };
    return { radial, native };
  } finally {
    await proxy.stop();
  }
}

interface FreshRun {
  ms: number;
  /** Time spent inside GitRepository.ensureCommits (fetching every deploy head the store lacks). */
  fetchMs: number;
  requests: number;
  bytes: number;
  commits: number;
}

/**
 * The first run of a fresh hub process over the unchanged fleet: this file again in a child process
 * (`--fresh-run`, input on stdin), so no cache of this one (deploy heads, hydrations, evaluations)
 * helps it, with a new store and the same remote.
 */
async function freshProcessRun(input: FreshRunInput): Promise<FreshRun> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--fresh-run"], { stdio: ["pipe", "pipe", "inherit"] });
  const output: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  if (code !== 0) throw new Error(`the fresh-process run exited with ${code}`);
  return JSON.parse(Buffer.concat(output).toString("utf8")) as FreshRun;
}

interface FreshRunInput {
  url: string;
  store: string;
  kustomize: string;
  clusters: InventoryCluster[];
}

/** The child's side of `freshProcessRun`. */
async function freshRun(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as FreshRunInput;
  const hub = new GitRepository({ url: input.url, dir: input.store });
  const fetchTimer = timeMethod(hub, "ensureCommits");
  const { figures } = await timedRun(input.clusters, hubDeps(hub, input.kustomize), { ms: 0 });
  const result: FreshRun = {
    ms: figures.usage.wallMs,
    fetchMs: fetchTimer.ms,
    requests: hub.stats.requests,
    bytes: hub.stats.bytesReceived,
    commits: figures.commits,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Native git fetching every deploy head at depth 1 into an empty repo: one `git fetch`, all refspecs. */
async function nativeFetchAll(server: GitServer, branches: string[], scratch: string): Promise<FetchFigures> {
  const proxy = await startByteProxy(server.url);
  try {
    const bare = join(scratch, "native-fresh");
    await execFileAsync("git", ["init", "--quiet", "--bare", bare], { env: GIT_ENV });
    const refspecs = branches.map((branch) => `refs/heads/${branch}:refs/remotes/origin/${branch}`).join("\n");
    const started = performance.now();
    const child = execFile("git", ["--git-dir", bare, "fetch", "--quiet", "--no-tags", "--depth", "1", "--stdin", `${proxy.url}/fleet.git`], {
      env: GIT_ENV,
      maxBuffer: 64 * 1024 * 1024,
    });
    child.stdin!.end(`${refspecs}\n`);
    await new Promise<void>((resolve, reject) =>
      child.on("error", reject).on("close", (code) => (code === 0 ? resolve() : reject(new Error(`native git fetch exited with ${code}`)))),
    );
    return { ...pick(proxy.counts()), ms: performance.now() - started };
  } finally {
    await proxy.stop();
  }
}

function pick(counts: { requests: number; received: number }): { bytes: number; requests: number } {
  return { bytes: counts.received, requests: counts.requests };
}

// ---- the report -----------------------------------------------------------------------------

interface Row {
  figure: string;
  radial: number | null;
  peer: number | null;
  peerName: string;
}

interface Report {
  options: Options;
  applications: number;
  rows: Row[];
  first: RunFigures;
  relabel: RunFigures;
  /** The same after the server packed its refs, as `git gc` or a host's housekeeping leaves them. */
  relabelPacked: RunFigures;
  fetch: { radial: FetchFigures; native: FetchFigures };
  fresh: { radial: FreshRun; native: FetchFigures };
  peakRssMiB: number;
}

function renderTable(report: Report): string {
  const cell = (value: number | null) => (value === null ? "-" : formatNumber(value));
  const table = formatTable(
    ["figure", "radial", "peer", "ratio (radial/peer)", "peer is"],
    report.rows.map((r) => [
      r.figure,
      cell(r.radial),
      cell(r.peer),
      formatRatio(r.radial === null || r.peer === null || r.peer === 0 ? null : r.radial / r.peer),
      r.peerName,
    ]),
  );
  const o = report.options;
  return [
    `generate: ${o.clusters} clusters, ${o.sets} ApplicationSets (cluster generator + label selector), ${report.applications} Applications of plain YAML;`,
    `git http-backend on loopback; inventory as an in-memory list (its own speed: bench/inventory)`,
    "",
    table,
    "",
    "Argo CD's ApplicationSet controller, for scale (reported by users, not measured here):",
    "  argoproj/argo-cd#9002: 1,296 ApplicationSets / 5,155 Applications, a change took ~30 min to become an Application (one reconcile at a time).",
    "  argoproj/argo-cd#10952: 200 clusters, ~10,000 ApplicationSets: deployments ~20 min, ~2 min with less redundant reconciling; adding or",
    "  deleting a cluster re-reconciled every cluster-generator set.",
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scratch = await mkdtemp(join(tmpdir(), "radial-bench-generate-"));
  const server = await startGitServer();
  try {
    const url = `${server.url}/fleet.git`;
    const files = fleetRepo(url, options.sets);
    await server.createRepo("fleet", { seed: files });
    const clusters: InventoryCluster[] = makeFleet(options.clusters).map(({ name, server: api, labels, annotations }) => ({
      name,
      server: api,
      labels,
      annotations,
    }));
    const hub = new GitRepository({ url, dir: join(scratch, "hub") });
    const writeTimer = timeMethod(hub, "writeBranches");
    const kustomize = await installKustomize();
    const deps = hubDeps(hub, kustomize);

    progress("evaluating the fleet");
    const evaluation = await timeEvaluation(files, clusters, hub, deps.caches.evaluation);
    progress(`evaluated ${evaluation.applications} Applications in ${formatNumber(evaluation.ms)} ms; first run`);
    const first = await timedRun(clusters, deps, writeTimer);
    const withApps = first.result.clusters.filter((c) => c.added.length > 0).length;
    check(first.figures.commits === withApps, `first run committed ${first.figures.commits} branches, ${withApps} clusters have Applications`);
    progress(`first run: ${first.figures.commits} branches in ${formatNumber(first.figures.usage.wallMs)} ms; unchanged run`);
    const noop = await timedRun(clusters, deps, writeTimer);
    check(noop.figures.commits === 0, `an unchanged run committed ${noop.figures.commits} branches`);

    const target = clusters[0]!;
    const { clusters: relabeled, figures: relabel } = await relabelRun(clusters, 0, deps, writeTimer);

    progress("fresh process, unchanged fleet: first run");
    const freshRadial = await freshProcessRun({ url, store: join(scratch, "fresh"), kustomize, clusters: relabeled });
    check(freshRadial.commits === 0, `a fresh process's run over the unchanged fleet committed ${freshRadial.commits} branches`);
    const heads = await hub.remoteBranches(DEPLOY_BRANCH_PREFIX);
    progress(`native git fetch --depth 1 of ${heads.size} deploy heads`);
    const fresh = { radial: freshRadial, native: await nativeFetchAll(server, [...heads.keys()], scratch) };

    progress("agent fetch of one branch: radial, then native git");
    const fetch = await agentFetch(server, `${DEPLOY_BRANCH_PREFIX}${target.name}`, scratch);

    progress(`native git push of ${heads.size} deploy heads into an empty repo`);
    const nativeMs = await nativePush(server, hub.dir, heads);
    progress(`isomorphic-git push, one ref per request, ${options.sample} branches`);
    const perRefMs = await isomorphicGitPushPerRef(url, hub.dir, [...heads].slice(0, options.sample));
    // Last, so that every figure above is taken with the refs as the pushes left them (loose files).
    progress("the server packs its refs (git pack-refs --all, as git gc and a host's housekeeping do)");
    await bareGit(server, "fleet", "pack-refs", "--all");
    const { figures: relabelPacked } = await relabelRun(relabeled, 1, deps, writeTimer);

    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const rows: Row[] = [
      { figure: "whole-fleet evaluation (ms)", radial: evaluation.ms, peer: null, peerName: "goal < 10,000" },
      { figure: "first run, end to end (ms)", radial: first.figures.usage.wallMs, peer: null, peerName: "" },
      {
        figure: "  of which writing branches (ms)",
        radial: first.figures.writeMs,
        peer: nativeMs,
        peerName: `native git push, ${NATIVE_PUSH_BATCH} refs per push`,
      },
      {
        figure: "  writing, old path, extrapolated (ms)",
        radial: first.figures.writeMs,
        peer: perRefMs * heads.size,
        peerName: `isomorphic-git push per ref (${options.sample} sampled)`,
      },
      { figure: "  branches written", radial: first.figures.commits, peer: null, peerName: "" },
      { figure: "  node CPU (cores)", radial: first.figures.usage.nodeCores, peer: null, peerName: "" },
      { figure: "unchanged run, end to end (ms)", radial: noop.figures.usage.wallMs, peer: null, peerName: "" },
      { figure: "one-relabel run, end to end (ms)", radial: relabel.usage.wallMs, peer: null, peerName: "goal < 1,000" },
      { figure: "  branches written", radial: relabel.commits, peer: null, peerName: "" },
      { figure: "  the same, server refs packed (ms)", radial: relabelPacked.usage.wallMs, peer: null, peerName: "after git pack-refs --all" },
      {
        figure: "fresh process, unchanged fleet: first run (ms)",
        radial: fresh.radial.ms,
        peer: fresh.native.ms,
        peerName: "native git fetch --depth 1 of every deploy head",
      },
      { figure: "  of which fetching deploy heads (ms)", radial: fresh.radial.fetchMs, peer: fresh.native.ms, peerName: "native git, one fetch, all refspecs" },
      { figure: "  HTTP requests", radial: fresh.radial.requests, peer: fresh.native.requests, peerName: "native git, one fetch, all refspecs" },
      { figure: "  bytes received", radial: fresh.radial.bytes, peer: fresh.native.bytes, peerName: "native git" },
      { figure: "  branches written", radial: fresh.radial.commits, peer: null, peerName: "" },
      {
        figure: "agent fetch of its branch, depth 1 (bytes)",
        radial: fetch.radial.bytes,
        peer: fetch.native.bytes,
        peerName: "native git fetch --depth 1 (protocol v2)",
      },
      { figure: "  HTTP requests", radial: fetch.radial.requests, peer: fetch.native.requests, peerName: "native git" },
      { figure: "  wall (ms)", radial: fetch.radial.ms, peer: fetch.native.ms, peerName: "native git" },
      { figure: "peak RSS of the hub process (MiB)", radial: peakRssMiB, peer: null, peerName: "" },
    ];
    const report: Report = { options, applications: evaluation.applications, rows, first: first.figures, relabel, relabelPacked, fetch, fresh, peakRssMiB };
    process.stdout.write(`${options.output === "json" ? JSON.stringify(report, null, 2) : renderTable(report)}\n`);
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--fresh-run") await freshRun();
else await main();
