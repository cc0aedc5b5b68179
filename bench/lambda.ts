// `npm run bench:lambda`: the hub's functions as Lambda runs them. For each function, its bundle's
// size (the minified asset `cdk synth` produced, test/infra/synth.ts: what a cold start loads, and
// the whole asset with the chunks loaded on first use) and, under AWS's Runtime Interface Emulator with the
// Node.js runtime interface client, its cold init (the emulator's INIT REPORT) and first request
// against a hello-world function measured in the same run (the ratio), then warm p50/p99.
// Goals (issue 13): API bundle <= 1 MB; API cold init <= 2x hello-world. A third peer, the init
// floor (lambda/init-floor.ts: only what the issue requires of every function at init, none of the
// hub), shows how much of the API's init is the hub's own: its ratio to the floor.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { installNodeRuntime, NODE_VERSION, runningNodeFits } from "../build/node-runtime.js";
import { bundle, bundleFunction } from "../test/lambda/bundles.js";
import { httpEvent, OPERATOR_ARN } from "../test/lambda/events.js";
import { startFunction, type LambdaFunction } from "../test/lambda/function.js";
import { startLambdaHub } from "../test/lambda/hub.js";

const COLD_STARTS = Number(process.env.RADIAL_BENCH_COLD_STARTS ?? 5);
const WARM_REQUESTS = Number(process.env.RADIAL_BENCH_WARM_REQUESTS ?? 200);
const MB = 1024 * 1024;
/** The subjects' order: the peers first. */
const [HELLO, FLOOR, API] = [0, 1, 2];

interface Figures {
  name: string;
  /** What a cold start loads (index.mjs and the chunks it imports), and the whole asset. */
  bytes: number;
  totalBytes: number;
  initMs: number;
  firstMs: number;
  /** The medians of each round's init and first request over hello-world's in the same round. */
  initRatio: number;
  firstRatio: number;
  /** The median of each round's init over the init floor's in the same round. */
  initOverFloor: number;
  p50: number;
  p99: number;
}

interface Subject {
  name: string;
  bytes: number;
  totalBytes: number;
  start: () => Promise<LambdaFunction>;
  event: unknown;
}

const median = (values: number[]) => percentile(values, 0.5);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/**
 * Cold starts in rounds, one of each subject per round on a fresh emulator (hello-world first), so
 * that each ratio compares starts made seconds apart under the same load; then warm requests on
 * each subject's last instance.
 */
async function measure(subjects: Subject[]): Promise<Figures[]> {
  const inits = subjects.map((): number[] => []);
  const firsts = subjects.map((): number[] => []);
  const last: (LambdaFunction | undefined)[] = [];
  for (let round = 0; round < COLD_STARTS; round++) {
    for (const [i, subject] of subjects.entries()) {
      await last[i]?.stop();
      const fn = (last[i] = await subject.start());
      firsts[i]!.push((await fn.invoke(subject.event)).ms);
      inits[i]!.push(fn.inits()[0] ?? NaN);
    }
  }
  const ratios = (values: number[][], i: number, peer = HELLO) => median(values[i]!.map((value, round) => value / values[peer]![round]!));
  const figures: Figures[] = [];
  for (const [i, subject] of subjects.entries()) {
    const warm: number[] = [];
    for (let n = 0; n < WARM_REQUESTS; n++) warm.push((await last[i]!.invoke(subject.event)).ms);
    await last[i]!.stop();
    const [initMs, firstMs] = [median(inits[i]!), median(firsts[i]!)];
    figures.push({
      name: subject.name,
      bytes: subject.bytes,
      totalBytes: subject.totalBytes,
      initMs,
      firstMs,
      initRatio: ratios(inits, i),
      firstRatio: ratios(firsts, i),
      initOverFloor: ratios(inits, i, FLOOR),
      p50: percentile(warm, 0.5),
      p99: percentile(warm, 0.99),
    });
  }
  return figures;
}

