// Inventory benchmark: registers a fleet and lists it by label selector through the hub's HTTP
// API, on the embedded store (dynalite, what `npm start` uses) and on DynamoDB Local (AWS's
// engine), and prints both side by side with the ratio DynamoDB Local / embedded.
//
//   npx tsx bench/inventory.ts [--clusters 10000] [--lists 100] [--concurrency 16] [--output table|json]
//
// The stores run one after the other, never together, so they do not compete for the CPU.
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { performance } from "node:perf_hooks";
import type { ClusterList } from "../contract/clusters.js";
import { SHARDS } from "../lambdas/adapters/dynamodb/table.js";
import { matches, parseSelector } from "../core/labels/selector.js";
import { startDynamoDBLocal } from "../test/engines/dynamodb-local.js";
import { startTestHub, type TestHub } from "../test/hub/harness.js";
import { dynamoItemBytes } from "./lib/dynamodb-size.js";
import { makeFleet, type FleetCluster } from "./lib/fleet.js";
import { countHttpRequests, startMeter, type Usage } from "./lib/meter.js";
import { forEachBounded } from "./lib/pool.js";
import { summarize, type Summary } from "./lib/stats.js";
import { parseBenchOptions, type OutputFormat } from "./lib/options.js";
import { formatNumber, formatRatio, formatTable } from "./lib/table.js";

interface Options {
  clusters: number;
  lists: number;
  concurrency: number;
  output: OutputFormat;
}

/** The largest page the API serves; fewer round trips per full list. */
const PAGE_SIZE = 500;
const PROGRESS_EVERY = 1000;

function parseOptions(argv: string[]): Options {
  return parseBenchOptions(argv, { clusters: { default: 10_000 }, lists: { default: 100 }, concurrency: { default: 16 } });
}

// ---- the fleet ------------------------------------------------------------------------------

/** One of each kind a user writes, from broad to narrow; the run cycles through them. */
const SELECTORS = [
  "env=prod",
  "env!=dev",
  "region in (us-east-1,eu-west-1,ap-southeast-1)",
  "tier notin (batch,data)",
  "!canary",
  "canary",
  "team=team-07",
  "generation>15",
  "env=prod,tier in (web,api),!canary",
  "env=staging,region=eu-west-1,team in (team-01,team-02)",
];

// ---- the stores -----------------------------------------------------------------------------

type StoreKey = "embedded" | "dynamodbLocal";

interface Store {
  key: StoreKey;
  hub: TestHub;
  /** The engine's own process, when it has one, to charge its CPU separately. */
  enginePid?: number;
  /** The engine's DynamoDB endpoint, when the bench can reach it (the embedded one is private to the hub). */
  endpoint?: string;
  stop(): Promise<void>;
}

const STORE_TITLES: Record<StoreKey, string> = { embedded: "embedded (dynalite)", dynamodbLocal: "DynamoDB Local" };

const STARTERS: Record<StoreKey, () => Promise<Store>> = {
  async embedded() {
    const hub = await startTestHub();
    return { key: "embedded", hub, stop: () => hub.stop() };
  },
  async dynamodbLocal() {
    const engine = await startDynamoDBLocal();
    const hub = await startTestHub({ dynamodbEndpoint: engine.endpoint });
    return {
      key: "dynamodbLocal",
      hub,
      enginePid: engine.pid,
      endpoint: engine.endpoint,
      async stop() {
        await hub.stop();
        await engine.stop();
      },
    };
  },
};

// ---- the phases -----------------------------------------------------------------------------

interface RegisterFigures {
  count: number;
  perSecond: number;
  latencyMs: Summary;
  usage: Usage;
}

interface ListRun {
  selector: string;
  ms: number;
  matched: number;
  scanned: number;
  pages: number;
  /** Calls the hub made to the store (Query pages) to answer the whole list. */
  storeRequests: number;
}

interface ListFigures {
  count: number;
  wallMs: Summary;
  matched: Summary;
  scanned: Summary;
  pages: Summary;
  usage: Usage;
  storeRequests: Summary;
  bySelector: (Omit<ListRun, "ms"> & { p50Ms: number })[];
}

const progress = (store: Store, text: string) => process.stderr.write(`[${STORE_TITLES[store.key]}] ${text}\n`);

