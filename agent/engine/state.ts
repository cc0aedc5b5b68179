// An application's state as the agent reports it: from a sync's result, refreshed by what the
// drift watcher sees live between syncs, or marked failed.
import type { HealthStatus, ResourceRef, ResourceStatus } from "../../contract/status-report.js";
import { assessHealth, worstHealth } from "../health/index.js";
import type { KubeObject } from "../kube/object.js";
import type { ApplicationState } from "../report/build.js";
import { refFor, type ResourceResult, type SyncResult } from "../sync/sync.js";

const toStatus = ({ ref, sync, health, message }: ResourceResult): ResourceStatus => ({
  ...ref,
  sync,
  health: health?.status ?? "Healthy",
  ...(message ? { message } : {}),
});

const sameResource = (a: ResourceRef, b: ResourceRef) => a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

const SYNCED = "successfully synced";
const YET = "; yet the application is ";

/**
 * Argo CD shows a finished sync's message ("successfully synced (all tasks run)") on the sync
 * operation, apart from the application's health. The report has one message per application, so
 * that message alone beside a Degraded application would read as all well: while health is not
 * Healthy it also says so and names the resource, kept current as health changes.
 */
function withHealth(message: string | undefined, health: HealthStatus, resources: ResourceStatus[]): string | undefined {
  if (!message?.startsWith(SYNCED)) return message;
  const base = message.split(YET)[0]!;
  if (health === "Healthy") return base;
  const worst = resources.find((r) => r.health === health);
  const where = worst ? `: ${worst.kind} ${worst.namespace ? `${worst.namespace}/` : ""}${worst.name} is ${health}` : "";
  return `${base}${YET}${health}${where}`;
}

/** The application's state as reported, from one sync's result. */
export function stateOf(result: SyncResult, previous: ApplicationState | undefined): ApplicationState {
  const notes = result.notes.length > 0 ? `; ${result.notes.slice(0, 5).join("; ")}` : "";
  const lastSyncedAt = result.phase === "Succeeded" ? result.finishedAt.toISOString() : previous?.lastSyncedAt;
  // Kinds without a health check do not count toward health; they are listed only when out of sync.
  const resources = result.resources.map(toStatus);
  return {
    name: result.application,
    revision: result.revision,
    sync: result.sync,
    health: result.health,
    message: withHealth(`${result.message}${notes}`, result.health, resources),
    resources,
    ...(lastSyncedAt ? { lastSyncedAt } : {}),
  };
}

/** An application the agent could not sync or read: what it knew of it stays, its sync is Unknown. */
export function failedState(name: string, previous: ApplicationState | undefined, message: string): ApplicationState {
  return { ...(previous ?? { name, revision: null, health: "Unknown", resources: [] }), sync: "Unknown", message };
}

/** An application found live after a restart, from the objects its inventory names. */
export function liveState(name: string, owned: KubeObject[]): ApplicationState {
  const resources = owned.map((live): ResourceStatus => ({ ...refFor(live), sync: "Unknown", health: assessHealth(live)?.status ?? "Healthy" }));
  return { name, revision: null, sync: "Unknown", health: worstHealth(resources.map((r) => r.health)), resources };
}

/** The message of a resource edited outside Git and not healed back (no selfHeal). */
export const EDITED_OUTSIDE_GIT = "live object differs from Git: edited outside it";

/**
 * The state after a watch saw one managed object change (`live`) or go (undefined): the object's
 * health is read again. A deletion, or an edit outside Git that stays (`differs`, as without
 * selfHeal), makes it and the application OutOfSync, as Argo CD does; the edit undone makes it
 * Synced again.
 */
export function withLiveObject(state: ApplicationState, desired: KubeObject, live: KubeObject | undefined, differs: boolean): ApplicationState {
  const ref = refFor(desired);
  const health = live ? (assessHealth(live)?.status ?? "Healthy") : "Missing";
  const resources = state.resources.filter((r) => !sameResource(r, ref));
  const previous = state.resources.find((r) => sameResource(r, ref));
  const wasEdited = previous?.message === EDITED_OUTSIDE_GIT;
  if (!live) resources.push({ ...ref, sync: "OutOfSync", health });
  else if (differs) resources.push({ ...ref, sync: "OutOfSync", health, message: EDITED_OUTSIDE_GIT });
  else {
    const sync = previous?.health === "Missing" || wasEdited ? "Synced" : (previous?.sync ?? "Synced");
    resources.push({ ...ref, sync, health, ...(previous?.message && !wasEdited ? { message: previous.message } : {}) });
  }
  const overall = worstHealth(resources.map((r) => r.health));
  const message = withHealth(state.message, overall, resources);
  return {
    ...state,
    resources,
    health: overall,
    ...(message === undefined ? {} : { message }),
    sync: resources.some((r) => r.sync === "OutOfSync") ? "OutOfSync" : state.sync === "OutOfSync" ? "Synced" : state.sync,
  };
}
