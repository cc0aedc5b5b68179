// Console benchmark, server side: a hub (`radial hub up`, its own process, embedded store) with
// --clusters registered clusters, each of which reported once; --agents of them keep reporting
// through the agent's own report builder and Reporter over HTTP every --heartbeat seconds, the rest
// fall silent and turn stale. Prints the status intake's latency by phase (goal p99 < 100 ms with
// the agents alone, the issue's load; then beside fleet reads, a burst of changes, the console), /v1/fleet's
// and a matrix page's latency, the hub's resident memory, and the TRUTH CHECK: after a tenth of the
// agents change state, every number /v1/fleet and the matrix report must equal the simulated ground
// truth within one heartbeat (goal: 0 mismatches).
//
//   npm run bench:console -- [--clusters 10000] [--agents 1000] [--apps 20] [--heartbeat 30] [--samples 50] [--browser] [--profile-hub DIR] [--output table|json]
//
// --heartbeat scales the agents' report interval (and the hub's stale deadline, 3 heartbeats) down
// for a shorter run (at least 5 s). --browser then measures the console in Chromium against the same
// hub with ./browser.ts (its `measureConsole`): the hook for the browser timings. --profile-hub DIR
// has the hub write a V8 CPU profile (node --cpu-prof) into DIR when it stops.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { summarize, type Summary } from "../lib/stats.js";
import { makeFleet } from "../lib/fleet.js";
import { parseBenchOptions } from "../lib/options.js";
import { forEachBounded } from "../lib/pool.js";
import { formatTable } from "../lib/table.js";
import { RegisterClusterResponse } from "../../contract/index.js";
import type { Reporter } from "../../agent/report/reporter.js";
import { applications, reportOnce, startReporter, timeIntake, type IntakeSample, type SimulatedCluster } from "./agents.js";
import { startHubProcess, type HubProcess } from "./hub-process.js";
import { truthCheck, type Mismatch } from "./truth.js";

const progress = (text: string) => process.stderr.write(`[bench:console] ${new Date().toISOString().slice(11, 19)} ${text}\n`);
/** Applications of each silent cluster: they count in the totals; the live agents carry the matrix. */
const SILENT_APPS = 2;
const CONCURRENCY = 16;
const MIB = 1024 * 1024;

type Timed = Summary & { failed: number };

/** What else the hub was doing while agents reported: the intake is summarized by phase too. */
const PHASES = {
  agents: "agents alone",
  reads: "while /v1/fleet and matrix pages are read",
  change: "after a tenth of the agents changed state",
  browser: "while the console loads in Chromium",
} as const;
type Phase = keyof typeof PHASES;

interface Figures {
  clusters: number;
  agents: number;
  heartbeatSeconds: number;
  intake: Summary;
  intakeByPhase: Partial<Record<Phase, Summary>>;
  fleet: Timed;
  matrixPage: Timed;
  hubRssMiB: number;
  /** This process's event-loop delay while the agents ran: the part of the intake figures that is the simulated agents', not the hub's. */
  agentsLoopDelay: { p50: number; p99: number };
  truth: { checkedAfterSeconds: number; numbers: number; mismatches: Mismatch[] };
}

