import * as z from "zod";
import { ClusterName, Revision, Timestamp } from "./names.js";
import { RebuildSummary } from "./rebuild.js";
import { ApplicationStatus, Condition, DriftEvent, HealthStatus, SyncStatus } from "./status-report.js";

/** One sync of an application, as the hub recorded it: when (the agent's `lastSyncedAt`), to which revision, and the sync and health last reported before the next sync. */
export const SyncRecord = z.strictObject({
  at: Timestamp,
  revision: Revision.nullable(),
  sync: SyncStatus,
  health: HealthStatus,
});

/** An application's latest status as the hub keeps it. */
export const StoredApplicationStatus = z.strictObject({
  ...ApplicationStatus.shape,
  /** When the hub received the report that last changed this application (the hub's clock). */
  updatedAt: Timestamp,
  /**
   * Its recent syncs, newest first (the last one first), kept by the hub since agents report only
   * the last: a bounded history (lambdas/status/sync-history.ts). Absent before its first sync.
   */
  syncs: z.array(SyncRecord).optional(),
});

/** A drift event as the hub keeps it: a bounded, expiring history per cluster. */
export const StoredDriftEvent = z.strictObject({
  ...DriftEvent.shape,
  /** When the hub received it (the hub's clock; `at` is the agent's). */
  receivedAt: Timestamp,
});

/** `GET /v1/clusters/{name}/status`: what the cluster's agent last reported, and whether it still reports. */
export const ClusterStatus = z.strictObject({
  cluster: ClusterName,
  /** False until the agent's first report; then every field below that is null or empty is so because the agent said so. */
  reported: z.boolean(),
  /**
   * Stale: no report received for 3 poll intervals, by the hub's clock (an agent's clock may be
   * wrong). A cluster that never reported is not stale, it is `reported: false`.
   */
  stale: z.boolean(),
  /** When the last report arrived (the hub's clock). */
  receivedAt: Timestamp.nullable(),
  /** When the cluster turns (or turned) stale if no report arrives. */
  staleAt: Timestamp.nullable(),
  /** The agent's own time of its last report, for comparing clocks. */
  heartbeatAt: Timestamp.nullable(),
  agentVersion: z.string().nullable(),
  /** The deploy-branch commit the agent last fetched. */
  revision: Revision.nullable(),
  /** Roll-up over the applications: OutOfSync or Unknown if any is; Unknown before the first report. */
  sync: SyncStatus,
  /** The worst application health in gitops-engine's order; Unknown before the first report. */
  health: HealthStatus,
  /** How many applications are in each sync and health status. */
  syncCounts: z.partialRecord(SyncStatus, z.number().int().min(0)),
  healthCounts: z.partialRecord(HealthStatus, z.number().int().min(0)),
  conditions: z.array(Condition),
  /** Sorted by name. */
  applications: z.array(StoredApplicationStatus),
  /** Newest first. */
  driftEvents: z.array(StoredDriftEvent),
  /** The cluster's latest rebuild; absent when it was never rebuilt. Status and drift shown are its incarnation's only. */
  rebuild: RebuildSummary.optional(),
});

export type SyncRecord = z.infer<typeof SyncRecord>;
export type StoredApplicationStatus = z.infer<typeof StoredApplicationStatus>;
export type StoredDriftEvent = z.infer<typeof StoredDriftEvent>;
export type ClusterStatus = z.infer<typeof ClusterStatus>;
