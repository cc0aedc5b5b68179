import * as z from "zod";
import { GenerationRecordError, GenerationTrigger } from "./generation.js";
import { ApplicationName, ClusterName, Revision, Timestamp } from "./names.js";
import { DriftEvent, HealthStatus, ResourceRef, SyncStatus } from "./status-report.js";

/**
 * The fleet API the console reads (`/v1/fleet`, `/v1/fleet/clusters`, `/v1/applications`, `/v1/events` and one
 * application on one cluster). Every status here is the hub's honest view, not the agent's last
 * word: a cluster past its stale deadline is Unknown whatever it last said, and an application
 * whose agent has not applied the cluster's deploy-branch head is not Synced (see `StatusReason`).
 * Fleet-wide answers are read from a snapshot the hub refreshes every few seconds; `asOf` says
 * when it was read.
 */

export const FLEET_LIMITS = {
  /** Rows (clusters) per page of the matrix and of one application across the fleet. */
  maxPageSize: 500,
  defaultPageSize: 100,
  /** Clusters per page of `/v1/fleet/clusters`: a whole fleet of 10,000 in one answer. */
  maxClustersPage: 10_000,
  defaultClustersPage: 1_000,
  /** Events per page of `/v1/events`. */
  maxEvents: 500,
  defaultEvents: 100,
  /** Entries of each problem list in `/v1/fleet`. */
  maxProblems: 20,
  /** Groups in a grouped `/v1/fleet`; the rest are summed in one group whose `value` is null and `other` true. */
  maxGroups: 100,
} as const;

const count = z.number().int().min(0);

/** Whether the hub hears from the cluster: Reporting, Stale (silent past its deadline), or NeverReported. */
export const ClusterState = z.enum(["Reporting", "Stale", "NeverReported"]);

/**
 * Why a status shown differs from what the agent last reported (absent when it does not):
 *   stale           the cluster is past its stale deadline: sync and health are Unknown
 *   never-reported  no report yet: Unknown
 *   not-fetched     the agent has not fetched the deploy branch's head: sync is Unknown (it has not compared against it)
 *   not-applied     the agent fetched the head but has not applied it to this application: OutOfSync
 */
export const StatusReason = z.enum(["stale", "never-reported", "not-fetched", "not-applied"]);

/** How many of something are in each sync and health status. */
export const StatusCounts = z.strictObject({
  total: count,
  sync: z.partialRecord(SyncStatus, count),
  health: z.partialRecord(HealthStatus, count),
});

/** Clusters counted: by state, and by their honest roll-up sync and health. */
export const ClusterCounts = StatusCounts.extend({
  reporting: count,
  stale: count,
  neverReported: count,
});

/** One application on one cluster, as the hub honestly sees it. */
export const ApplicationCell = z.strictObject({
  cluster: ClusterName,
  application: ApplicationName,
  sync: SyncStatus,
  health: HealthStatus,
  /** Present when `sync`/`health` differ from what the agent reported. */
  reason: StatusReason.optional(),
  /** What the agent last reported, whatever the hub makes of it. */
  reportedSync: SyncStatus,
  reportedHealth: HealthStatus,
  /** The deploy-branch commit the agent last applied for this application. */
  revision: Revision.nullable(),
  /** The head of the cluster's deploy branch; null when unknown (no fleet repo, or the branch does not exist). */
  desiredRevision: Revision.nullable(),
  lastSyncedAt: Timestamp.nullable(),
  /** When the hub received the report that last changed this application. */
  updatedAt: Timestamp,
  message: z.string().optional(),
});

/** A cluster as the fleet views list it. */
export const FleetCluster = z.strictObject({
  name: ClusterName,
  labels: z.record(z.string(), z.string()),
  state: ClusterState,
  /** Honest roll-up over its applications: Unknown when stale or never reported. */
  sync: SyncStatus,
  health: HealthStatus,
  reason: StatusReason.optional(),
  receivedAt: Timestamp.nullable(),
  staleAt: Timestamp.nullable(),
  agentVersion: z.string().nullable(),
  /** The deploy-branch commit the agent last fetched, and the branch's head. */
  revision: Revision.nullable(),
  desiredRevision: Revision.nullable(),
});

export const StaleClusterProblem = z.strictObject({
  cluster: ClusterName,
  receivedAt: Timestamp,
  staleAt: Timestamp,
});

