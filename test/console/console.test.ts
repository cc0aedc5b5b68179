// The console in headless Chromium against an embedded hub fed by real agents on real KWOK
// clusters (see fleet-fixture.ts): each view shows its cluster's truth, the overview leads down to
// one resource, a relabel reaches the open clusters table without a reload, every view passes
// axe-core, and every view is saved as a screenshot under reports/console/.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { FleetOverview } from "../../contract/index.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { launchBrowser } from "../engines/chromium.js";
import { accessibilityProblems, screenshot, tableRows, waitInPage } from "./browser.js";
import { ADMIN_TOKEN } from "./console-hub.js";
import { fleetFiles, startConsoleFleet, type ConsoleFleet } from "./fleet-fixture.js";

let fleet: ConsoleFleet;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(
  async () => {
    browser = await launchBrowser();
    fleet = await startConsoleFleet();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(90_000);
  },
  { timeout: 40 * 60_000 },
);

after(async () => {
  // Either is unset when starting it failed.
  await (browser as Browser | undefined)?.close();
  await (fleet as ConsoleFleet | undefined)?.stop();
});

/** A resource of the tree by name; a desired one without a namespace in its manifest shows without one. */
const resourceNamed = (name: string) =>
  page.locator("li.resource").filter({ has: page.locator(".resource-name", { hasText: new RegExp(`^(\\w+/)?${name}$`) }) });

/** Opens a view by its address and waits for its heading; if it never comes, says what the page shows instead. */
async function open(hash: string, heading: string | RegExp): Promise<void> {
  await page.goto(`${fleet.hub.url}/${hash}`);
  try {
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  } catch (error) {
    await screenshot(page, `failed-${hash.replace(/\W+/g, "-")}`);
    throw new Error(`${hash} shows no heading ${String(heading)}; the page says: ${await page.locator("main").textContent()}`, { cause: error });
  }
}

async function accessible(view: string): Promise<void> {
  assert.deepEqual(await accessibilityProblems(page), [], `axe on ${view}`);
  await screenshot(page, view);
}

const sectionItems = (title: string) =>
  page
    .locator("section", { has: page.getByRole("heading", { level: 2, name: title, exact: true }) })
    .locator("li")
    .allTextContents();

