import type { ApplicationState, Conditions } from "../report/build.js";

const list = (names: string[]) => names.slice(0, 10).join(", ") + (names.length > 10 ? ` and ${names.length - 10} more` : "");

/** Sets Synced, Healthy and Ready from the applications and the source (Fetched, once a pass set it). */
export function summarize(conditions: Conditions, apps: ApplicationState[]): void {
  const outOfSync = apps.filter((app) => app.sync !== "Synced").map((app) => app.name);
  const unhealthy = apps.filter((app) => app.health !== "Healthy").map((app) => app.name);
  conditions.set(
    "Synced",
    outOfSync.length ? "False" : "True",
    outOfSync.length ? "OutOfSync" : "Synced",
    outOfSync.length ? `not synced: ${list(outOfSync)}` : `${apps.length} applications synced`,
  );
  conditions.set(
    "Healthy",
    unhealthy.length ? "False" : "True",
    unhealthy.length ? "Unhealthy" : "Healthy",
    unhealthy.length ? `not healthy: ${list(unhealthy)}` : `${apps.length} applications healthy`,
  );
  const fetched = conditions.get("Fetched");
  if (!fetched) return;
  const failing = [fetched, conditions.get("Synced")!, conditions.get("Healthy")!].find((c) => c.status !== "True");
  if (failing) conditions.set("Ready", "False", failing.reason, failing.message);
  else conditions.set("Ready", "True", "Succeeded", `applied ${fetched.message.replace(/^fetched /, "")}`);
}