/** The files of the newest generation run that failed, with their first error. */
export const FailedGenerationFile = z.strictObject({
  file: z.string(),
  errors: count,
  first: GenerationRecordError,
});

export const LastGeneration = z.strictObject({
  id: z.string(),
  startedAt: Timestamp,
  trigger: GenerationTrigger,
  sourceRevision: z.string(),
  clustersChanged: count,
  errorCount: count,
  blocked: z.boolean(),
  failedFiles: z.array(FailedGenerationFile),
});

/** One group of a grouped `/v1/fleet`: the clusters whose label `groupBy` has `value` (null: clusters without it, or the rest when `other`). */
export const FleetGroup = z.strictObject({
  value: z.string().nullable(),
  other: z.boolean().optional(),
  clusters: ClusterCounts,
  applications: StatusCounts,
});

/** `GET /v1/fleet` (`?groupBy=<label key>`): the whole fleet at a glance, errors first. */
export const FleetOverview = z.strictObject({
  /** When the snapshot these numbers come from was read (the hub's clock). */
  asOf: Timestamp,
  /** A cluster silent this long is Stale. */
  staleAfterSeconds: count,
  clusters: ClusterCounts,
  /** Application × cluster cells. */
  applications: StatusCounts,
  groupBy: z.string().nullable(),
  /** Present when `groupBy` is; largest group first. */
  groups: z.array(FleetGroup).optional(),
  problems: z.strictObject({
    /** Degraded (or Missing) applications, most recently changed first. */
    degraded: z.array(ApplicationCell),
    /** OutOfSync applications, most recently changed first. */
    outOfSync: z.array(ApplicationCell),
    /** Stale clusters, most recently silent first. */
    stale: z.array(StaleClusterProblem),
    /** The newest non-dry-run generation run; null when none is recorded or the hub has no fleet repo. */
    lastGeneration: LastGeneration.nullable(),
  }),
});

/**
 * `GET /v1/fleet/clusters`: clusters as the fleet views list them, by name, without their cells:
 * what the console's clusters table holds. Query: `selector` (kubectl syntax, on cluster labels),
 * `limit` (1-10,000, default 1,000), `pageToken`.
 */
export const FleetClusterPage = z.strictObject({
  asOf: Timestamp,
  /** Clusters the selector picks, all pages. */
  totals: z.strictObject({ clusters: count }),
  clusters: z.array(FleetCluster),
  nextPageToken: z.string().nullable(),
});

/** One row of the matrix: a cluster and its cells (only the cells the filters keep), sorted by application. */
export const MatrixRow = z.strictObject({
  cluster: FleetCluster,
  cells: z.array(ApplicationCell),
});

/**
 * `GET /v1/applications`: the application × cluster matrix, one page of clusters. Query:
 * `selector` (kubectl syntax, on cluster labels), `application` (a name), `sync`, `health`
 * (a status each; a row keeps only the cells that match, and a cluster with none is left out),
 * `limit` (1-500, default 100), `pageToken`.
 */
export const ApplicationMatrix = z.strictObject({
  asOf: Timestamp,
  /** Every application of the filtered matrix (all pages), sorted: the columns. */
  applications: z.array(ApplicationName),
  /** Clusters and cells of the filtered matrix, all pages. */
  totals: z.strictObject({ clusters: count, cells: count }),
  rows: z.array(MatrixRow),
  nextPageToken: z.string().nullable(),
});

/** How many clusters run one revision of an application: a rollout at a glance. */
export const RevisionCount = z.strictObject({ revision: Revision.nullable(), clusters: count });

/** `GET /v1/applications/{app}`: one application across the fleet. Query: `selector`, `limit`, `pageToken`. */
export const ApplicationAcrossFleet = z.strictObject({
  asOf: Timestamp,
  application: ApplicationName,
  /** Over every cluster with the application (all pages, the selector applied). */
  counts: StatusCounts,
  revisions: z.array(RevisionCount),
  /** One page, by cluster name. */
  clusters: z.array(z.strictObject({ cluster: FleetCluster, cell: ApplicationCell })),
  nextPageToken: z.string().nullable(),
});

