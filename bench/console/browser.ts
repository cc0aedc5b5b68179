// The browser side of bench/console: headless Chromium against a running hub with a large fleet.
//   time to a meaningful overview   navigation start → the console's mark "overview drawn with the fleet's counts" (goal < 1 s)
//   time to a filled clusters table navigation start → its mark "every cluster loaded and drawn" (goal < 1 s at 10,000)
//   matrix scroll frames            intervals between animation frames while the matrix scrolls steadily (goal p95 < 16 ms at 1,000 × 20),
//                                   beside the peer: the same scroll over a plain page with nothing to draw, in the same browser
//                                   just after, which gives the machine's frame cadence (one vsync, 16.7 ms at 60 Hz, is the floor
//                                   of any page's interval, so the goal is read as "no dropped frame at p95": within the peer's p95)
// Each view is loaded in a fresh tab (the admin token put in sessionStorage before the page's own
// script runs, as the sign-in form leaves it), and the times are the page's own performance marks.
//
//   npm run bench:console -- --browser-only [--clusters 10000] [--matrix-clusters 1000] [--apps 20] [--profile-hub DIR]
//       starts a hub (radial hub up, its own process), registers --clusters clusters, each reporting
//       once (--apps applications for the first --matrix-clusters, 2 for the rest), and measures;
//       --profile-hub DIR has the hub write a V8 CPU profile (node --cpu-prof) into DIR when it stops
//   tsx bench/console/browser.ts --hub URL --token TOKEN [--selector SELECTOR]
//       measures a hub already running; bench/console/index.ts --browser measures the hub it builds
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../../test/engines/chromium.js";
import { RegisterClusterResponse } from "../../contract/index.js";
import { MARKS } from "../../console/src/ui/marks.js";
import { makeFleet } from "../lib/fleet.js";
import { forEachBounded } from "../lib/pool.js";
import { applications, reportOnce } from "./agents.js";
import { startHubProcess } from "./hub-process.js";

export interface ConsoleFigures {
  overviewMs: number;
  /** Of overviewMs: from the first API request's start to the last response's end before the mark (Resource Timing), the hub's share. */
  overviewApiMs: number;
  clustersTableMs: number;
  clustersTableApiMs: number;
  clustersShown: number;
  matrixRows: number;
  matrixColumns: number;
  scrollFrames: number;
  scrollFrameP50Ms: number;
  scrollFrameP95Ms: number;
  /** The same scroll over a plain page of the matrix's height with nothing in it, measured just after. */
  peerFrameP50Ms: number;
  peerFrameP95Ms: number;
  /** Matrix frames longer than 1.5 of the peer's median interval: a frame the page missed. */
  droppedFrames: number;
}

const TOKEN_KEY = "radial.adminToken";
const WAIT_MS = 120_000;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A fresh tab signed in: the token is in sessionStorage before the console's script reads it. */
async function signedInPage(browser: Browser, token: string) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(([key, value]) => sessionStorage.setItem(key!, value!), [TOKEN_KEY, token]);
  return { page: await context.newPage(), close: () => context.close() };
}

/**
 * Loads `url` in a fresh tab and returns when the console set `mark` (milliseconds from navigation
 * start), and the span of the API requests before it: the time spent waiting for the hub.
 */
async function timeToMark(browser: Browser, token: string, url: string, mark: string): Promise<{ ms: number; apiMs: number }> {
  const { page, close } = await signedInPage(browser, token);
  try {
    await page.goto(url);
    await page.waitForFunction((name) => performance.getEntriesByName(name, "mark").length > 0, mark, { timeout: WAIT_MS });
    return await page.evaluate((name) => {
      const at = performance.getEntriesByName(name, "mark")[0]!.startTime;
      const api = performance
        .getEntriesByType("resource")
        .filter((entry) => entry.name.includes("/v1/") && entry.startTime < at) as PerformanceResourceTiming[];
      const apiMs = api.length === 0 ? 0 : Math.max(...api.map((entry) => entry.responseEnd)) - Math.min(...api.map((entry) => entry.startTime));
      return { ms: at, apiMs };
    }, mark);
  } finally {
    await close();
  }
}

/**
 * Scrolls the matrix body by a steady step per frame for `duration` ms and collects the intervals
 * between frames. Source text, not a function: tsx's transform names functions with a helper the
 * page does not have.
 */