test("sign-in: a wrong token is refused; the right one is kept for the tab only, never in the URL", { timeout: 5 * 60_000 }, async () => {
  await page.goto(`${fleet.hub.url}/#/clusters`);
  await page.getByLabel("Admin token").fill("not-the-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("The hub does not accept this token.").waitFor();
  await accessible("sign-in");

  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Clusters" }).waitFor();
  assert.ok(!page.url().includes(ADMIN_TOKEN));
  assert.equal(await page.evaluate(() => sessionStorage.getItem("radial.adminToken")), ADMIN_TOKEN);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  // Another tab has its own sessionStorage: it asks again.
  const other = await context.newPage();
  await other.goto(`${fleet.hub.url}/#/`);
  await other.getByLabel("Admin token").waitFor();
  await other.close();
});

test("overview: errors first, each cluster's truth in its list, the counts equal the API's", { timeout: 5 * 60_000 }, async () => {
  await open("#/", "Fleet overview");
  await waitInPage(page, () => document.body.textContent.includes("data.color"));
  assert.deepEqual(await sectionItems("Degraded applications").then((items) => items.map((text) => text.split(" ").slice(0, 3).join(" "))), [
    "bravo-worker on bravo",
  ]);
  assert.deepEqual(await sectionItems("Stale clusters").then((items) => items.map((text) => text.split(" ")[0])), ["delta"]);
  const outOfSync = await sectionItems("Out of sync applications");
  assert.ok(!outOfSync.some((text) => / on (alpha|delta)\b/.test(text)), outOfSync.join("\n"));

  const api = FleetOverview.parse(await fleet.hub.api("GET", "/v1/fleet"));
  assert.equal(api.clusters.total, 4);
  assert.equal(api.clusters.stale, 1);
  const shown = await page
    .locator(".card")
    .first()
    .locator("dl > div")
    .evaluateAll((entries) =>
      Object.fromEntries(entries.map((entry) => [entry.querySelector("dt")!.textContent, Number(entry.querySelector("dd")!.textContent)])),
    );
  assert.equal(shown.Stale, api.clusters.stale);
  assert.equal(shown.Reporting, api.clusters.reporting);
  assert.equal(shown.Degraded ?? 0, api.clusters.health.Degraded ?? 0);
  const drift = await page.locator("table.drift tbody tr").allTextContents();
  assert.ok(
    drift.some((row) => row.includes("charlie") && row.includes("charlie-settings") && row.includes("data.color") && row.includes("kubectl")),
    drift.join("\n"),
  );
  await accessible("1-overview");
});

test("from the overview down to one resource: the degraded application on bravo and its Deployment", { timeout: 5 * 60_000 }, async () => {
  await open("#/", "Fleet overview");
  await page.getByRole("link", { name: "bravo-worker on bravo" }).click();
  await page.getByRole("heading", { level: 1, name: "bravo-worker on bravo" }).waitFor();
  await resourceNamed("worker").locator(".badge", { hasText: "Degraded" }).waitFor();
  assert.equal(await page.locator(".tree > details > summary").first().textContent(), "Wave 0");
});

test("clusters: each cluster's state, a selector in the URL with the parser's error inline, and a relabel shown live", { timeout: 5 * 60_000 }, async () => {
  await open("#/clusters", "Clusters");
  await waitInPage(page, () => document.querySelectorAll("[aria-label=Clusters] .vbody [role=row]").length === 4);
  const rows = new Map((await tableRows(page, "Clusters")).map(([name, state, health, sync]): [string, string] => [name!, `${state} ${health} ${sync}`]));
  assert.match(rows.get("alpha") ?? "", /^Reporting .*Healthy .*Synced$/);
  assert.match(rows.get("bravo") ?? "", /^Reporting .*Degraded /);
  assert.match(rows.get("charlie") ?? "", /^Reporting .*Healthy /);
  assert.match(rows.get("delta") ?? "", /^Stale .*Unknown .*Unknown$/);

  const selector = page.getByLabel("Label selector");
  await selector.fill("env in (prod");
  await page.getByText(/invalid selector/).waitFor();
  assert.equal((await selector.getAttribute("aria-invalid")) ?? "", "true");
  await selector.fill("env=prod");
  await waitInPage(page, () => document.querySelectorAll("[aria-label=Clusters] .vbody [role=row]").length === 3);
  assert.match(page.url(), /#\/clusters\?selector=env%3Dprod$/);
  assert.deepEqual(
    (await tableRows(page, "Clusters")).map(([name]) => name),
    ["alpha", "bravo", "delta"],
  );
  await accessible("2-clusters");

  // Live: the hub relabels alpha; the open table drops it, with no reload (the marker survives).
  await page.evaluate(() => Object.assign(window, { radialMarker: true }));
  await fleet.hub.api("PATCH", "/v1/clusters/alpha", { labels: { env: "staging" } });
  await waitInPage(page, () => document.querySelectorAll("[aria-label=Clusters] .vbody [role=row]").length === 2);
  assert.deepEqual(
    (await tableRows(page, "Clusters")).map(([name]) => name),
    ["bravo", "delta"],
  );
  assert.equal(await page.evaluate(() => (window as unknown as { radialMarker?: boolean }).radialMarker), true);

  // The shared URL opens the same filtered view.
  await page.goto(`${fleet.hub.url}/#/clusters?selector=env%3Dstaging&sort=name&order=desc`);
  await waitInPage(page, () => document.querySelectorAll("[aria-label=Clusters] .vbody [role=row]").length === 2);
  assert.deepEqual(
    (await tableRows(page, "Clusters")).map(([name]) => name),
    ["charlie", "alpha"],
  );
});

test("cluster: the healthy one's agent and conditions; the stale one's applications Unknown, not their last Healthy", { timeout: 5 * 60_000 }, async () => {
  await open("#/clusters/alpha", "Cluster alpha");
  const agent = page.locator("section", { has: page.getByRole("heading", { name: "Agent", exact: true }) });
  assert.match((await agent.textContent()) ?? "", /StateReporting.*Health\W+Healthy.*Sync\W+Synced.*Agent version\d/);
  assert.match((await agent.textContent()) ?? "", /Token issued\d+ (s|min) ago/, "registered by the fixture minutes ago");
  const ready = page.locator("tr", { hasText: "Ready" });
  assert.match((await ready.textContent()) ?? "", /ReadyTrue/);
  assert.match((await page.locator("section", { has: page.getByRole("heading", { name: "Labels" }) }).textContent()) ?? "", /tierweb/);
  const syncs = page.getByRole("table", { name: "Recent syncs" }).locator("tbody tr");
  assert.match(
    (await syncs.first().textContent()) ?? "",
    /ago\s*alpha-web\s*[0-9a-f]{7}\W*Synced\W*Healthy/,
    "the agent's sync of alpha-web, as the hub kept it",
  );
  await accessible("3-cluster");

  await open("#/clusters/delta", "Cluster delta");
  await page.getByText("This cluster stopped reporting").waitFor();
  const applications = page.locator("section", { has: page.getByRole("heading", { name: "Applications", exact: true }) });
  const web = applications.locator("tr", { has: page.getByRole("link", { name: "delta-web" }) });
  const text = (await web.textContent()) ?? "";
  assert.match(text, /Unknown last reported Healthy/);
  assert.match(text, /Unknown last reported Synced/);
  await accessible("3-cluster-stale");
});

test("matrix: cells coloured by health and sync, the revision on hover, a click through to the application", { timeout: 5 * 60_000 }, async () => {
  await open("#/matrix", "Application matrix");
  const cell = (cluster: string, app: string) => page.locator(`a.cell[href="#/clusters/${cluster}/applications/${app}"]`);
  await cell("delta", "delta-web").waitFor();
  assert.match((await cell("alpha", "alpha-web").getAttribute("class")) ?? "", /health-Healthy sync-Synced/);
  assert.match((await cell("bravo", "bravo-worker").getAttribute("class")) ?? "", /health-Degraded/);
  assert.match((await cell("charlie", "charlie-settings").getAttribute("class")) ?? "", /health-Healthy/);
  assert.match((await cell("delta", "delta-web").getAttribute("class")) ?? "", /health-Unknown sync-Unknown/);
  assert.match((await cell("alpha", "alpha-web").getAttribute("title")) ?? "", /revision [0-9a-f]{7}/);
  assert.equal(await page.locator(`[role=row]:has(a[href="#/clusters/alpha"]) .cell-none`).count(), 5, "alpha runs alpha-web alone of the 6 applications");
  await accessible("4-matrix");

  // Keyboard: the cell is a link; focus it and press Enter.
  await cell("charlie", "charlie-settings").focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "charlie-settings on charlie" }).waitFor();
});