/** One resource of an application on a cluster: desired (from Git), reported (troubled), or both. */
export const ApplicationResource = z.strictObject({
  ...ResourceRef.shape,
  /** `argocd.argoproj.io/sync-wave` of the desired manifest (0 when unset; null when not in Git). */
  wave: z.number().int().nullable(),
  /** Whether the deploy branch's head holds it. */
  desired: z.boolean(),
  /** Whether the last report listed it (agents list only troubled resources). */
  reported: z.boolean(),
  sync: SyncStatus,
  health: HealthStatus,
  message: z.string().optional(),
});

/** `GET /v1/clusters/{name}/applications/{app}`: every resource of the application on that cluster. */
export const ClusterApplication = z.strictObject({
  cluster: FleetCluster,
  /** Null when the agent has not reported the application yet (it is only in Git). */
  cell: ApplicationCell.nullable(),
  /** The deploy branch at its head; null when the hub has no fleet repo or the branch does not hold the application. */
  git: z
    .strictObject({
      revision: Revision,
      /** Under `clusters/<cluster>/<app>/`. */
      path: z.string(),
      /** A tombstone: the application is being deleted from the cluster. */
      deleted: z.boolean(),
      /** `application.yaml` as generated (null for a tombstone). */
      application: z.string().nullable(),
      /** `manifests.yaml`: the hydrated manifests (null for a tombstone). */
      manifests: z.string().nullable(),
    })
    .nullable(),
  /** Sorted by wave, then kind, namespace and name. */
  resources: z.array(ApplicationResource),
  /** How many resources the agent counts in all (null before a report). */
  resourceCount: count.nullable(),
  /** This application's drift events, newest first. */
  driftEvents: z.array(DriftEvent.extend({ receivedAt: Timestamp })),
});

/** A drift event of one cluster. */
export const DriftFleetEvent = DriftEvent.extend({
  type: z.literal("drift"),
  cluster: ClusterName,
  receivedAt: Timestamp,
});

/** A sync of an application on a cluster: the last one its agent reported, or an earlier one the hub kept (`syncs` of the stored application). */
export const SyncFleetEvent = z.strictObject({
  type: z.literal("sync"),
  cluster: ClusterName,
  application: ApplicationName,
  at: Timestamp,
  revision: Revision.nullable(),
  sync: SyncStatus,
  health: HealthStatus,
});

export const FleetEvent = z.discriminatedUnion("type", [DriftFleetEvent, SyncFleetEvent]);

/** `GET /v1/events`: drift and sync events fleet-wide, newest first. Query: `selector`, `application`, `limit` (1-500, default 100), `pageToken`. */
export const FleetEventPage = z.strictObject({
  asOf: Timestamp,
  items: z.array(FleetEvent),
  nextPageToken: z.string().nullable(),
});

export type ClusterState = z.infer<typeof ClusterState>;
export type StatusReason = z.infer<typeof StatusReason>;
export type StatusCounts = z.infer<typeof StatusCounts>;
export type ClusterCounts = z.infer<typeof ClusterCounts>;
export type ApplicationCell = z.infer<typeof ApplicationCell>;
export type FleetCluster = z.infer<typeof FleetCluster>;
export type StaleClusterProblem = z.infer<typeof StaleClusterProblem>;
export type FailedGenerationFile = z.infer<typeof FailedGenerationFile>;
export type LastGeneration = z.infer<typeof LastGeneration>;
export type FleetGroup = z.infer<typeof FleetGroup>;
export type FleetOverview = z.infer<typeof FleetOverview>;
export type FleetClusterPage = z.infer<typeof FleetClusterPage>;
export type MatrixRow = z.infer<typeof MatrixRow>;
export type ApplicationMatrix = z.infer<typeof ApplicationMatrix>;
export type RevisionCount = z.infer<typeof RevisionCount>;
export type ApplicationAcrossFleet = z.infer<typeof ApplicationAcrossFleet>;
export type ApplicationResource = z.infer<typeof ApplicationResource>;
export type ClusterApplication = z.infer<typeof ClusterApplication>;
export type DriftFleetEvent = z.infer<typeof DriftFleetEvent>;
export type SyncFleetEvent = z.infer<typeof SyncFleetEvent>;
export type FleetEvent = z.infer<typeof FleetEvent>;
export type FleetEventPage = z.infer<typeof FleetEventPage>;