async function registerFleet(store: Store, fleet: FleetCluster[], concurrency: number): Promise<RegisterFigures> {
  const latencies: number[] = [];
  const meter = startMeter(store.enginePid);
  await forEachBounded(fleet.length, concurrency, async (i) => {
    const started = performance.now();
    const response = await store.hub.api("POST", "/v1/clusters", { body: fleet[i] });
    latencies.push(performance.now() - started);
    if (response.status !== 201) throw new Error(`registering ${fleet[i]!.name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    if (latencies.length % PROGRESS_EVERY === 0) {
      progress(store, `registered ${latencies.length}/${fleet.length} (${formatNumber(latencies.length / ((performance.now() - meter.startedAt) / 1000))}/s)`);
    }
  });
  const usage = meter.stop();
  return { count: fleet.length, perSecond: fleet.length / (usage.wallMs / 1000), latencyMs: summarize(latencies), usage };
}

/** Lists every cluster `selector` matches, following each page, the way a client reads the whole answer. */
async function listAll(hub: TestHub, selector: string): Promise<ListRun> {
  const started = performance.now();
  const requests = countHttpRequests();
  let matched = 0;
  let scanned = 0;
  let pages = 0;
  let pageToken: string | null = null;
  do {
    const query = new URLSearchParams({ selector, limit: String(PAGE_SIZE), ...(pageToken ? { pageToken } : {}) });
    const response = await hub.api("GET", `/v1/clusters?${query}`);
    if (response.status !== 200) throw new Error(`listing "${selector}": HTTP ${response.status} ${JSON.stringify(response.body)}`);
    // Not parsed: validating every page would add to the latency measured; the contract tests check the shape.
    const page = response.body as ClusterList;
    matched += page.items.length;
    scanned += Number(response.headers.get("x-radial-scanned"));
    pages++;
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { selector, ms: performance.now() - started, matched, scanned, pages, storeRequests: requests.stop() };
}

/**
 * Runs the lists one at a time, so each wall time is one full list's latency, not a share of a
 * contended server. A wrong count fails the run: a fast wrong answer is no figure.
 */
async function runLists(store: Store, count: number, expected: Map<string, number>): Promise<ListFigures> {
  const runs: ListRun[] = [];
  const meter = startMeter(store.enginePid);
  for (let i = 0; i < count; i++) {
    const run = await listAll(store.hub, SELECTORS[i % SELECTORS.length]!);
    if (run.matched !== expected.get(run.selector))
      throw new Error(`"${run.selector}" matched ${run.matched} clusters on the ${STORE_TITLES[store.key]}, expected ${expected.get(run.selector)}`);
    runs.push(run);
    if ((i + 1) % 10 === 0) progress(store, `listed ${i + 1}/${count} (last: ${formatNumber(run.ms)} ms, ${run.scanned} scanned)`);
  }
  const usage = meter.stop();
  const bySelector = SELECTORS.flatMap((selector) => {
    const mine = runs.filter((r) => r.selector === selector);
    if (mine.length === 0) return [];
    const { ms: _ms, ...counts } = mine[0]!;
    return [{ ...counts, p50Ms: summarize(mine.map((r) => r.ms)).p50 }];
  });
  return {
    count,
    wallMs: summarize(runs.map((r) => r.ms)),
    matched: summarize(runs.map((r) => r.matched)),
    scanned: summarize(runs.map((r) => r.scanned)),
    pages: summarize(runs.map((r) => r.pages)),
    storeRequests: summarize(runs.map((r) => r.storeRequests)),
    usage,
    bySelector,
  };
}

/** How many clusters each selector should match, worked out here, independent of the hub. */
function expectedMatches(fleet: FleetCluster[]): Map<string, number> {
  return new Map(SELECTORS.map((s) => [s, fleet.filter((c) => matches(parseSelector(s), c.labels)).length]));
}

// ---- item size and what it means on DynamoDB ------------------------------------------------

interface ItemSize {
  /** The stored item as DynamoDB bills it (keys, index attributes, token hash and all). */
  storedBytes: number;
  /** The same item as JSON, the figure people usually quote. */
  storedJsonBytes: number;
  /** One cluster as the API returns it, what a list sends per match. */
  apiJsonBytes: number;
}

/** Reads one stored cluster item straight from the engine; the hub made the only table there. */
async function measureItem(store: Store): Promise<ItemSize> {
  const client = new DynamoDBClient({ endpoint: store.endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.length !== 1) throw new Error(`expected the hub's one table, found ${TableNames.join(", ") || "none"}`);
    // Any one item will do: the table holds only cluster items here, all built alike.
    const { Items = [] } = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: TableNames[0], Limit: 1 }));
    const stored = Items[0];
    if (!stored) throw new Error("the table holds no cluster item");
    const api = await store.hub.api("GET", `/v1/clusters/${String(stored.name)}`);
    return {
      storedBytes: dynamoItemBytes(stored),
      storedJsonBytes: Buffer.byteLength(JSON.stringify(stored)),
      apiJsonBytes: Buffer.byteLength(JSON.stringify(api.body)),
    };
  } finally {
    client.destroy();
  }
}