const scrollScript = (duration: number, selector: string) => `new Promise((resolve) => {
  const body = document.querySelector(${JSON.stringify(selector)});
  const seen = [];
  let last = performance.now();
  const end = last + ${duration};
  requestAnimationFrame(function frame(now) {
    seen.push(now - last);
    last = now;
    body.scrollTop += 120;
    if (body.scrollTop + body.clientHeight >= body.scrollHeight) body.scrollTop = 0;
    if (now < end) requestAnimationFrame(frame);
    else resolve(seen.slice(1));
  });
})`;

/** The peer: the same scroll, in the same tab, over a plain box as tall as the matrix with nothing to draw. */
async function peerFrames(page: Page, height: number, scrollMs: number): Promise<number[]> {
  await page.setContent(
    `<div id="peer" style="height: 800px; overflow: auto"><div style="height: ${height}px; background: linear-gradient(#fff, #ccc)"></div></div>`,
  );
  return (await page.evaluate<number[]>(scrollScript(scrollMs, "#peer"))).sort((a, b) => a - b);
}

async function measureMatrix(browser: Browser, options: { hubUrl: string; token: string; selector?: string; scrollMs?: number }) {
  const { page, close } = await signedInPage(browser, options.token);
  try {
    const query = options.selector ? `?selector=${encodeURIComponent(options.selector)}` : "";
    await page.goto(`${options.hubUrl}/#/matrix${query}`);
    await page.waitForFunction(
      () => {
        const count = document.querySelector(".count")?.textContent ?? "";
        return count !== "" && !count.includes("loading") && document.querySelector("[aria-label='Applications by cluster'] .vbody [role=row]") !== null;
      },
      undefined,
      { timeout: WAIT_MS },
    );
    const table = page.locator("[role=table][aria-label='Applications by cluster']");
    const rows = Number(await table.getAttribute("aria-rowcount")) - 1;
    const columns = (await table.locator(".vhead [role=columnheader]").count()) - 1;
    const scrollMs = options.scrollMs ?? 5000;
    const intervals = await page.evaluate<number[]>(scrollScript(scrollMs, "[aria-label='Applications by cluster'] .vbody"));
    const height = await page.locator("[aria-label='Applications by cluster'] .vspace").evaluate((element) => element.scrollHeight);
    const frames = intervals.sort((a, b) => a - b);
    return { rows, columns, frames, peer: await peerFrames(page, height, scrollMs) };
  } finally {
    await close();
  }
}

/** Measures each view cold, in its own tab: the overview, the clusters table, then the matrix (filtered by `selector`) while it scrolls. */
export async function measureConsole(options: { hubUrl: string; token: string; selector?: string; scrollMs?: number }): Promise<ConsoleFigures> {
  const browser = await launchBrowser();
  try {
    const overview = await timeToMark(browser, options.token, `${options.hubUrl}/#/`, MARKS.overview);
    const clustersTable = await timeToMark(browser, options.token, `${options.hubUrl}/#/clusters`, MARKS.clustersFilled);
    const { page, close } = await signedInPage(browser, options.token);
    let clustersShown: number;
    try {
      await page.goto(`${options.hubUrl}/#/clusters`);
      await page.waitForFunction((name) => performance.getEntriesByName(name, "mark").length > 0, MARKS.clustersFilled, { timeout: WAIT_MS });
      clustersShown = Number(await page.locator("[role=table][aria-label=Clusters]").getAttribute("aria-rowcount")) - 1;
    } finally {
      await close();
    }
    const matrix = await measureMatrix(browser, options);
    return {
      overviewMs: overview.ms,
      overviewApiMs: overview.apiMs,
      clustersTableMs: clustersTable.ms,
      clustersTableApiMs: clustersTable.apiMs,
      clustersShown,
      matrixRows: matrix.rows,
      matrixColumns: matrix.columns,
      scrollFrames: matrix.frames.length,
      scrollFrameP50Ms: percentile(matrix.frames, 50),
      scrollFrameP95Ms: percentile(matrix.frames, 95),
      peerFrameP50Ms: percentile(matrix.peer, 50),
      peerFrameP95Ms: percentile(matrix.peer, 95),
      droppedFrames: matrix.frames.filter((interval) => interval > 1.5 * percentile(matrix.peer, 50)).length,
    };
  } finally {
    await browser.close();
  }
}

