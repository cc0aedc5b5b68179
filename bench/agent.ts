// Agent benchmark, on one real kube-apiserver (+ KWOK), a real git http-backend and the real hub:
//   1. apply N objects of mixed kinds with the agent and with `kubectl apply --server-side -f`
//      (the peer), in fresh namespaces every run, alternating who goes first;
//   2. drift-heal latency over manual edits of managed Deployments (scale) and ConfigMaps (patch),
//      from the edit's response to the benchmark's own watch seeing Git's value again;
//   3. the agent process's resident memory idle and with M managed objects.
//
//   npx tsx bench/agent.ts [--objects 500] [--rounds 3] [--edits 50] [--managed 1000] [--output table|json]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { RegisterClusterResponse } from "../contract/clusters.js";
import { AGENT_NAMESPACE } from "../contract/agent-config.js";
import { GitRepository } from "../lambdas/adapters/git/repository.js";
import { KubeClient } from "../agent/kube/client.js";
import { loadKubeConfig } from "../agent/kube/kubeconfig.js";
import type { KubeObject } from "../agent/kube/object.js";
import { syncApplication, type PresentApplication } from "../agent/sync/sync.js";
import { Application } from "../contract/application.js";
import { startGitServer } from "../test/engines/git-server.js";
import { kubectl, startCluster, type Cluster } from "../test/engines/kubernetes.js";
import { waitFor } from "../test/engines/process.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { agentCommand, rssBytes, startAgentProcess, type AgentCommand, type AgentProcess } from "./agent/agent-process.js";
import { applicationOf, deployBranchFiles, KINDS, mixedObjects, namespacesOf, RUN_LABEL, toYaml } from "./agent/manifests.js";
import { keyOf, ObjectWatch } from "./agent/observe.js";
import { summarize, type Summary } from "./lib/stats.js";
import { parseBenchOptions, type OutputFormat } from "./lib/options.js";
import { formatNumber, formatRatio, formatTable } from "./lib/table.js";

interface Options {
  objects: number;
  rounds: number;
  edits: number;
  managed: number;
  output: OutputFormat;
}

function parseOptions(argv: string[]): Options {
  const options = parseBenchOptions(argv, {
    objects: { default: 500, multipleOf: 100 },
    rounds: { default: 3 },
    edits: { default: 50, multipleOf: 2 },
    managed: { default: 1000, multipleOf: 100 },
  });
  // Each edit touches its own object (half Deployments, half ConfigMaps), so no heal is slowed by
  // the watcher's fight back-off; a namespace of the managed set holds 8 Deployments.
  if (options.edits / 2 > (options.managed / 100) * 8)
    throw new Error(`--edits ${options.edits} needs more Deployments than --managed ${options.managed} holds (8 per 100 objects)`);
  return options;
}

