// What the hub on AWS costs a month per 1,000 clusters, from counts measured here: the embedded
// hub on DynamoDB Local (AWS's engine, which computes consumed capacity as DynamoDB does) behind a
// proxy that adds up every request's consumed capacity, fed steady-state agent heartbeats (each
// cluster reporting the same applications again, as an agent does every poll interval).
//
//   npx tsx bench/aws-cost.ts [--clusters 20] [--applications 10] [--rounds 20] [--output table|json]
//
// Measured: DynamoDB requests, read and write units, and the hub's time per heartbeat; then, with
// the fleet grown to the 1,000 clusters priced, all reporting, the schedule function's work
// per invocation (lambdas/handlers/schedule.ts): the fleet overview it counts stale clusters from,
// read afresh (a minute after the last invocation, its snapshot is past any age the hub serves),
// and the source poll's one ls-refs, against the real git server. Given: the agents'
// interval (30 s, the default), the functions' memory (API 512 MB, schedule 256 MB; infra/), the
// schedules (the source poll every minute, a run every 5 minutes) and us-east-1 list prices below.
// Times are measured on this machine over loopback HTTP, an upper bound of the handler's own time
// but for the git host's round trip (loopback here); Lambda's will differ.
import { performance } from "node:perf_hooks";
import { RegisterClusterResponse, type ApplicationStatus, type StatusReport } from "../contract/index.js";
import { GitRefLookup } from "../lambdas/adapters/git/ref-lookup.js";
import { startDynamoDBLocal } from "../test/engines/dynamodb-local.js";
import { startGitServer } from "../test/engines/git-server.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { startCapacityProxy, type CapacityCounts, type CapacityProxy } from "./lib/capacity-proxy.js";
import { parseBenchOptions } from "./lib/options.js";
import { summarize } from "./lib/stats.js";
import { formatTable } from "./lib/table.js";

/** us-east-1 list prices (USD), on demand, arm64. */
const PRICES = {
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecondArm: 0.0000133334,
  httpApiPerMillionRequests: 1.0,
  sqsFifoPerMillionRequests: 0.5,
};
const CLUSTERS_PRICED = 1000;
const MONTH_SECONDS = 30 * 24 * 3600;
const HEARTBEAT_SECONDS = 30;
const API_MEMORY_GB = 0.5;
const SCHEDULE_MINUTES = 5;
const SCHEDULE_MEMORY_GB = 0.25;
/** The schedule function's invocations a month: the source poll every minute, the full run every SCHEDULE_MINUTES. */
const SCHEDULE_INVOCATIONS = MONTH_SECONDS / 60 + MONTH_SECONDS / (SCHEDULE_MINUTES * 60);
/** Schedule invocations measured; before each the fleet snapshot ages past three times its 1 s refresh, which the hub never serves. */
const SCHEDULE_SAMPLES = 5;
/** A scheduled run's queue requests: SendMessage by the schedule function, DeleteMessage after the worker (receives are the poller's). */
const SQS_REQUESTS_PER_RUN = 2;

function applications(count: number): ApplicationStatus[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `app-${i}`,
    revision: "0123456789abcdef0123456789abcdef01234567",
    sync: "Synced",
    health: "Healthy",
    resourceCount: 12,
    resources: [],
    lastSyncedAt: "2026-12-01T00:00:00.000Z",
  }));
}

function report(cluster: string, apps: ApplicationStatus[]): StatusReport {
  const revision = "0123456789abcdef0123456789abcdef01234567";
  return { cluster, agentVersion: "0.1.0", heartbeatAt: new Date().toISOString(), revision, conditions: [], applications: apps, driftEvents: [] };
}

