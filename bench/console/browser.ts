// The browser side of bench/console: headless Chromium against a running hub with a large fleet.
//   time to a meaningful overview   navigation → the overview's counts on screen (goal < 1 s)
//   time to a filled clusters table navigation → every cluster loaded and the first rows drawn (goal < 1 s at 10,000)
//   matrix scroll frames            frame intervals while the matrix scrolls steadily (goal p95 < 16 ms at 1,000 × 20)
// `tsx bench/console/browser.ts --hub URL --token TOKEN` measures a hub already running; the
// server-side bench imports measureConsole() for the fleet it builds.
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { launchBrowser } from "../../test/engines/chromium.js";

export interface ConsoleFigures {
  overviewMs: number;
  clustersTableMs: number;
  clustersShown: number;
  matrixRows: number;
  matrixColumns: number;
  scrollFrames: number;
  scrollFrameP50Ms: number;
  scrollFrameP95Ms: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Milliseconds from navigation to `ready` holding in the page (checked every animation frame). */
async function timeTo(page: Page, url: string, ready: () => boolean): Promise<number> {
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction(ready, undefined, { timeout: 120_000, polling: "raf" });
  return performance.now() - started;
}

/** Scrolls the matrix body by a steady step per frame for `ms` and returns the intervals between frames. */
async function scrollFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(async (duration) => {
    const body = document.querySelector<HTMLElement>("[aria-label='Applications by cluster'] .vbody")!;
    const intervals: number[] = [];
    let last = performance.now();
    const end = last + duration;
    await new Promise<void>((resolve) => {
      const frame = (now: number) => {
        intervals.push(now - last);
        last = now;
        body.scrollTop += 120;
        if (body.scrollTop + body.clientHeight >= body.scrollHeight) body.scrollTop = 0;
        if (now < end) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    return intervals.slice(1);
  }, ms);
}

/** Signs in once (the token goes to sessionStorage, as the sign-in form puts it), then measures each view cold. */
export async function measureConsole(options: { hubUrl: string; token: string; scrollMs?: number }): Promise<ConsoleFigures> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${options.hubUrl}/#/none`);
    await page.evaluate((token) => sessionStorage.setItem("radial.adminToken", token), options.token);
    const overviewMs = await timeTo(page, `${options.hubUrl}/#/`, () => document.querySelector(".card dd") !== null);
    await page.goto(`${options.hubUrl}/#/none`);
    const clustersTableMs = await timeTo(page, `${options.hubUrl}/#/clusters`, () => {
      const count = document.querySelector(".count")?.textContent ?? "";
      return !count.includes("loading") && document.querySelector("[aria-label=Clusters] .vbody [role=row]") !== null;
    });
    const clustersShown = await page.locator("[role=table][aria-label=Clusters]").evaluate((table) => Number(table.getAttribute("aria-rowcount")) - 1);
    await timeTo(page, `${options.hubUrl}/#/matrix`, () => {
      const count = document.querySelector(".count")?.textContent ?? "";
      return count !== "" && !count.includes("loading");
    });
    const table = page.locator("[role=table][aria-label='Applications by cluster']");
    const matrixRows = Number(await table.getAttribute("aria-rowcount")) - 1;
    const matrixColumns = (await table.locator(".vhead [role=columnheader]").count()) - 1;
    const frames = (await scrollFrames(page, options.scrollMs ?? 5000)).sort((a, b) => a - b);
    return {
      overviewMs,
      clustersTableMs,
      clustersShown,
      matrixRows,
      matrixColumns,
      scrollFrames: frames.length,
      scrollFrameP50Ms: percentile(frames, 50),
      scrollFrameP95Ms: percentile(frames, 95),
    };
  } finally {
    await browser.close();
  }
}

export function printConsoleFigures(figures: ConsoleFigures): void {
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(`console: overview ${ms(figures.overviewMs)} (goal < 1000 ms)`);
  console.log(`console: clusters table filled with ${figures.clustersShown} clusters in ${ms(figures.clustersTableMs)} (goal < 1000 ms)`);
  console.log(
    `console: matrix ${figures.matrixRows} clusters × ${figures.matrixColumns} applications, ${figures.scrollFrames} scroll frames: ` +
      `p50 ${figures.scrollFrameP50Ms.toFixed(1)} ms, p95 ${figures.scrollFrameP95Ms.toFixed(1)} ms (goal p95 < 16 ms)`,
  );
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { hub: { type: "string" }, token: { type: "string" } } });
  if (!values.hub || !values.token) {
    console.error("usage: tsx bench/console/browser.ts --hub URL --token ADMIN_TOKEN");
    process.exit(2);
  }
  printConsoleFigures(await measureConsole({ hubUrl: values.hub, token: values.token }));
}