test("application on a cluster: the drifted resource, the drift's fields and manager, the manifests from Git", { timeout: 5 * 60_000 }, async () => {
  await open("#/clusters/charlie/applications/charlie-settings", "charlie-settings on charlie");
  await resourceNamed("settings").waitFor();
  const drift = await page.locator("table.drift tbody tr").allTextContents();
  assert.ok(
    drift.some((row) => row.includes("ConfigMap settings/settings") && row.includes("data.color") && row.includes("kubectl") && row.includes("Detected")),
    drift.join("\n"),
  );
  await page.getByText("manifests.yaml", { exact: true }).click();
  assert.match((await page.locator("pre.manifest").last().textContent()) ?? "", /color: blue/);
  await accessible("5-application");

  await open("#/clusters/alpha/applications/alpha-web", "alpha-web on alpha");
  await resourceNamed("web").locator(".badge", { hasText: "Healthy" }).waitFor();
  await screenshot(page, "5-application-healthy");
  const waves = await page.locator(".tree > details > summary").allTextContents();
  assert.deepEqual(waves, ["Wave -1", "Wave 0"]);
});

test("generations: the runs with trigger and revision, and a dry run's diff of a change waiting in Git", { timeout: 5 * 60_000 }, async () => {
  const files = fleetFiles(fleet.repoUrl);
  files["apps/settings/config.yaml"] = files["apps/settings/config.yaml"]!.replace("color: blue", "color: green");
  const owner = new GitRepository({ url: fleet.repoUrl, dir: join(fleet.scratch, "owner") });
  await owner.writeBranches([{ branch: "main", files, message: "settings: green" }], {
    author: { name: "Fleet Owner", email: "owner@radial.invalid" },
    now: new Date(),
  });

  await open("#/generations", "Generation history");
  const run = page.locator("tbody tr").first();
  await run.waitFor();
  assert.match((await run.textContent()) ?? "", /api[0-9a-f]{7}/);
  await page.getByRole("button", { name: /Dry run/ }).click();
  await page.getByText(/1 clusters would change/).waitFor();
  const diff = (await page.locator("pre.diff").first().textContent()) ?? "";
  assert.match(diff, /^-\s+color: blue$/m);
  assert.match(diff, /^\+\s+color: green$/m);
  assert.equal(await page.locator("pre.diff .added").filter({ hasText: "green" }).count(), 1);
  await accessible("6-generations");
});

