import * as z from "zod";
import { ApplicationName, Revision, Timestamp } from "./names.js";
import { utf8String } from "./validation.js";

/**
 * Rebuilding a lost cluster (`POST /v1/clusters/{name}/rebuild`): a new incarnation of the same
 * inventory entry, followed phase by phase until every application is Synced and Healthy again.
 */
export const REBUILD_LIMITS = {
  /** In UTF-8 bytes. */
  maxReasonBytes: 1024,
  /**
   * In UTF-8 bytes: a rebuild's message (why it Failed or TimedOut, or the last EKS error). With the
   * reason and the phases the latest rebuild stays under 5 KB of the cluster item's budget (clusters.ts).
   */
  maxMessageBytes: 2048,
  minTimeoutSeconds: 1,
  maxTimeoutSeconds: 7 * 86_400,
  defaultTimeoutSeconds: 3600,
  /** Past rebuilds kept per cluster, the current one included. */
  history: 20,
  /** What the preflight lists at most; `truncated` says when there was more. */
  maxPreflightItems: 200,
} as const;

/** The order a rebuild goes through; the ControlPlane phases only with `recreateEks`. */
export const REBUILD_PHASES = [
  "Requested",
  "ControlPlaneCreating",
  "ControlPlaneActive",
  "AwaitingAgent",
  "AgentConnected",
  "Syncing",
  "Converged",
  "Failed",
  "TimedOut",
] as const;
export const RebuildPhase = z.enum(REBUILD_PHASES);
export const TERMINAL_REBUILD_PHASES: readonly RebuildPhase[] = ["Converged", "Failed", "TimedOut"];

export const RebuildRequest = z.strictObject({
  /** Why the cluster is rebuilt, for the history (an incident id, "region lost"). */
  reason: utf8String(REBUILD_LIMITS.maxReasonBytes).min(1, "must not be empty"),
  /** Create the EKS control plane again from the configuration recorded at registration. */
  recreateEks: z.boolean().optional(),
  /** With recreateEks: delete the recorded EKS cluster first when it still exists (else 409). */
  replace: z.boolean().optional(),
  /** Answer only the preflight; nothing changes. */
  dryRun: z.boolean().optional(),
  /** The rebuild is TimedOut when not Converged this long after it was requested. */
  timeoutSeconds: z.number().int().min(REBUILD_LIMITS.minTimeoutSeconds).max(REBUILD_LIMITS.maxTimeoutSeconds).optional(),
  /** Issue the bootstrap manifest even though the hub URL it gives the agent is loopback (as at registration). */
  allowLoopbackHub: z.boolean().optional(),
});

/** Something in the cluster's deploy branch whose data Git cannot bring back. */
export const PreflightItem = z.strictObject({
  application: ApplicationName,
  apiVersion: z.string().max(317),
  kind: z.string().max(63),
  namespace: z.string().max(63).nullable(),
  name: z.string().max(253),
  /** Why it matters, e.g. "holds a volume: restore its data (e.g. with Velero) before traffic returns". */
  why: z.string().max(256),
});

export const Preflight = z.strictObject({
  /** The deploy-branch commit the preflight read; null when the cluster has no branch (or the hub no fleet repo). */
  revision: Revision.nullable(),
  items: z.array(PreflightItem).max(REBUILD_LIMITS.maxPreflightItems),
  /** More were found than `items` holds. */
  truncated: z.boolean(),
});

export const RebuildPhaseEntry = z.strictObject({
  phase: RebuildPhase,
  enteredAt: Timestamp,
  /** How long the rebuild stayed in it; null while it is the current phase. */
  seconds: z.number().min(0).nullable(),
});

/** A rebuild as the hub keeps it on the cluster, without its preflight. */
export const RebuildState = z.strictObject({
  /** The incarnation this rebuild started; the cluster's incarnation while it is the latest rebuild. */
  incarnation: z.number().int().min(2),
  reason: z.string(),
  recreateEks: z.boolean(),
  phase: RebuildPhase,
  /** Every phase entered, in order. */
  phases: z.array(RebuildPhaseEntry).min(1).max(REBUILD_PHASES.length),
  requestedAt: Timestamp,
  deadline: Timestamp,
  finishedAt: Timestamp.nullable(),
  /** From request to Converged, Failed or TimedOut; null while running. */
  totalSeconds: z.number().min(0).nullable(),
  /** The deploy-branch head when the rebuild started: Converged needs it or a newer head. */
  targetRevision: Revision.nullable(),
  /** Applications Synced and Healthy at the target revision or newer, of those the branch holds. */
  applications: z.strictObject({ converged: z.number().int().min(0), total: z.number().int().min(0) }),
  /** Why it Failed or TimedOut (naming the phase, or the applications not converged). */
  message: z.string().nullable(),
  /** With recreateEks: the step the control plane is in, and the endpoint once ACTIVE. */
  eks: z
    .strictObject({
      step: z.enum(["deleting", "creating", "active"]),
      endpoint: z.string().nullable(),
      polls: z.number().int().min(0),
      nextPollAt: Timestamp,
    })
    .nullable(),
  /** Incremented on every write of this rebuild: the guard of concurrent updates. */
  rev: z.number().int().min(1),
});

export const Rebuild = z.strictObject({
  cluster: z.string(),
  ...RebuildState.shape,
  preflight: Preflight.nullable(),
});

/** `POST /v1/clusters/{name}/rebuild`: the new token and bootstrap manifest are shown only this once. */
export const RebuildResponse = z.strictObject({
  rebuild: Rebuild,
  token: z.string(),
  bootstrap: z.string(),
});

/** `POST /v1/clusters/{name}/rebuild` with `dryRun: true`: nothing changed. */
export const RebuildDryRunResponse = z.strictObject({ dryRun: z.literal(true), preflight: Preflight });

/** `GET /v1/clusters/{name}/rebuilds`: newest first, the current one included. */
export const RebuildList = z.strictObject({ items: z.array(Rebuild) });

/** What a cluster and its status show of its latest rebuild. */
export const RebuildSummary = z.strictObject({
  incarnation: z.number().int().min(2),
  phase: RebuildPhase,
  requestedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  message: z.string().nullable(),
});

export type RebuildPhase = z.infer<typeof RebuildPhase>;
export type RebuildRequest = z.infer<typeof RebuildRequest>;
export type PreflightItem = z.infer<typeof PreflightItem>;
export type Preflight = z.infer<typeof Preflight>;
export type RebuildPhaseEntry = z.infer<typeof RebuildPhaseEntry>;
export type RebuildState = z.infer<typeof RebuildState>;
export type Rebuild = z.infer<typeof Rebuild>;
export type RebuildResponse = z.infer<typeof RebuildResponse>;
export type RebuildDryRunResponse = z.infer<typeof RebuildDryRunResponse>;
export type RebuildList = z.infer<typeof RebuildList>;
export type RebuildSummary = z.infer<typeof RebuildSummary>;

export function rebuildSummary(state: RebuildState): RebuildSummary {
  return { incarnation: state.incarnation, phase: state.phase, requestedAt: state.requestedAt, finishedAt: state.finishedAt, message: state.message };
}
