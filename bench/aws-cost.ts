// What the hub on AWS costs a month per 1,000 clusters, from counts measured here: the embedded
// hub on DynamoDB Local (AWS's engine, which computes consumed capacity as DynamoDB does) behind a
// proxy that adds up every request's consumed capacity, fed steady-state agent heartbeats (each
// cluster reporting the same applications again, as an agent does every poll interval).
//
//   npx tsx bench/aws-cost.ts [--clusters 20] [--applications 10] [--rounds 20] [--output table|json]
//
// Measured: DynamoDB requests, read and write units, and the hub's time per heartbeat. Given: the
// agents' interval (30 s, the default), the API function's memory (512 MB, infra/hub-stack.ts), the
// schedule (every 5 minutes) and us-east-1 list prices below. The hub's time is measured on this
// machine over loopback HTTP, an upper bound of the handler's own time; Lambda's will differ.
import { performance } from "node:perf_hooks";
import { RegisterClusterResponse, type ApplicationStatus, type StatusReport } from "../contract/index.js";
import { startDynamoDBLocal } from "../test/engines/dynamodb-local.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { startCapacityProxy, type CapacityCounts } from "./lib/capacity-proxy.js";
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
const HEARTBEAT_SECONDS = 30;
const API_MEMORY_GB = 0.5;
const SCHEDULE_MINUTES = 5;
/** A scheduled run's queue requests: SendMessage by the schedule function, DeleteMessage after the worker (receives are the poller's). */
const SQS_REQUESTS_PER_RUN = 2;
const MONTH_SECONDS = 30 * 24 * 3600;

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
}

async function measure(options: { clusters: number; applications: number; rounds: number }): Promise<Measured> {
  const dynamodb = await startDynamoDBLocal();
  const proxy = await startCapacityProxy(dynamodb.endpoint);
  const hub = await startTestHub({ dynamodbEndpoint: proxy.url });
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
    return { heartbeats: times.length, seconds, perHeartbeat: perHeartbeat(proxy.counts(), times) };
  } finally {
    await hub.stop();
    await proxy.stop();
    await dynamodb.stop();
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
  const runs = MONTH_SECONDS / (SCHEDULE_MINUTES * 60);
  const lines = {
    "DynamoDB writes": (heartbeats * m.writeUnits * PRICES.dynamodbPerMillionWriteUnits) / 1e6,
    "DynamoDB reads": (heartbeats * m.readUnits * PRICES.dynamodbPerMillionReadUnits) / 1e6,
    "Lambda requests": (heartbeats * PRICES.lambdaPerMillionRequests) / 1e6,
    "Lambda GB-seconds": heartbeats * (m.hubMsP50 / 1000) * API_MEMORY_GB * PRICES.lambdaPerGbSecondArm,
    "HTTP API requests": (heartbeats * PRICES.httpApiPerMillionRequests) / 1e6,
    "SQS (scheduled runs)": (runs * SQS_REQUESTS_PER_RUN * PRICES.sqsFifoPerMillionRequests) / 1e6,
  };
  const total = Object.values(lines).reduce((sum, usd) => sum + usd, 0);
  return { heartbeatsPerMonth: heartbeats, lines, total };
}

const options = parseBenchOptions(process.argv.slice(2), { clusters: { default: 20 }, applications: { default: 10 }, rounds: { default: 20 } });
console.error(`measuring ${options.clusters} clusters × ${options.rounds} heartbeats, ${options.applications} applications each, on DynamoDB Local...`);
const measured = await measure(options);
const cost = monthlyCost(measured);
if (options.output === "json") {
  console.log(JSON.stringify({ options, measured, prices: PRICES, assumptions: { HEARTBEAT_SECONDS, API_MEMORY_GB, SCHEDULE_MINUTES }, cost }, null, 2));
} else {
  const m = measured.perHeartbeat;
  const requests = Object.entries(m.dynamodbRequests)
    .map(([operation, count]) => `${operation} ${count.toFixed(2)}`)
    .join(", ");
  console.log(`measured: ${measured.heartbeats} heartbeats in ${measured.seconds.toFixed(1)} s`);
  console.log(
    `per heartbeat: DynamoDB ${requests}; ${m.writeUnits.toFixed(2)} write units, ${m.readUnits.toFixed(2)} read units; hub p50 ${m.hubMsP50.toFixed(1)} ms, p99 ${m.hubMsP99.toFixed(1)} ms`,
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