export function printConsoleFigures(figures: ConsoleFigures): void {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `console: overview drawn ${ms(figures.overviewMs)} after navigation start (goal < 1000 ms); API requests span ${ms(figures.overviewApiMs)} of it`,
  );
  console.log(
    `console: clusters table filled with ${figures.clustersShown} clusters ${ms(figures.clustersTableMs)} after navigation start (goal < 1000 ms); ` +
      `API requests span ${ms(figures.clustersTableApiMs)} of it`,
  );
  console.log(
    `console: matrix ${figures.matrixRows} clusters × ${figures.matrixColumns} applications, ${figures.scrollFrames} scroll frames: ` +
      `p50 ${figures.scrollFrameP50Ms.toFixed(1)} ms, p95 ${figures.scrollFrameP95Ms.toFixed(1)} ms (goal p95 < 16 ms); ` +
      `a plain page beside it: p50 ${figures.peerFrameP50Ms.toFixed(1)} ms, p95 ${figures.peerFrameP95Ms.toFixed(1)} ms; ` +
      `matrix p95 / plain p95 ${(figures.scrollFrameP95Ms / figures.peerFrameP95Ms).toFixed(2)}, ${figures.droppedFrames} frames dropped (longer than 1.5 plain medians)`,
  );
}

const progress = (text: string) => process.stderr.write(`[bench:console --browser-only] ${new Date().toISOString().slice(11, 19)} ${text}\n`);
/** The label that picks the clusters the matrix is measured on. */
const MATRIX_LABEL = { key: "bench-matrix", value: "yes" };

/**
 * The browser figures alone: a hub with `clusters` registered clusters that each reported once,
 * the first `matrixClusters` with `apps` applications (labelled for the matrix's selector), the
 * rest with 2.
 */
export async function measureStandalone(options: { clusters: number; matrixClusters: number; apps: number; profileHub?: string }): Promise<ConsoleFigures> {
  const hub = await startHubProcess({}, options.profileHub);
  try {
    progress(`hub up at ${hub.url}; registering ${options.clusters} clusters, each reporting once`);
    const fleet = makeFleet(options.clusters);
    let done = 0;
    await forEachBounded(options.clusters, 16, async (index) => {
      const cluster = fleet[index]!;
      const labels = index < options.matrixClusters ? { ...cluster.labels, [MATRIX_LABEL.key]: MATRIX_LABEL.value } : cluster.labels;
      const response = await fetch(`${hub.url}/v1/clusters`, {
        method: "POST",
        headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: cluster.name, labels }),
      });
      if (response.status !== 201) throw new Error(`registering ${cluster.name}: ${response.status} ${await response.text()}`);
      const { token } = RegisterClusterResponse.parse(await response.json());
      await reportOnce(hub.url, {
        name: cluster.name,
        labels,
        token,
        applications: applications(cluster.name, index < options.matrixClusters ? options.apps : 2),
      });
      if (++done % 1000 === 0) progress(`${done} of ${options.clusters} registered and reported`);
    });
    // The hub's first fleet snapshot reads every item once (bench:console's server side measures that); the console is measured on a warm hub.
    const warm = await fetch(`${hub.url}/v1/fleet`, { headers: { authorization: `Bearer ${hub.token}` } });
    if (!warm.ok) throw new Error(`GET /v1/fleet: ${warm.status} ${await warm.text()}`);
    progress("measuring the console in Chromium");
    return await measureConsole({ hubUrl: hub.url, token: hub.token, selector: `${MATRIX_LABEL.key}=${MATRIX_LABEL.value}` });
  } finally {
    await hub.stop();
  }
}

/** `--browser-only` (from bench/console/index.ts): the standalone measurement, with its own options. */
export async function runBrowserOnly(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== "--browser-only"),
    options: {
      clusters: { type: "string", default: "10000" },
      "matrix-clusters": { type: "string", default: "1000" },
      apps: { type: "string", default: "20" },
      output: { type: "string", default: "table" },
      "profile-hub": { type: "string" },
    },
  });
  const count = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
    return n;
  };
  const clusters = count("clusters", values.clusters);
  const matrixClusters = count("matrix-clusters", values["matrix-clusters"]);
  if (matrixClusters > clusters) throw new Error(`--matrix-clusters ${matrixClusters} must not exceed --clusters ${clusters}`);
  const profileHub = values["profile-hub"];
  const figures = await measureStandalone({ clusters, matrixClusters, apps: count("apps", values.apps), ...(profileHub ? { profileHub } : {}) });
  if (values.output === "json") console.log(JSON.stringify(figures, null, 2));
  else printConsoleFigures(figures);
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { hub: { type: "string" }, token: { type: "string" }, selector: { type: "string" } } });
  if (!values.hub || !values.token) {
    console.error("usage: tsx bench/console/browser.ts --hub URL --token ADMIN_TOKEN [--selector SELECTOR]");
    process.exit(2);
  }
  printConsoleFigures(await measureConsole({ hubUrl: values.hub, token: values.token, ...(values.selector ? { selector: values.selector } : {}) }));
}
