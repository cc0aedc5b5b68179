import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { run } from "./process.js";

/** Debian's build: playwright's own browser download cannot be fetched here, Debian's package can. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags for a headless browser inside a container run as root: no sandbox (root cannot use it),
 * no GPU, and no background traffic to Google services that would hang or slow an offline machine.
 */
const LAUNCH_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
/** Test files run in parallel processes; the second apt waits for the first's lock instead of failing. */
const APT_WAIT = ["-o", "DPkg::Lock::Timeout=600"];
/**
 * Recommends pull in desktop daemons (upower, udev, notification-daemon, printing) a headless
 * browser never uses; of them only the fonts matter, so pages render with Arial-metric text.
 */
const APT_INSTALL = ["install", "-y", "--no-install-recommends", "chromium", "fonts-liberation"];

async function apt(args: string[]): Promise<void> {
  await run("apt-get", [...APT_WAIT, ...args], { env: APT_ENV, label: "apt-get" });
}

/**
 * Returns the path of Debian's Chromium, installing it with apt when missing. Package lists may be
 * absent or stale on a fresh machine, so a failed install is retried once after `apt-get update`.
 */
export async function installChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}; install it as root with: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get ${APT_INSTALL.join(" ")}`,
    );
  }
  try {
    await apt(APT_INSTALL);
  } catch {
    await apt(["update"]);
    await apt(APT_INSTALL);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is absent`);
  return CHROMIUM_PATH;
}

/** Launches headless Chromium through playwright-core, installing the browser first if needed. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await installChromium();
  return chromium.launch({ executablePath, headless: true, args: LAUNCH_ARGS });
}