async function api(hub: HubProcess, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

async function register(hub: HubProcess, clusters: number, apps: number, agents: number): Promise<SimulatedCluster[]> {
  let done = 0;
  const fleet = makeFleet(clusters);
  const simulated: SimulatedCluster[] = new Array<SimulatedCluster>(clusters);
  await forEachBounded(clusters, CONCURRENCY, async (index) => {
    const cluster = fleet[index]!;
    const { token } = RegisterClusterResponse.parse(await api(hub, "POST", "/v1/clusters", { name: cluster.name, labels: cluster.labels }));
    if (++done % 1000 === 0) progress(`registered ${done} of ${clusters} clusters`);
    simulated[index] = { name: cluster.name, labels: cluster.labels, token, applications: applications(cluster.name, index < agents ? apps : SILENT_APPS) };
  });
  return simulated;
}

/** Latencies of the calls that answered; one that failed (an overloaded hub closing the connection) is counted, not timed. */
async function timed(count: number, call: () => Promise<unknown>): Promise<Timed> {
  const samples: number[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    try {
      await call();
      samples.push(performance.now() - started);
    } catch (error) {
      failed += 1;
      progress(`a request failed after ${((performance.now() - started) / 1000).toFixed(1)} s: ${(error as Error).message}`);
    }
  }
  if (samples.length === 0) throw new Error(`all ${count} requests failed`);
  return { ...summarize(samples), failed };
}

/** A tenth of the live agents turn one application Degraded and another OutOfSync, and report it (debounced, as a real agent does). */
function changeState(live: SimulatedCluster[], reporters: Reporter[]): void {
  live.forEach((cluster, i) => {
    if (i % 10 !== 0) return;
    cluster.applications[0] = { ...cluster.applications[0]!, health: "Degraded", message: "bench: degraded" };
    if (cluster.applications.length > 1) cluster.applications[1] = { ...cluster.applications[1]!, sync: "OutOfSync" };
    reporters[i]!.changed();
  });
}

function byPhase(samples: IntakeSample[], phases: { phase: Phase; from: number }[]): Partial<Record<Phase, Summary>> {
  const grouped = new Map<Phase, number[]>();
  for (const { at, ms } of samples) {
    const { phase } = phases.findLast((mark) => mark.from <= at) ?? phases[0]!;
    if (!grouped.has(phase)) grouped.set(phase, []);
    grouped.get(phase)!.push(ms);
  }
  return Object.fromEntries([...grouped].map(([phase, values]) => [phase, summarize(values)]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(options: ReturnType<typeof parseOptions>): Promise<Figures> {
  const { clusters, agents, apps, heartbeat, samples } = options;
  const hub = await startHubProcess(
    {
      RADIAL_POLL_INTERVAL_SECONDS: String(heartbeat),
      RADIAL_FLEET_REFRESH_SECONDS: String(Math.max(1, Math.min(5, Math.floor(heartbeat / 3)))),
    },
    options.profileHub,
  );
  let rss = 0;
  const sampler = setInterval(() => void hub.rss().then((bytes) => (rss = Math.max(rss, bytes))), 1000);
  const reporters: Reporter[] = [];
  try {
    progress(`hub up at ${hub.url} (pid ${hub.pid}); registering ${clusters} clusters`);
    const fleet = await register(hub, clusters, apps, agents);
    progress(`every cluster reports once (${agents} × ${apps} and ${clusters - agents} × ${SILENT_APPS} applications)`);
    let reported = 0;
    await forEachBounded(clusters, CONCURRENCY, async (index) => {
      await reportOnce(hub.url, fleet[index]!);
      if (++reported % 1000 === 0) progress(`${reported} of ${clusters} first reports`);
    });
    const silentSince = Date.now();
    const live = fleet.slice(0, agents);
    const intake: IntakeSample[] = [];
    const restore = timeIntake(intake);
    const phases: { phase: Phase; from: number }[] = [{ phase: "agents", from: performance.now() }];
    const enter = (phase: Phase) => phases.push({ phase, from: performance.now() });
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    try {
      progress(`${agents} agents report every ${heartbeat} s; the other ${clusters - agents} turn stale after ${3 * heartbeat} s`);
      for (const cluster of live) {
        reporters.push(startReporter(hub.url, cluster, heartbeat));
        await sleep((heartbeat * 1000) / agents); // spread over one heartbeat, as agents started at different times are
      }
      await sleep(Math.max(0, silentSince + 3 * heartbeat * 1000 + 2000 - Date.now()));
      progress(`measuring /v1/fleet and matrix pages (${samples} each) under the agents' load`);
      enter("reads");
      const fleetLatency = await timed(samples, () => api(hub, "GET", "/v1/fleet"));
      const matrixPage = await timed(samples, () => api(hub, "GET", "/v1/applications?limit=100&selector=env%3Dprod"));
      enter("change");
      changeState(live, reporters);
      const changedAt = Date.now();
      progress(`a tenth of the agents changed state; the truth check reads the hub one heartbeat later`);
      await sleep(heartbeat * 1000);
      const mismatches = await truthCheck((path) => api(hub, "GET", path), fleet, agents);
      if (options.browser) {
        enter("browser");
        await measureInBrowser(hub);
      }
      return {
        clusters,
        agents,
        heartbeatSeconds: heartbeat,
        intake: summarize(intake.map((sample) => sample.ms)),
        intakeByPhase: byPhase(intake, phases),
        fleet: fleetLatency,
        matrixPage,
        hubRssMiB: Math.max(rss, await hub.rss()) / MIB,
        agentsLoopDelay: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6 },
        truth: { checkedAfterSeconds: (Date.now() - changedAt) / 1000, ...mismatches },
      };
    } finally {
      loopDelay.disable();
      restore();
    }
  } finally {
    clearInterval(sampler);
    await Promise.all(reporters.map((reporter) => reporter.stop(false)));
    await hub.stop();
  }
}

/**
 * The hook for the console's browser timings: `./browser.ts` exports `measureConsole` and
 * `printConsoleFigures`; it is loaded only with --browser, against this hub while its agents report.
 */
async function measureInBrowser(hub: HubProcess): Promise<void> {
  const module = "./browser.js";
  const browser = (await import(module)) as {
    measureConsole(options: { hubUrl: string; token: string }): Promise<unknown>;
    printConsoleFigures(figures: unknown): void;
  };
  progress("measuring the console in Chromium");
  browser.printConsoleFigures(await browser.measureConsole({ hubUrl: hub.url, token: hub.token }));
}

function parseOptions(argv: string[]) {
  const browser = argv.includes("--browser");
  const profileAt = argv.indexOf("--profile-hub");
  const profileHub = profileAt < 0 ? undefined : argv[profileAt + 1];
  if (profileAt >= 0 && (!profileHub || profileHub.startsWith("--"))) throw new Error("--profile-hub needs a directory");
  return {
    ...parseBenchOptions(
      argv.filter((arg, i) => arg !== "--browser" && (profileAt < 0 || (i !== profileAt && i !== profileAt + 1))),
      {
        clusters: { default: 10_000 },
        agents: { default: 1000 },
        apps: { default: 20, max: 500 },
        heartbeat: { default: 30, max: 3600 },
        samples: { default: 50 },
      },
    ),
    browser,
    profileHub,
  };
}

function print(figures: Figures): void {
  const ms = (summary: Summary & { failed?: number }) => [
    summary.p50.toFixed(1),
    summary.p99.toFixed(1),
    `${summary.count}${summary.failed ? ` (${summary.failed} failed)` : ""}`,
  ];
  console.log(`${figures.clusters} clusters, ${figures.agents} reporting every ${figures.heartbeatSeconds} s, the rest stale`);
  console.log(
    formatTable(
      ["measure", "p50 ms", "p99 ms", "samples"],
      [
        ["status intake, every phase", ...ms(figures.intake)],
        ...Object.entries(figures.intakeByPhase).map(([phase, summary]) => [`  ${PHASES[phase as Phase]}`, ...ms(summary)]),
        ["GET /v1/fleet", ...ms(figures.fleet)],
        ["GET /v1/applications page (100 rows)", ...ms(figures.matrixPage)],
      ],
    ),
  );
  const alone = figures.intakeByPhase.agents;
  if (alone) {
    // The issue's load: the agents reporting, nothing else asked of the hub.
    console.log(
      `goal: intake p99 < 100 ms with ${figures.agents} agents every ${figures.heartbeatSeconds} s: ${alone.p99 < 100 ? "met" : "NOT met"} ` +
        `(${alone.p99.toFixed(1)} ms); with the other phases' load beside them: ${figures.intake.p99.toFixed(1)} ms`,
    );
  }
  console.log(`hub RSS (max): ${figures.hubRssMiB.toFixed(0)} MiB`);
  const { agentsLoopDelay: lag } = figures;
  console.log(`the simulated agents' event-loop delay (in the intake figures): p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms`);
  const { truth } = figures;
  console.log(
    `TRUTH CHECK ${truth.checkedAfterSeconds.toFixed(1)} s after the change: ${truth.numbers} numbers compared, ${truth.mismatches.length} mismatches (goal 0)`,
  );
  for (const mismatch of truth.mismatches.slice(0, 20)) console.log(`  ${mismatch.what}: hub ${mismatch.hub}, truth ${mismatch.truth}`);
}

if (process.argv.includes("--browser-only")) {
  // The console's browser figures alone, on a hub of their own: ./browser.ts.
  await (await import("./browser.js")).runBrowserOnly(process.argv.slice(2));
  process.exit(0);
}
const options = parseOptions(process.argv.slice(2));
if (options.agents > options.clusters) throw new Error(`--agents ${options.agents} must not exceed --clusters ${options.clusters}`);
if (options.heartbeat < 5) throw new Error(`--heartbeat must be at least 5 (the hub's shortest poll interval), got ${options.heartbeat}`);
const figures = await run(options);
if (options.output === "json") console.log(JSON.stringify(figures, null, 2));
else print(figures);