const progress = (text: string) => process.stderr.write(`[bench:agent] ${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const MIB = 1024 * 1024;
/** A run that takes longer than this is broken, not slow. */
const RUN_TIMEOUT_MS = 180_000;
const HEAL_TIMEOUT_MS = 15_000;
const POLL_SECONDS = 5;
const author = { name: "Radial Bench", email: "bench@radial.invalid" };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms))),
  ]);
}

// ---- the engines ----------------------------------------------------------------------------

interface Bench {
  options: Options;
  scratch: string;
  kube: Cluster;
  hub: TestHub;
  repoUrl: string;
  writer: GitRepository;
  /** The benchmark's own client, for its watches and edits; generous limits so it never throttles itself. */
  observer: KubeClient;
  /** A client with the agent's defaults, for the in-process sync engine. */
  engineClient: KubeClient;
  /** The same without a meaningful client-side rate limit, to show what that limit costs. */
  unthrottledClient: KubeClient;
  agent: AgentCommand;
}

const APPLIED_KINDS = Object.entries(KINDS).map(([kind, apiVersion]) => [apiVersion, kind] as [string, string]);

async function registerCluster(bench: Bench, name: string): Promise<string> {
  const response = await bench.hub.api("POST", "/v1/clusters", { body: { name, labels: { bench: "agent" } } });
  if (response.status !== 201) throw new Error(`registering ${name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return RegisterClusterResponse.parse(response.body).token;
}

async function publish(bench: Bench, cluster: string, files: Record<string, string>): Promise<void> {
  const [result] = await bench.writer.writeBranches([{ branch: `radial/clusters/${cluster}`, files, message: "bench" }], { author, now: new Date() });
  if (result?.error) throw result.error;
}

async function startAgentFor(bench: Bench, cluster: string, token: string): Promise<AgentProcess> {
  const dataDir = await mkdtemp(join(bench.scratch, `${cluster}-`));
  return startAgentProcess(bench.agent, {
    kubeconfig: bench.kube.kubeconfig,
    cluster,
    hubUrl: bench.hub.url,
    repoUrl: bench.repoUrl,
    token,
    dataDir,
    pollSeconds: POLL_SECONDS,
  });
}

/** Deletes a run's namespaces and waits until they are gone, so the next run starts on a quiet apiserver. */
async function cleanUp(bench: Bench, objects: KubeObject[]): Promise<void> {
  const namespaces = namespacesOf(objects);
  await kubectl(bench.kube, ["delete", "namespace", "--wait=true", "--timeout=180s", ...namespaces]);
}

// ---- 1. apply -------------------------------------------------------------------------------

type Applier = "agent" | "kubectl" | "engine" | "engineUnthrottled";

const APPLIER_TITLES: Record<Applier, string> = {
  agent: "agent process (commit visible → all applied)",
  kubectl: "kubectl apply --server-side -f",
  engine: "syncApplication in-process, agent's client rate limit",
  engineUnthrottled: "syncApplication in-process, rate limit lifted (1000 QPS)",
};

/**
 * The agent as a user meets it: the deploy branch already holds the new commit; a fresh agent
 * process starts, looks up the branch, fetches it at depth 1, reads it and syncs it. The clock
 * stops when the benchmark's own watch has seen every object.
 */
async function applyWithAgent(bench: Bench, run: string, objects: KubeObject[]): Promise<number> {
  const cluster = `bench-${run}`;
  const token = await registerCluster(bench, cluster);
  await publish(bench, cluster, deployBranchFiles(cluster, "fleet", objects));
  const watch = await ObjectWatch.start(bench.observer, APPLIED_KINDS, `${RUN_LABEL}=${run}`);
  const started = performance.now();
  const agent = await startAgentFor(bench, cluster, token);
  try {
    const finished = await withTimeout(watch.whenCount(objects.length), RUN_TIMEOUT_MS, `agent run ${run} (${watch.count}/${objects.length} seen)`).catch(
      (error: unknown) => {
        throw new Error(`${(error as Error).message}\n--- agent output\n${agent.output()}`, { cause: error });
      },
    );
    return finished - started;
  } finally {
    await agent.stop();
    await watch.stop();
  }
}

async function applyWithKubectl(bench: Bench, run: string, objects: KubeObject[]): Promise<number> {
  const file = join(bench.scratch, `${run}.yaml`);
  await writeFile(file, toYaml(objects));
  const started = performance.now();
  await kubectl(bench.kube, ["apply", "--server-side", "-f", file]);
  return performance.now() - started;
}

/** The sync engine alone, in this process: no process start, no Git. */
async function applyWithEngine(client: KubeClient, run: string, objects: KubeObject[]): Promise<number> {
  const cluster = `bench-${run}`;
  const desired: PresentApplication = {
    state: "present",
    name: "fleet",
    revision: run,
    application: Application.parse(applicationOf("fleet", cluster)),
    manifests: objects,
  };
  const started = performance.now();
  const result = await syncApplication(client, desired, { cluster, inventoryNamespace: AGENT_NAMESPACE });
  const elapsed = performance.now() - started;
  const written = result.resources.filter((r) => r.action === "applied").length;
  if (result.phase !== "Succeeded" || written !== objects.length)
    throw new Error(`in-process sync of ${run}: ${result.phase}, ${written}/${objects.length} applied: ${result.message}`);
  return elapsed;
}

const APPLIERS: Record<Applier, (bench: Bench, run: string, objects: KubeObject[]) => Promise<number>> = {
  agent: applyWithAgent,
  kubectl: applyWithKubectl,
  engine: (bench, run, objects) => applyWithEngine(bench.engineClient, run, objects),
  engineUnthrottled: (bench, run, objects) => applyWithEngine(bench.unthrottledClient, run, objects),
};

async function benchApply(bench: Bench): Promise<Record<Applier, Summary>> {
  const order = Object.keys(APPLIERS) as Applier[];
  const times = Object.fromEntries(order.map((applier) => [applier, [] as number[]])) as Record<Applier, number[]>;
  for (let round = 1; round <= bench.options.rounds; round++) {
    // Rotating who goes first spreads any warm-up or background work over all of them.
    const shift = (round - 1) % order.length;
    const turn = [...order.slice(shift), ...order.slice(0, shift)];
    for (const applier of turn) {
      const run = `r${round}-${order.indexOf(applier)}`;
      const objects = mixedObjects(run, bench.options.objects);
      const ms = await APPLIERS[applier](bench, run, objects);
      times[applier].push(ms);
      progress(`round ${round}/${bench.options.rounds}: ${APPLIER_TITLES[applier]}: ${objects.length} objects in ${seconds(ms)}`);
      await cleanUp(bench, objects);
    }
  }
  return Object.fromEntries(order.map((applier) => [applier, summarize(times[applier])])) as Record<Applier, Summary>;
}

// ---- 2 and 3. memory, and drift healing -----------------------------------------------------

interface MemorySample {
  /** Highest resident set size over a few samples. */
  rssMiB: number;
  /** V8 heap in use, from the agent's own /metrics (null when it does not say): what RSS holds beyond it is code, buffers and free heap not yet returned. */
  heapUsedMiB: number | null;
}

interface MemoryFigures {
  idle: MemorySample;
  managed: MemorySample;
  afterHeals: MemorySample;
  /** A running agent: the new commit pushed → all its objects seen (includes waiting for the next poll). */
  followCommitMs: number;
}

interface DriftFigures {
  latencyMs: Summary;
  edits: number;
  notHealed: number;
}

/** The highest RSS over a few samples (one can land between garbage collections), and the heap in use. */
async function sampleMemory(agent: AgentProcess, samples = 10, intervalMs = 300): Promise<MemorySample> {
  let max = 0;
  for (let i = 0; i < samples; i++) {
    max = Math.max(max, rssBytes(agent.pid));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const metrics = await (await fetch(`${agent.url}/metrics`)).text();
  const heap = /^\w*nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1];
  return { rssMiB: max / MIB, heapUsedMiB: heap === undefined ? null : Number(heap) / MIB };
}

const describeMemory = (sample: MemorySample) =>
  `RSS ${formatNumber(sample.rssMiB)} MiB${sample.heapUsedMiB === null ? "" : ` (V8 heap used ${formatNumber(sample.heapUsedMiB)} MiB)`}`;

interface Edit {
  object: KubeObject;
  /** The change, made as `kubectl scale` or `kubectl patch` make it. */
  send(): Promise<KubeObject>;
  drifted(live: KubeObject): boolean;
  healed(live: KubeObject): boolean;
}

function editsOf(bench: Bench, objects: KubeObject[], count: number): Edit[] {
  const pick = (kind: string) => objects.filter((o) => o.kind === kind).slice(0, count / 2);
  const path = async (object: KubeObject) =>
    `${await bench.observer.collectionPath(object.apiVersion, object.kind, object.metadata.namespace)}/${object.metadata.name}`;
  const patch = async (object: KubeObject, suffix: string, body: unknown, fieldManager: string) =>
    bench.observer.request<KubeObject>({
      method: "PATCH",
      path: `${await path(object)}${suffix}`,
      query: { fieldManager },
      body,
      contentType: "application/merge-patch+json",
    });
  const scale: Edit[] = pick("Deployment").map((object) => ({
    object,
    send: () => patch(object, "/scale", { spec: { replicas: 3 } }, "kubectl-scale"),
    drifted: (live) => (live.spec as { replicas?: number }).replicas === 3,
    healed: (live) => (live.spec as { replicas?: number }).replicas === 1,
  }));
  const recolor: Edit[] = pick("ConfigMap").map((object) => ({
    object,
    send: () => patch(object, "", { data: { color: "red" } }, "kubectl-patch"),
    drifted: (live) => (live.data as Record<string, string>).color === "red",
    healed: (live) => (live.data as Record<string, string>).color === "blue",
  }));
  return scale.flatMap((edit, i) => [edit, recolor[i]!]);
}

/**
 * Makes one edit and times it from the edit's response to the watch's first event, after the
 * edit's own, that shows Git's value again. Null when that does not come in time.
 */
async function timeHeal(watch: ObjectWatch, edit: Edit): Promise<number | null> {
  let sawDrift = false;
  const healedAt = watch.when(keyOf(edit.object), (live) => {
    sawDrift ||= edit.drifted(live);
    return sawDrift && edit.healed(live);
  });
  await edit.send();
  const answeredAt = performance.now();
  try {
    return (await withTimeout(healedAt, HEAL_TIMEOUT_MS, "heal")) - answeredAt;
  } catch {
    return null;
  }
}

async function benchFleet(bench: Bench): Promise<{ memory: MemoryFigures; drift: DriftFigures }> {
  const cluster = "bench-fleet";
  const run = "fleet";
  const token = await registerCluster(bench, cluster);
  // The branch exists but holds no application: the agent has nothing to manage.
  await publish(bench, cluster, { "README.md": "nothing deployed yet\n" });
  const agent = await startAgentFor(bench, cluster, token);
  try {
    await waitFor("the idle agent's first pass (/readyz)", async () => (await fetch(`${agent.url}/readyz`)).ok, { timeoutMs: 60_000, intervalMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = await sampleMemory(agent);
    progress(`agent idle (a branch with no application): ${describeMemory(idle)}`);

    const objects = mixedObjects(run, bench.options.managed);
    const watch = await ObjectWatch.start(bench.observer, APPLIED_KINDS, `${RUN_LABEL}=${run}`);
    try {
      await publish(bench, cluster, deployBranchFiles(cluster, "fleet", objects));
      const pushed = performance.now();
      const followCommitMs =
        (await withTimeout(watch.whenCount(objects.length), RUN_TIMEOUT_MS, `the running agent applying ${objects.length} objects`)) - pushed;
      progress(`running agent: ${objects.length} objects applied ${seconds(followCommitMs)} after the push (poll interval ${POLL_SECONDS} s)`);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const managed = await sampleMemory(agent);
      progress(`agent managing ${objects.length} objects: ${describeMemory(managed)}`);

      const drift = await benchDrift(bench, watch, objects);
      const afterHeals = await sampleMemory(agent);
      progress(`agent after the edits: ${describeMemory(afterHeals)}`);
      return { memory: { idle, managed, afterHeals, followCommitMs }, drift };
    } finally {
      await watch.stop();
    }
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- agent output\n${agent.output()}`, { cause: error });
  } finally {
    await agent.stop();
  }
}

async function benchDrift(bench: Bench, watch: ObjectWatch, objects: KubeObject[]): Promise<DriftFigures> {
  const edits = editsOf(bench, objects, bench.options.edits);
  const latencies: number[] = [];
  let notHealed = 0;
  for (const [i, edit] of edits.entries()) {
    const ms = await timeHeal(watch, edit);
    if (ms === null) notHealed++;
    else latencies.push(ms);
    if ((i + 1) % 10 === 0)
      progress(`drift: ${i + 1}/${edits.length} edits, ${latencies.length} healed, last ${ms === null ? "not healed" : `${formatNumber(ms)} ms`}`);
  }
  if (latencies.length === 0) throw new Error(`none of ${edits.length} edits was undone within ${HEAL_TIMEOUT_MS / 1000} s`);
  return { latencyMs: summarize(latencies), edits: edits.length, notHealed };
}

// ---- the report -----------------------------------------------------------------------------

interface Report {
  options: Options;
  agentCommand: string;
  apply: Record<Applier, Summary>;
  /** kubectl's median time over each of ours: above 1 means faster than kubectl. */
  speedup: Record<Exclude<Applier, "kubectl">, number>;
  drift: DriftFigures;
  memory: MemoryFigures;
  elapsedSeconds: number;
  /** The machine's 1-minute load average at the end: how much else competed for its cores. */
  loadAverage: number;
}

/** Peers' published figures, for context; see the notes under the table for where they come from. */
const PEERS = {
  drift:
    "Argo CD: a live change triggers a refresh from its watch cache, and a self-heal sync runs again only after --self-heal-timeout-seconds (5 s); Git is polled every 120 s + up to 60 s jitter (≤ 3 min). Flux: drift is corrected at each .spec.interval (e.g. 10m)",
  memory: "KubeFleet member agent ~33 MB; OCM klusterlet 50–71 MB; Flux kustomize-controller ~175 Mi at 1,000 objects",
};

function renderTable(report: Report): string {
  const { apply, drift, memory, options } = report;
  const ms = (s: Summary) => `${formatNumber(s.p50 / 1000)} s (min ${formatNumber(s.min / 1000)})`;
  const goal = (ok: boolean) => (ok ? "met" : "MISSED");
  const rows: string[][] = [
    ...(Object.keys(APPLIER_TITLES) as Applier[]).map((applier) => [
      `apply ${options.objects}: ${APPLIER_TITLES[applier]}`,
      ms(apply[applier]),
      "-",
      applier === "kubectl" ? "the peer" : "",
    ]),
    ["speed-up over kubectl: agent process (medians)", formatRatio(report.speedup.agent), "≥ 2x", goal(report.speedup.agent >= 2)],
    ["speed-up over kubectl: syncApplication, agent's limit", formatRatio(report.speedup.engine), "-", ""],
    ["speed-up over kubectl: syncApplication, limit lifted", formatRatio(report.speedup.engineUnthrottled), "-", ""],
    [`drift heal p50 (${drift.latencyMs.count} of ${drift.edits} edits undone by the agent process)`, `${formatNumber(drift.latencyMs.p50)} ms`, "-", ""],
    ["drift heal p99", `${formatNumber(drift.latencyMs.p99)} ms`, "< 2 s", goal(drift.latencyMs.p99 < 2000 && drift.notHealed === 0)],
    ["drift heal max", `${formatNumber(drift.latencyMs.max)} ms`, "-", ""],
    ...(
      [
        ["agent RSS idle (no application)", memory.idle],
        [`agent RSS managing ${options.managed} objects`, memory.managed],
        [`agent RSS after ${drift.edits} heals`, memory.afterHeals],
      ] as const
    ).map(([figure, sample]) => [
      figure,
      `${formatNumber(sample.rssMiB)} MiB`,
      "< 100 MB",
      `${goal(sample.rssMiB * MIB < 100e6)}${sample.heapUsedMiB === null ? "" : `; V8 heap used ${formatNumber(sample.heapUsedMiB)} MiB`}`,
    ]),
    [
      `running agent: push of ${options.managed} objects → all applied`,
      seconds(memory.followCommitMs),
      "-",
      `includes the wait for the next poll (≤ ${POLL_SECONDS * 1.1} s)`,
    ],
  ];
  return [
    `agent: ${options.objects} mixed objects × ${options.rounds} rounds per applier (fresh namespaces, deleted between runs); ${options.edits} drift edits; ${options.managed} managed objects`,
    `agent process: ${report.agentCommand}`,
    "",
    formatTable(["figure", "value", "goal", ""], rows),
    "",
    `peers, drift: ${PEERS.drift}`,
    `peers, memory: ${PEERS.memory}`,
    '  Argo CD: docs/user-guide/auto_sync.md, "Automated Sync Semantics" (argoproj/argo-cd); Flux: fluxcd.io/flux/components/kustomize/kustomizations/ (.spec.interval)',
    "  memory peers as given in issue 6; not re-measured here",
    `figures are noisy: 2 shared cores (load average ${report.loadAverage.toFixed(1)} at the end) with other work running; ${formatNumber(report.elapsedSeconds)} s in all`,
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const options = parseOptions(process.argv.slice(2));
  const began = performance.now();
  const scratch = await mkdtemp(join(tmpdir(), "radial-bench-agent-"));
  progress("starting kube-apiserver + KWOK, git http-backend and the hub; bundling the agent");
  const [kube, git, hub, agent] = await Promise.all([startCluster(), startGitServer(), startTestHub(), agentCommand(scratch)]);
  const observer = new KubeClient(await loadKubeConfig({ kubeconfig: kube.kubeconfig }), { qps: 1000, burst: 1000 });
  const engineClient = new KubeClient(await loadKubeConfig({ kubeconfig: kube.kubeconfig }));
  const unthrottledClient = new KubeClient(await loadKubeConfig({ kubeconfig: kube.kubeconfig }), { qps: 1000, burst: 1000 });
  try {
    // The fleet repo's source branch, as every real one has: the deploy branches sit beside it.
    const repoUrl = await git.createRepo("fleet", { seed: { "generators/README.md": "ApplicationSets live here\n" } });
    const bench: Bench = {
      options,
      scratch,
      kube,
      hub,
      repoUrl,
      writer: new GitRepository({ url: repoUrl, dir: join(scratch, "writer") }),
      observer,
      engineClient,
      unthrottledClient,
      agent,
    };
    // The in-process engine keeps its inventories here, as the agent does in its own namespace.
    await observer.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: AGENT_NAMESPACE } }, { fieldManager: "bench" });

    const applied = await benchApply(bench);
    const { memory, drift } = await benchFleet(bench);
    const report: Report = {
      options,
      agentCommand: agent.description,
      apply: applied,
      speedup: {
        agent: applied.kubectl.p50 / applied.agent.p50,
        engine: applied.kubectl.p50 / applied.engine.p50,
        engineUnthrottled: applied.kubectl.p50 / applied.engineUnthrottled.p50,
      },
      drift,
      memory,
      elapsedSeconds: (performance.now() - began) / 1000,
      loadAverage: loadavg()[0]!,
    };
    process.stdout.write(`${options.output === "json" ? JSON.stringify(report, null, 2) : renderTable(report)}\n`);
  } finally {
    observer.close();
    engineClient.close();
    unthrottledClient.close();
    await Promise.all([kube.stop(), git.stop(), hub.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
