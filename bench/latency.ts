// Commit → applied latency, on real engines: the hub (embedded, in this process), git http-backend,
// a kube-apiserver with KWOK, and the agent (composed in this process, as in the tests). A sample
// commits a new ConfigMap value to the fleet repo's main branch and times it until the benchmark's
// own watch sees the value on the apiserver, in two modes:
//   webhook     the commit is followed by a signed push webhook (the source poll is off)
//   no webhook  nothing but the hub's source poll (RADIAL_SOURCE_POLL_INTERVAL, default 10 s)
// Each sample is cut into steps: the hub notices (commit → run start, from the run's history
// record), the hub writes the branch (the run), the agent learns the head (run end → the agent's
// fetch request, seen by a proxy in front of the git server for the agent alone), the agent fetches
// (that request), the agent applies (fetch end → the watch sees the value). Both goals are p90s:
// under 3 s with a webhook, under 15 s without.
//
//   npm run bench:latency -- [--samples 10] [--output table|json]
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger } from "@aws-lambda-powertools/logger";
import { composeAgent, type ComposedAgent } from "../agent/compose.js";
import { KubeClient } from "../agent/kube/client.js";
import { loadKubeConfig } from "../agent/kube/kubeconfig.js";
import { AgentConfig } from "../contract/agent-config.js";
import { GenerationHistoryPage, RegisterClusterResponse, type GenerationRecord } from "../contract/index.js";
import { GitRepository } from "../lambdas/adapters/git/repository.js";
import { signWebhookBody, SIGNATURE_HEADER } from "../lambdas/generate/webhook-signature.js";
import { startGitServer, type GitServer } from "../test/engines/git-server.js";
import { startCluster, type Cluster } from "../test/engines/kubernetes.js";
import { freePort, waitFor } from "../test/engines/process.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { startGitTimingProxy, type GitTimingProxy } from "./latency/git-timing-proxy.js";
import { ObjectWatch, keyOf } from "./agent/observe.js";
import { parseBenchOptions } from "./lib/options.js";
import { percentile } from "./lib/stats.js";
import { formatTable } from "./lib/table.js";
import { webFleet } from "../test/fixtures/web-fleet.js";

const STEPS = ["hub notices", "hub writes branch", "agent learns head", "agent fetches", "agent applies"] as const;
type Step = (typeof STEPS)[number];
interface Sample {
  totalMs: number;
  steps: Record<Step, number>;
}
type Mode = "webhook" | "no webhook";
const GOAL_MS: Record<Mode, number> = { webhook: 3000, "no webhook": 15000 };

const SECRET = "bench-latency-webhook-secret";
const LABEL = "radial-bench=latency";
const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const SAMPLE_TIMEOUT_MS = 120_000;
/** RADIAL_SOURCE_POLL_INTERVAL's default. */
const SOURCE_POLL_SECONDS = 10;
const progress = (text: string) => process.stderr.write(`[bench:latency] ${text}\n`);

interface Setup {
  hub: TestHub;
  agent: ComposedAgent;
  proxy: GitTimingProxy;
  watch: ObjectWatch;
  commit: (color: string) => Promise<string>;
  stop: () => Promise<void>;
}

