// Driving the console in headless Chromium: sign-in, reading its virtual tables, axe-core, screenshots.
import { AxeBuilder } from "@axe-core/playwright";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";

/** Screenshots of every view, kept as test artifacts (gitignored). */
export const SCREENSHOTS = join(import.meta.dirname, "../../reports/console");

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on the page as it is now, as readable lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/** The cell texts of a virtual table's rendered body rows. */
export async function tableRows(page: Page, label: string): Promise<string[][]> {
  return page
    .locator(`[role=table][aria-label="${label}"] .vbody [role=row]`)
    .evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll("[role=cell]"), (cell) => cell.textContent.trim())));
}

/** Waits until `probe`, run in the page, returns true: how a test sees a live change without a reload. */
export async function waitInPage(page: Page, probe: () => boolean): Promise<void> {
  await page.waitForFunction(probe, undefined, { timeout: 90_000, polling: 250 });
}
