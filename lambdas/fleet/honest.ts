/**
 * The hub's honest reading of what agents reported: a status is only as good as the report is
 * fresh and as the revision it was measured against is current. Argo CD calls an application
 * Unknown when it could not compare it with its target, and OutOfSync when the live state is not
 * the target's; here the target is the head of the cluster's deploy branch.
 */
import type { ApplicationCell, FleetCluster, StatusReason, StoredApplicationStatus, SyncStatus } from "../../contract/index.js";
import { worstHealth } from "../../contract/status-report.js";
import type { StatusSummary } from "../ports.js";

/** A cluster as stored: its inventory entry, its last report (if any, and of this incarnation), and the branch head. */
export interface ReportedCluster {
  name: string;
  labels: Record<string, string>;
  summary: Pick<StatusSummary, "receivedAt" | "agentVersion" | "revision"> | undefined;
  applications: StoredApplicationStatus[];
  /** The head of its deploy branch; null when unknown. */
  head: string | null;
}

/** A cluster as the fleet views show it, with its applications' honest cells. */
export interface ClusterView {
  cluster: FleetCluster;
  cells: ApplicationCell[];
}

/** OutOfSync if any is, else Unknown if any is, else Synced (also for none). */
export function rollUpSync(statuses: SyncStatus[]): SyncStatus {
  if (statuses.includes("OutOfSync")) return "OutOfSync";
  return statuses.includes("Unknown") ? "Unknown" : "Synced";
}

/** The honest sync of an application of a fresh report, and why it differs from the reported one. */
function currentSync(app: StoredApplicationStatus, fetched: string | null, head: string | null): { sync: SyncStatus; reason?: StatusReason } {
  if (head === null || app.revision === head || app.sync === "OutOfSync") return { sync: app.sync };
  // The agent has not fetched the head: it has not compared this application with it.
  if (fetched !== head) return app.sync === "Unknown" ? { sync: "Unknown" } : { sync: "Unknown", reason: "not-fetched" };
  return { sync: "OutOfSync", reason: "not-applied" };
}

function cellOf(cluster: ReportedCluster, app: StoredApplicationStatus, stale: boolean): ApplicationCell {
  const honest = stale
    ? { sync: "Unknown" as const, health: "Unknown" as const, reason: "stale" as const }
    : { ...currentSync(app, cluster.summary!.revision, cluster.head), health: app.health };
  return {
    cluster: cluster.name,
    application: app.name,
    ...honest,
    reportedSync: app.sync,
    reportedHealth: app.health,
    revision: app.revision,
    desiredRevision: cluster.head,
    lastSyncedAt: app.lastSyncedAt ?? null,
    updatedAt: app.updatedAt,
    ...(app.message === undefined ? {} : { message: app.message }),
  };
}

/** The cluster and its cells as of `now`: stale once `staleAfterMs` passed since its last report (by the hub's clock). */
export function viewOf(cluster: ReportedCluster, now: Date, staleAfterMs: number): ClusterView {
  const base = { name: cluster.name, labels: cluster.labels, desiredRevision: cluster.head };
  const { summary } = cluster;
  if (!summary) {
    const fleetCluster: FleetCluster = {
      ...base,
      state: "NeverReported",
      sync: "Unknown",
      health: "Unknown",
      reason: "never-reported",
      receivedAt: null,
      staleAt: null,
      agentVersion: null,
      revision: null,
    };
    return { cluster: fleetCluster, cells: [] };
  }
  const staleAt = new Date(Date.parse(summary.receivedAt) + staleAfterMs);
  const stale = now >= staleAt;
  const cells = cluster.applications.map((app) => cellOf(cluster, app, stale));
  const reported = { receivedAt: summary.receivedAt, staleAt: staleAt.toISOString(), agentVersion: summary.agentVersion, revision: summary.revision };
  if (stale) return { cluster: { ...base, ...reported, state: "Stale", sync: "Unknown", health: "Unknown", reason: "stale" }, cells };
  let sync = rollUpSync(cells.map((cell) => cell.sync));
  // An agent behind the head has not seen what the head adds (a new application is in no cell yet).
  const behind = cluster.head !== null && summary.revision !== cluster.head;
  if (behind && sync === "Synced") sync = "Unknown";
  return {
    cluster: {
      ...base,
      ...reported,
      state: "Reporting",
      sync,
      health: worstHealth(cells.map((cell) => cell.health)),
      ...(behind ? { reason: "not-fetched" as const } : {}),
    },
    cells,
  };
}