async function heartbeat(hub: TestHub, cluster: string, token: string, apps: ApplicationStatus[]): Promise<number> {
  const started = performance.now();
  const response = await hub.api("POST", "/v1/agent/status", { body: report(cluster, apps), token, headers: { "x-radial-cluster": cluster } });
  if (response.status !== 200) throw new Error(`heartbeat of ${cluster} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return performance.now() - started;
}

interface Measured {
  heartbeats: number;
  seconds: number;
  perHeartbeat: { dynamodbRequests: Record<string, number>; readUnits: number; writeUnits: number; hubMsP50: number; hubMsP99: number };
  /** One schedule invocation at CLUSTERS_PRICED clusters: the overview's DynamoDB reads and time, the source poll's ls-refs time. */
  perSchedule: { dynamodbRequests: Record<string, number>; readUnits: number; overviewMsP50: number; lsRefsMsP50: number; msP50: number };
}

async function measure(options: { clusters: number; applications: number; rounds: number }): Promise<Measured> {
  const dynamodb = await startDynamoDBLocal();
  const proxy = await startCapacityProxy(dynamodb.endpoint);
  // Fleet snapshots refresh after a second, so each schedule invocation measured, seconds apart, reads afresh as one a minute after the last does.
  // The fleet snapshot read only while someone reads, as on AWS (the embedded hub keeps its own fresh).
  const hub = await startTestHub({ dynamodbEndpoint: proxy.url, env: { RADIAL_FLEET_REFRESH_SECONDS: "1" }, keepFleetFresh: false });
  try {
    const apps = applications(options.applications);
    const tokens = new Map<string, string>();
    for (let i = 0; i < options.clusters; i++) {
      const name = `edge-${i}`;
      const registered = await hub.api("POST", "/v1/clusters", { body: { name } });
      tokens.set(name, RegisterClusterResponse.parse(registered.body).token);
    }
    // The first report of each cluster writes its applications; heartbeats after it are the steady state.
    for (const [name, token] of tokens) await heartbeat(hub, name, token, apps);
    proxy.reset();
    const times: number[] = [];
    const started = performance.now();
    for (let round = 0; round < options.rounds; round++) {
      for (const [name, token] of tokens) times.push(await heartbeat(hub, name, token, apps));
    }
    const seconds = (performance.now() - started) / 1000;
    const measured = perHeartbeat(proxy.counts(), times);
    return { heartbeats: times.length, seconds, perHeartbeat: measured, perSchedule: await perSchedule(hub, proxy, tokens, apps) };
  } finally {
    await hub.stop();
    await proxy.stop();
    await dynamodb.stop();
  }
}

/**
 * The schedule function's work per invocation with CLUSTERS_PRICED clusters, as a minute apart: every
 * cluster reports once more (in a minute each agent reports twice), the snapshot ages past the
 * oldest the hub serves, then the fleet overview (`fleet.overview(null)`, as GET /v1/fleet serves
 * it) is read and its DynamoDB requests counted; and the source poll's ls-refs of the source branch.
 */
async function perSchedule(hub: TestHub, proxy: CapacityProxy, tokens: Map<string, string>, apps: ApplicationStatus[]): Promise<Measured["perSchedule"]> {
  console.error(`growing the fleet to ${CLUSTERS_PRICED} clusters for the schedule's overview...`);
  for (let i = tokens.size; i < CLUSTERS_PRICED; i++) {
    const name = `fleet-${i}`;
    const response = await hub.api("POST", "/v1/clusters", { body: { name } });
    tokens.set(name, RegisterClusterResponse.parse(response.body).token);
  }
  const overview: number[] = [];
  const totals: CapacityCounts = { requests: {}, readUnits: 0, writeUnits: 0 };
  for (let i = 0; i < SCHEDULE_SAMPLES; i++) {
    for (const [name, token] of tokens) await heartbeat(hub, name, token, apps);
    await new Promise((resolve) => setTimeout(resolve, 3200));
    proxy.reset();
    const started = performance.now();
    const response = await hub.api("GET", "/v1/fleet");
    if (response.status !== 200) throw new Error(`the fleet overview answered ${response.status}`);
    overview.push(performance.now() - started);
    const counts = proxy.counts();
    totals.readUnits += counts.readUnits;
    for (const [operation, count] of Object.entries(counts.requests)) totals.requests[operation] = (totals.requests[operation] ?? 0) + count;
  }
  const lsRefs = await lsRefsTimes();
  const [overviewMsP50, lsRefsMsP50] = [summarize(overview).p50, summarize(lsRefs).p50];
  return {
    dynamodbRequests: Object.fromEntries(Object.entries(totals.requests).map(([operation, count]) => [operation, count / SCHEDULE_SAMPLES])),
    readUnits: totals.readUnits / SCHEDULE_SAMPLES,
    overviewMsP50,
    lsRefsMsP50,
    msP50: overviewMsP50 + lsRefsMsP50,
  };
}

/** The source poll's one ls-refs, SCHEDULE_SAMPLES times, against git http-backend on loopback. */
async function lsRefsTimes(): Promise<number[]> {
  const git = await startGitServer();
  try {
    await git.createRepo("fleet", { seed: { "generators/.keep": "" } });
    const lookup = new GitRefLookup(() => undefined);
    const times: number[] = [];
    for (let i = 0; i < SCHEDULE_SAMPLES; i++) {
      const started = performance.now();
      if (!(await lookup.head(`${git.url}/fleet.git`, "refs/heads/main"))) throw new Error("the fleet repo has no main branch");
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await git.stop();
  }
}

function perHeartbeat(counts: CapacityCounts, times: number[]): Measured["perHeartbeat"] {
  const n = times.length;
  const summary = summarize(times);
  return {
    dynamodbRequests: Object.fromEntries(Object.entries(counts.requests).map(([operation, count]) => [operation, count / n])),
    readUnits: counts.readUnits / n,
    writeUnits: counts.writeUnits / n,
    hubMsP50: summary.p50,
    hubMsP99: summary.p99,
  };
}

/** USD a month for CLUSTERS_PRICED clusters heartbeating every HEARTBEAT_SECONDS, from the measured counts. */
function monthlyCost(measured: Measured) {
  const heartbeats = (CLUSTERS_PRICED * MONTH_SECONDS) / HEARTBEAT_SECONDS;
  const m = measured.perHeartbeat;
  const s = measured.perSchedule;
  const runs = MONTH_SECONDS / (SCHEDULE_MINUTES * 60);
  const lines = {
    "DynamoDB writes": (heartbeats * m.writeUnits * PRICES.dynamodbPerMillionWriteUnits) / 1e6,
    "DynamoDB reads": (heartbeats * m.readUnits * PRICES.dynamodbPerMillionReadUnits) / 1e6,
    "Lambda requests": (heartbeats * PRICES.lambdaPerMillionRequests) / 1e6,
    "Lambda GB-seconds": heartbeats * (m.hubMsP50 / 1000) * API_MEMORY_GB * PRICES.lambdaPerGbSecondArm,
    "HTTP API requests": (heartbeats * PRICES.httpApiPerMillionRequests) / 1e6,
    "SQS (scheduled runs)": (runs * SQS_REQUESTS_PER_RUN * PRICES.sqsFifoPerMillionRequests) / 1e6,
    "Schedule: Lambda requests": (SCHEDULE_INVOCATIONS * PRICES.lambdaPerMillionRequests) / 1e6,
    "Schedule: Lambda GB-seconds": SCHEDULE_INVOCATIONS * (s.msP50 / 1000) * SCHEDULE_MEMORY_GB * PRICES.lambdaPerGbSecondArm,
    "Schedule: DynamoDB reads": (SCHEDULE_INVOCATIONS * s.readUnits * PRICES.dynamodbPerMillionReadUnits) / 1e6,
  };
  const total = Object.values(lines).reduce((sum, usd) => sum + usd, 0);
  return { heartbeatsPerMonth: heartbeats, lines, total };
}

const options = parseBenchOptions(process.argv.slice(2), { clusters: { default: 20 }, applications: { default: 10 }, rounds: { default: 20 } });
console.error(`measuring ${options.clusters} clusters × ${options.rounds} heartbeats, ${options.applications} applications each, on DynamoDB Local...`);
const measured = await measure(options);
const cost = monthlyCost(measured);
if (options.output === "json") {
  console.log(
    JSON.stringify(
      {
        options,
        measured,
        prices: PRICES,
        assumptions: { HEARTBEAT_SECONDS, API_MEMORY_GB, SCHEDULE_MINUTES, SCHEDULE_MEMORY_GB, SCHEDULE_INVOCATIONS },
        cost,
      },
      null,
      2,
    ),
  );
} else {
  const m = measured.perHeartbeat;
  const requests = Object.entries(m.dynamodbRequests)
    .map(([operation, count]) => `${operation} ${count.toFixed(2)}`)
    .join(", ");
  console.log(`measured: ${measured.heartbeats} heartbeats in ${measured.seconds.toFixed(1)} s`);
  console.log(
    `per heartbeat: DynamoDB ${requests}; ${m.writeUnits.toFixed(2)} write units, ${m.readUnits.toFixed(2)} read units; hub p50 ${m.hubMsP50.toFixed(1)} ms, p99 ${m.hubMsP99.toFixed(1)} ms`,
  );
  const s = measured.perSchedule;
  const scheduleRequests = Object.entries(s.dynamodbRequests)
    .map(([operation, count]) => `${operation} ${count.toFixed(2)}`)
    .join(", ");
  console.log(
    `per schedule invocation at ${CLUSTERS_PRICED} clusters: DynamoDB ${scheduleRequests}; ${s.readUnits.toFixed(1)} read units; overview p50 ${s.overviewMsP50.toFixed(1)} ms, ls-refs p50 ${s.lsRefsMsP50.toFixed(1)} ms (${SCHEDULE_INVOCATIONS} invocations a month)`,
  );
  console.log(
    `\nper month, ${CLUSTERS_PRICED} clusters reporting every ${HEARTBEAT_SECONDS} s (${(cost.heartbeatsPerMonth / 1e6).toFixed(1)} M heartbeats), us-east-1 list prices:`,
  );
  console.log(
    formatTable(
      ["item", "USD / month"],
      [...Object.entries(cost.lines), ["total", cost.total]].map(([item, usd]) => [String(item), Number(usd).toFixed(2)]),
    ),
  );
}