async function main(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), "radial-bench-lambda-"));
  const hub = await startLambdaHub({ "generators/.keep": "" });
  try {
    await writeFile(join(out, "hello.mjs"), "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n");
    const hello = await bundle(join(out, "hello.mjs"), out, "hello");
    const floor = await bundle(fileURLToPath(new URL("lambda/init-floor.ts", import.meta.url)), out, "init-floor");
    const [api, worker, schedule] = await Promise.all([bundleFunction("api"), bundleFunction("worker"), bundleFunction("schedule")]);
    const healthz = httpEvent("GET", "/healthz");
    const list = httpEvent("GET", "/v1/clusters", { iamCaller: OPERATOR_ARN });
    const rows = await measure([
      { name: "hello-world", bytes: hello.bytes, totalBytes: hello.bytes, start: () => startFunction(hello.dir, {}, "hello"), event: healthz },
      { name: "init floor", bytes: floor.bytes, totalBytes: floor.bytes, start: () => startFunction(floor.dir, hub.env, "init-floor"), event: healthz },
      { name: "api (GET /healthz)", bytes: api.bytes, totalBytes: api.totalBytes, start: () => hub.startApi(), event: healthz },
      { name: "api (GET /v1/clusters)", bytes: api.bytes, totalBytes: api.totalBytes, start: () => hub.startApi(), event: list },
      { name: "generate-worker (empty batch)", bytes: worker.bytes, totalBytes: worker.totalBytes, start: () => hub.worker(), event: { Records: [] } },
      { name: "schedule (source poll)", bytes: schedule.bytes, totalBytes: schedule.totalBytes, start: () => hub.startSchedule(), event: { action: "poll" } },
    ]);
    print(rows);
  } finally {
    await hub.stop();
    await rm(out, { recursive: true, force: true });
  }
}

function print(rows: Figures[]): void {
  const fixed = (n: number) => (Number.isNaN(n) ? "-" : n.toFixed(1));
  console.log(
    `Lambda functions under the Runtime Interface Emulator (Node.js ${NODE_VERSION}); ${COLD_STARTS} rounds of cold starts (medians; x hello: the median of each round's ratio), ${WARM_REQUESTS} warm requests`,
  );
  console.log(["function".padEnd(32), "loaded MB", "bundle MB", "init ms", "x hello", "x floor", "first ms", "x hello", "warm p50", "warm p99"].join("  "));
  for (const row of rows) {
    const cells = [
      row.name.padEnd(32),
      (row.bytes / MB).toFixed(2).padStart(9),
      (row.totalBytes / MB).toFixed(2).padStart(9),
      fixed(row.initMs).padStart(7),
      fixed(row.initRatio).padStart(7),
      fixed(row.initOverFloor).padStart(7),
      fixed(row.firstMs).padStart(8),
      fixed(row.firstRatio).padStart(7),
      fixed(row.p50).padStart(8),
      fixed(row.p99).padStart(8),
    ];
    console.log(cells.join("  "));
  }
  const [floor, api] = [rows[FLOOR]!, rows[API]!];
  console.log(
    `goal: API bundle <= 1 MB: ${api.totalBytes <= MB ? "met" : "NOT met"} (${(api.totalBytes / MB).toFixed(2)} MB, of which ${(api.bytes / MB).toFixed(2)} MB loaded at a cold start)`,
  );
  console.log(
    `goal: API cold init <= 2x hello-world: ${api.initRatio <= 2 ? "met" : "NOT met"} (${api.initRatio.toFixed(1)}x); ` +
      `the init floor alone is ${floor.initRatio.toFixed(1)}x hello-world, the API ${api.initOverFloor.toFixed(2)}x the floor`,
  );
}

// The bench itself runs on the project's Node.js too, as the suite does (test/run.ts).
if (runningNodeFits()) await main();
else {
  const node = await installNodeRuntime();
  process.exit(spawnSync(node, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: "inherit" }).status ?? 1);
}