/** A fleet repo, a hub and an agent for one mode; the cluster and its namespace are named after the mode. */
async function setUp(mode: Mode, git: GitServer, kube: Cluster, scratch: string): Promise<Setup> {
  const name = mode === "webhook" ? "lat-webhook" : "lat-poll";
  const url = await git.createRepo(name);
  const fleet = new GitRepository({ url, dir: join(scratch, `${name}-owner`) });
  const files = (color: string) => webFleet(url, { namespace: name, autoSync: true, configMaps: { web: color }, labels: { "radial-bench": "latency" } });
  const commit = async (color: string) =>
    (await fleet.writeBranches([{ branch: "main", files: files(color), message: color }], { author, now: new Date() }))[0]!.commit!;
  await commit("initial");
  const hub = await startTestHub({
    env: {
      RADIAL_REPO_URL: url,
      RADIAL_WEBHOOK_SECRET: SECRET,
      RADIAL_GENERATE_INTERVAL: "0",
      RADIAL_GENERATE_ON_CHANGE: "false",
      // The default source poll without a webhook; off with one, so the webhook alone starts runs.
      RADIAL_SOURCE_POLL_INTERVAL: mode === "webhook" ? "0" : String(SOURCE_POLL_SECONDS),
    },
  });
  const { token } = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name } })).body);
  await hub.api("POST", "/v1/generate");
  const branch = `radial/clusters/${name}`;
  await waitFor("the first deploy branch", async () => (await fleet.remoteBranches(branch)).has(branch), { timeoutMs: SAMPLE_TIMEOUT_MS, intervalMs: 200 });
  const proxy = await startGitTimingProxy(git.url);
  const config = AgentConfig.parse({
    hubUrl: hub.url,
    cluster: name,
    token,
    repoUrl: `${proxy.url}/${name}.git`,
    dataDir: join(scratch, `${name}-agent`),
    metricsPort: await freePort(),
  });
  // The watch is live before the agent starts, so the first apply is seen.
  const client = new KubeClient(await loadKubeConfig({ kubeconfig: kube.kubeconfig }));
  const watch = await ObjectWatch.start(client, [["v1", "ConfigMap"]], LABEL);
  const first = watch.when(keyOf({ kind: "ConfigMap", metadata: { namespace: name, name: "web" } }), () => true);
  const agent = await composeAgent({
    config,
    logger: new Logger({ serviceName: "radial-agent-bench", logLevel: "ERROR" }),
    connection: await loadKubeConfig({ kubeconfig: kube.kubeconfig }),
    token: () => token,
    host: "127.0.0.1",
  });
  void agent.agent.start();
  await first;
  return {
    hub,
    agent,
    proxy,
    watch,
    commit,
    async stop() {
      await watch.stop();
      client.close();
      await agent.stop();
      await hub.stop();
      await proxy.stop();
    },
  };
}

/** Sends GitHub's push event for main, signed. */
async function sendWebhook(hub: TestHub, repoUrl: string): Promise<void> {
  const body = JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: repoUrl } });
  const response = await fetch(`${hub.url}/v1/webhooks/git`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": randomUUID(),
      [SIGNATURE_HEADER]: signWebhookBody(SECRET, body),
    },
    body,
  });
  if (response.status !== 202) throw new Error(`the webhook was answered ${response.status}: ${await response.text()}`);
}

async function runOf(hub: TestHub, revision: string): Promise<GenerationRecord | undefined> {
  const page = GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations?limit=5")).body);
  return page.items.find((record) => record.sourceRevision === revision && !record.dryRun);
}

async function sample(mode: Mode, setup: Setup, index: number, repoUrl: string): Promise<Sample> {
  const color = `c${index}-${randomUUID().slice(0, 8)}`;
  const namespace = mode === "webhook" ? "lat-webhook" : "lat-poll";
  const applied = setup.watch.when(
    keyOf({ kind: "ConfigMap", metadata: { namespace, name: "web" } }),
    (o) => (o as { data?: { color?: string } }).data?.color === color,
  );
  const committedAt = Date.now();
  const revision = await setup.commit(color);
  if (mode === "webhook") await sendWebhook(setup.hub, repoUrl);
  const appliedPerf = await Promise.race([
    applied,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`sample ${index}: not applied in ${SAMPLE_TIMEOUT_MS / 1000} s`)), SAMPLE_TIMEOUT_MS)),
  ]);
  const appliedAt = Date.now() - (performance.now() - appliedPerf);
  let run: GenerationRecord | undefined;
  await waitFor("the run's record", async () => (run = await runOf(setup.hub, revision)) !== undefined, { timeoutMs: 30_000, intervalMs: 100 });
  const runStart = Date.parse(run!.startedAt);
  const runEnd = runStart + run!.durationMs;
  const fetch = setup.proxy.requestsSince(runStart).find((r) => r.command === "fetch" && r.finishedAt <= appliedAt);
  if (!fetch) throw new Error(`sample ${index}: the agent's fetch was not seen`);
  return {
    totalMs: appliedAt - committedAt,
    steps: {
      "hub notices": runStart - committedAt,
      "hub writes branch": runEnd - runStart,
      "agent learns head": fetch.startedAt - runEnd,
      "agent fetches": fetch.finishedAt - fetch.startedAt,
      "agent applies": appliedAt - fetch.finishedAt,
    },
  };
}

