// `npm run bench:lambda`: the hub's functions as Lambda runs them. For each function, its bundle's
// size (the minified asset `cdk synth` produced, test/infra/synth.ts) and, under AWS's Runtime Interface Emulator with the
// Node.js runtime interface client, its cold init (the emulator's INIT REPORT) and first request
// against a hello-world function measured in the same run (the ratio), then warm p50/p99.
// Goals (issue 13): API bundle <= 1 MB; API cold init <= 2x hello-world.
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

interface Figures {
  name: string;
  bytes: number;
  initMs: number;
  firstMs: number;
  p50: number;
  p99: number;
}

const median = (values: number[]) => percentile(values, 0.5);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Cold starts on fresh emulators (median init and first request), then warm requests on the last. */
async function measure(name: string, bytes: number, start: () => Promise<LambdaFunction>, event: unknown): Promise<Figures> {
  const inits: number[] = [];
  const firsts: number[] = [];
  let fn: LambdaFunction | undefined;
  for (let i = 0; i < COLD_STARTS; i++) {
    await fn?.stop();
    fn = await start();
    firsts.push((await fn.invoke(event)).ms);
    inits.push(fn.inits()[0] ?? NaN);
  }
  const warm: number[] = [];
  for (let i = 0; i < WARM_REQUESTS; i++) warm.push((await fn!.invoke(event)).ms);
  await fn?.stop();
  return { name, bytes, initMs: median(inits), firstMs: median(firsts), p50: percentile(warm, 0.5), p99: percentile(warm, 0.99) };
}

async function main(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), "radial-bench-lambda-"));
  const hub = await startLambdaHub({ "generators/.keep": "" });
  try {
    await writeFile(join(out, "hello.mjs"), "export const handler = async () => ({ statusCode: 200, body: 'hello' });\n");
    const hello = await bundle(join(out, "hello.mjs"), out, "hello");
    const [api, worker, schedule] = await Promise.all([bundleFunction("api"), bundleFunction("worker"), bundleFunction("schedule")]);
    const healthz = httpEvent("GET", "/healthz");
    const list = httpEvent("GET", "/v1/clusters", { iamCaller: OPERATOR_ARN });
    const rows = [
      await measure("hello-world", hello.bytes, () => startFunction(hello.dir, {}, "hello"), healthz),
      await measure("api (GET /healthz)", api.bytes, () => hub.startApi(), healthz),
      await measure("api (GET /v1/clusters)", api.bytes, () => hub.startApi(), list),
      await measure("generate-worker (empty batch)", worker.bytes, () => hub.worker(), { Records: [] }),
      { name: "schedule", bytes: schedule.bytes, initMs: NaN, firstMs: NaN, p50: NaN, p99: NaN },
    ];
    print(rows);
  } finally {
    await hub.stop();
    await rm(out, { recursive: true, force: true });
  }
}

function print(rows: Figures[]): void {
  const hello = rows[0]!;
  const fixed = (n: number) => (Number.isNaN(n) ? "-" : n.toFixed(1));
  console.log(
    `Lambda functions under the Runtime Interface Emulator (Node.js ${NODE_VERSION}); ${COLD_STARTS} cold starts (median), ${WARM_REQUESTS} warm requests`,
  );
  console.log(["function".padEnd(32), "bundle MB", "init ms", "x hello", "first ms", "x hello", "warm p50", "warm p99"].join("  "));
  for (const row of rows) {
    const cells = [
      row.name.padEnd(32),
      (row.bytes / MB).toFixed(2).padStart(9),
      fixed(row.initMs).padStart(7),
      fixed(row.initMs / hello.initMs).padStart(7),
      fixed(row.firstMs).padStart(8),
      fixed(row.firstMs / hello.firstMs).padStart(7),
      fixed(row.p50).padStart(8),
      fixed(row.p99).padStart(8),
    ];
    console.log(cells.join("  "));
  }
  const api = rows[1]!;
  console.log(`goal: API bundle <= 1 MB: ${api.bytes <= MB ? "met" : "NOT met"} (${(api.bytes / MB).toFixed(2)} MB)`);
  console.log(`goal: API cold init <= 2x hello-world: ${api.initMs <= 2 * hello.initMs ? "met" : "NOT met"} (${(api.initMs / hello.initMs).toFixed(1)}x)`);
}

// The bench itself runs on the project's Node.js too, as the suite does (test/run.ts).
if (runningNodeFits()) await main();
else {
  const node = await installNodeRuntime();
  process.exit(spawnSync(node, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: "inherit" }).status ?? 1);
}