/**
 * On-demand list prices, us-east-1, Standard table class, since the November 2024 price cut. Check
 * https://aws.amazon.com/dynamodb/pricing/on-demand/ before quoting them.
 */
const USD_PER_MILLION_READ_UNITS = 0.125;
const USD_PER_MILLION_WRITE_UNITS = 0.625;
/** Per-partition throughput: one index shard (one partition key value) gets this much unless DynamoDB splits it. */
const PARTITION_READ_UNITS = 3000;
const PARTITION_WRITE_UNITS = 1000;

interface CapacityEstimate {
  /** Registration: a strongly consistent existence check, then a put on the table and its GSI copy. */
  writeUnitsPerRegistration: number;
  readUnitsPerRegistration: number;
  usdPerThousandRegistrations: number;
  /** A full list: eventually consistent Query pages over the GSI, 4 KB per half read unit. */
  readUnitsPerList: number;
  usdPerThousandLists: number;
  /** Ceilings from per-partition limits, with traffic spread evenly over the shards. */
  maxRegistrationsPerSecond: number;
  maxListsPerSecond: number;
}

function estimateCapacity(item: ItemSize, scannedPerList: number): CapacityEstimate {
  // `byShard` projects ALL, so a registration writes the whole item twice, to the table and to the
  // index (the index's extra 100 bytes per entry are billed as storage, not throughput).
  const itemWriteUnits = Math.ceil(item.storedBytes / 1024);
  const writeUnitsPerRegistration = 2 * itemWriteUnits;
  const readUnitsPerRegistration = Math.ceil(item.storedBytes / 4096);
  // Query rounds the summed size of each page up to 4 KB; with pages of hundreds of items the
  // rounding is noise, so the whole list's bytes over 4 KB, halved for eventual consistency.
  const readUnitsPerList = Math.ceil((scannedPerList * item.storedBytes) / 4096) / 2;
  return {
    writeUnitsPerRegistration,
    readUnitsPerRegistration,
    usdPerThousandRegistrations:
      (1000 * (writeUnitsPerRegistration * USD_PER_MILLION_WRITE_UNITS + readUnitsPerRegistration * USD_PER_MILLION_READ_UNITS)) / 1e6,
    readUnitsPerList,
    usdPerThousandLists: (1000 * readUnitsPerList * USD_PER_MILLION_READ_UNITS) / 1e6,
    maxRegistrationsPerSecond: (SHARDS * PARTITION_WRITE_UNITS) / itemWriteUnits,
    maxListsPerSecond: (SHARDS * PARTITION_READ_UNITS) / readUnitsPerList,
  };
}

// ---- the report -----------------------------------------------------------------------------

interface StoreFigures {
  register: RegisterFigures;
  list: ListFigures;
}

/** One figure on both stores, and DynamoDB Local's over the embedded store's. */
interface Comparison {
  figure: string;
  embedded: number | null;
  dynamodbLocal: number | null;
  ratio: number | null;
}

interface Report {
  options: Options;
  comparison: Comparison[];
  stores: Record<StoreKey, StoreFigures>;
  item: ItemSize;
  capacity: CapacityEstimate;
}

/** Each row: a label and how to read the figure from one store's results (null: not measured there). */
const ROWS: [string, (f: StoreFigures) => number | null][] = [
  ["registrations/s", (f) => f.register.perSecond],
  ["register p50 ms", (f) => f.register.latencyMs.p50],
  ["register p99 ms", (f) => f.register.latencyMs.p99],
  ["store requests per registration", (f) => f.register.usage.httpRequests / f.register.count],
  ["register: node CPU (cores)", (f) => f.register.usage.nodeCores],
  ["register: node event loop busy", (f) => f.register.usage.eventLoop],
  ["register: engine JVM CPU (cores)", (f) => f.register.usage.engineCores],
  ["full list p50 ms", (f) => f.list.wallMs.p50],
  ["full list p99 ms", (f) => f.list.wallMs.p99],
  ["matched per list (mean)", (f) => f.list.matched.mean],
  ["scanned per list (mean)", (f) => f.list.scanned.mean],
  ["HTTP pages per list (mean)", (f) => f.list.pages.mean],
  ["store requests (Query) per list (mean)", (f) => f.list.storeRequests.mean],
  ["clusters scanned/s", (f) => f.list.scanned.mean / (f.list.wallMs.mean / 1000)],
  ["list: node CPU (cores)", (f) => f.list.usage.nodeCores],
  ["list: node event loop busy", (f) => f.list.usage.eventLoop],
  ["list: engine JVM CPU (cores)", (f) => f.list.usage.engineCores],
];