test("rebuild progress: the lost cluster's new incarnation waits for its agent, phase by phase", { timeout: 5 * 60_000 }, async () => {
  await fleet.hub.api("POST", "/v1/clusters/delta/rebuild", { reason: "region lost" });
  await open("#/clusters/delta", "Cluster delta");
  await page.getByRole("link", { name: "Rebuild progress" }).click();
  await page.getByRole("heading", { level: 1, name: "Rebuilds of delta" }).waitFor();
  const rebuild = page.locator("section", { has: page.getByRole("heading", { name: /^Incarnation 2: / }) });
  assert.match((await rebuild.textContent()) ?? "", /“region lost”/);
  assert.match((await rebuild.locator("[aria-current=step]").textContent()) ?? "", /^AwaitingAgent/);
  assert.deepEqual((await rebuild.locator("ol.phases strong").allTextContents()).slice(0, 2), ["Requested", "AwaitingAgent"]);
  await accessible("7-rebuilds");
});

test("an unknown cluster, application or address shows a not-found view naming it", { timeout: 5 * 60_000 }, async () => {
  for (const [hash, named] of [
    ["#/clusters/nope", "Cluster nope"],
    ["#/clusters/alpha/applications/nope", "Application nope on cluster alpha"],
    ["#/nowhere/at/all", "The page /nowhere/at/all"],
  ] as const) {
    await open(hash, "Not found");
    assert.equal(await page.locator(".not-found strong").textContent(), named);
  }
  await accessible("not-found");
});

test("keyboard: the skip link, then the views' navigation, reach a view without a mouse", { timeout: 5 * 60_000 }, async () => {
  await open("#/", "Fleet overview");
  // The view's heading takes focus when it opens (after its first paint, so it is waited for, not raced).
  await page.waitForFunction(() => document.activeElement?.tagName === "H1");
  // Backwards from the heading: the header's navigation, and before it all, the skip link.
  const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "");
  const behind: string[] = [];
  for (let i = 0; i < 12 && behind.at(-1) !== "Skip to content"; i++) {
    await page.keyboard.press("Shift+Tab");
    behind.push(await focused());
  }
  assert.equal(behind.at(-1), "Skip to content", behind.join(" ← "));
  assert.ok(behind.includes("Matrix"), behind.join(" ← "));
  while ((await focused()) !== "Matrix") await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Application matrix" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === "Application matrix");
});