interface ModeResult {
  mode: Mode;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  goalMs: number;
  /** Each step's share of the summed latency of all samples. */
  shares: Record<Step, number>;
  meanStepMs: Record<Step, number>;
}

function summarizeMode(mode: Mode, samples: Sample[]): ModeResult {
  const totals = samples.map((s) => s.totalMs).sort((a, b) => a - b);
  const sum = totals.reduce((a, b) => a + b, 0);
  const stepSum = (step: Step) => samples.reduce((a, s) => a + s.steps[step], 0);
  return {
    mode,
    samples: samples.length,
    p50Ms: percentile(totals, 50),
    p90Ms: percentile(totals, 90),
    maxMs: totals[totals.length - 1]!,
    goalMs: GOAL_MS[mode],
    shares: Object.fromEntries(STEPS.map((step) => [step, stepSum(step) / sum])) as Record<Step, number>,
    meanStepMs: Object.fromEntries(STEPS.map((step) => [step, stepSum(step) / samples.length])) as Record<Step, number>,
  };
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2), { samples: { default: 10, max: 200 } });
  const scratch = await mkdtemp(join(tmpdir(), "radial-bench-latency-"));
  progress("starting the git server and a KWOK cluster");
  const [git, kube] = await Promise.all([startGitServer(), startCluster()]);
  const results: ModeResult[] = [];
  try {
    for (const mode of ["webhook", "no webhook"] as const) {
      const setup = await setUp(mode, git, kube, scratch);
      const repoUrl = `${git.url}/${mode === "webhook" ? "lat-webhook" : "lat-poll"}.git`;
      const samples: Sample[] = [];
      try {
        for (let i = 1; i <= options.samples; i++) {
          // A commit lands at a random point of the poll's cycle, as a user's does (right after the last sample it would wait a whole interval).
          if (mode === "no webhook") await sleep(Math.random() * SOURCE_POLL_SECONDS * 1000);
          samples.push(await sample(mode, setup, i, repoUrl));
          progress(`${mode}: sample ${i}/${options.samples}: ${(samples.at(-1)!.totalMs / 1000).toFixed(2)} s`);
        }
      } finally {
        await setup.stop();
      }
      results.push(summarizeMode(mode, samples));
    }
  } finally {
    await Promise.all([git.stop(), kube.stop()]);
    await rm(scratch, { recursive: true, force: true });
  }
  const load = loadavg()[0]!.toFixed(1);
  if (options.output === "json") {
    process.stdout.write(`${JSON.stringify({ loadAverage1m: Number(load), results }, null, 2)}\n`);
    return;
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const pct = (share: number) => `${(share * 100).toFixed(0)}%`;
  process.stdout.write(
    `${formatTable(
      ["commit → applied", "samples", "p50", "p90", "max", "goal (p90)", ...STEPS],
      results.map((r) => [
        r.mode,
        String(r.samples),
        s(r.p50Ms),
        s(r.p90Ms),
        s(r.maxMs),
        `< ${s(r.goalMs)} ${r.p90Ms < r.goalMs ? "met" : "MISSED"}`,
        ...STEPS.map((step) => `${pct(r.shares[step])} (${s(r.meanStepMs[step])})`),
      ]),
    )}\nStep columns: share of the summed latency (mean per sample). 1-minute load average at the end: ${load} on this machine.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:latency failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