function compare(stores: Record<StoreKey, StoreFigures>): Comparison[] {
  return ROWS.map(([figure, read]) => {
    const embedded = read(stores.embedded);
    const dynamodbLocal = read(stores.dynamodbLocal);
    const ratio = embedded === null || dynamodbLocal === null || embedded === 0 ? null : dynamodbLocal / embedded;
    return { figure, embedded, dynamodbLocal, ratio };
  });
}

function renderTable(report: Report): string {
  const { embedded, dynamodbLocal } = report.stores;
  const cell = (value: number | null) => (value === null ? "-" : formatNumber(value));
  const figures = formatTable(
    ["figure", STORE_TITLES.embedded, STORE_TITLES.dynamodbLocal, "ratio (Local/embedded)"],
    report.comparison.map((c) => [c.figure, cell(c.embedded), cell(c.dynamodbLocal), formatRatio(c.ratio)]),
  );
  const selectors = formatTable(
    ["selector", "matched", "scanned", "pages", "Queries", "embedded p50 ms", "Local p50 ms"],
    embedded.list.bySelector.map((s, i) => [
      s.selector,
      String(s.matched),
      String(s.scanned),
      String(s.pages),
      String(s.storeRequests),
      formatNumber(s.p50Ms),
      formatNumber(dynamodbLocal.list.bySelector[i]!.p50Ms),
    ]),
  );
  const { item, capacity } = report;
  const o = report.options;
  return [
    `inventory: ${o.clusters} clusters registered ${o.concurrency} at a time, ${o.lists} full lists one at a time (pages of ${PAGE_SIZE})`,
    "",
    figures,
    "",
    selectors,
    "",
    `cluster item: ${item.storedBytes} B as DynamoDB bills it (${item.storedJsonBytes} B as JSON); ${item.apiJsonBytes} B in the API's JSON`,
    `on DynamoDB (estimates, on-demand us-east-1 list prices, ${SHARDS} index shards):`,
    `  register: ${capacity.writeUnitsPerRegistration} WRU (table + index) + ${capacity.readUnitsPerRegistration} RRU, $${capacity.usdPerThousandRegistrations.toFixed(5)} per 1,000; ceiling ~${formatNumber(capacity.maxRegistrationsPerSecond)}/s from index partitions`,
    `  full list: ${formatNumber(capacity.readUnitsPerList)} RRU, $${capacity.usdPerThousandLists.toFixed(4)} per 1,000 lists; ceiling ~${formatNumber(capacity.maxListsPerSecond)} lists/s from index partitions`,
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------

async function benchStore(
  key: StoreKey,
  fleet: FleetCluster[],
  options: Options,
  expected: Map<string, number>,
): Promise<{ figures: StoreFigures; item?: ItemSize }> {
  const store = await STARTERS[key]();
  try {
    const register = await registerFleet(store, fleet, options.concurrency);
    const list = await runLists(store, options.lists, expected);
    // The stored item is the same bytes on both engines, as the same code writes it.
    const item = store.endpoint ? await measureItem(store) : undefined;
    return { figures: { register, list }, item };
  } finally {
    await store.stop();
  }
}

async function main(): Promise<void> {
  // As test/run.ts does: the SDK's Node-version notice would only interleave with the progress lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const options = parseOptions(process.argv.slice(2));
  const fleet = makeFleet(options.clusters);
  const expected = expectedMatches(fleet);
  const embedded = await benchStore("embedded", fleet, options, expected);
  const local = await benchStore("dynamodbLocal", fleet, options, expected);
  const item = local.item!;
  const stores = { embedded: embedded.figures, dynamodbLocal: local.figures };
  const report: Report = {
    options,
    comparison: compare(stores),
    stores,
    item,
    capacity: estimateCapacity(item, local.figures.list.scanned.mean),
  };
  process.stdout.write(`${options.output === "json" ? JSON.stringify(report, null, 2) : renderTable(report)}\n`);
}

await main();
