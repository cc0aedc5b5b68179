import { z } from "zod";
import { ApplicationName, ClusterName, Revision, Timestamp } from "./names.js";
import { parseWith, type Parsed } from "./validation.js";

/** Bounds keep one report small enough for one DynamoDB item per application and one Lambda request. */
export const REPORT_LIMITS = {
  maxBytes: 1024 * 1024,
  maxApplications: 500,
  maxResourcesPerApplication: 100,
  maxDriftEvents: 100,
  maxConditions: 16,
  maxFieldsPerDrift: 50,
  maxMessageLength: 2048,
} as const;

const Message = z.string().max(REPORT_LIMITS.maxMessageLength);

/** Health as Argo CD assesses it (gitops-engine pkg/health). */
export const HealthStatus = z.enum(["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"]);
/** gitops-engine's `healthOrder`, most healthy first. */
const HEALTH_ORDER: readonly HealthStatus[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

/** The worst of several statuses in gitops-engine's order; Healthy when there are none. */
export function worstHealth(statuses: HealthStatus[]): HealthStatus {
  let worst: HealthStatus = "Healthy";
  for (const status of statuses) if (HEALTH_ORDER.indexOf(status) > HEALTH_ORDER.indexOf(worst)) worst = status;
  return worst;
}

export const SyncStatus = z.enum(["Synced", "OutOfSync", "Unknown"]);

/** A Flux-style condition: how the agent tells what it is doing and why. */
export const Condition = z.strictObject({
  type: z.string().min(1).max(64),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().min(1).max(128),
  message: Message,
  lastTransitionTime: Timestamp,
});

export const ResourceRef = z.strictObject({
  group: z.string().max(253),
  version: z.string().min(1).max(63),
  kind: z.string().min(1).max(63),
  namespace: z.string().max(63).optional(),
  name: z.string().min(1).max(253),
});

/** A resource worth the operator's attention: not Healthy, not Synced, or drifted. */
export const ResourceStatus = z.strictObject({
  ...ResourceRef.shape,
  sync: SyncStatus,
  health: HealthStatus,
  message: Message.optional(),
});

export const ApplicationStatus = z.strictObject({
  name: ApplicationName,
  /** The deploy-branch commit whose manifests were last applied for this application. */
  revision: Revision.nullable(),
  sync: SyncStatus,
  health: HealthStatus,
  message: Message.optional(),
  /** How many resources the application has in all, of which `resources` lists the troubled ones. */
  resourceCount: z.number().int().min(0).max(100_000),
  resources: z.array(ResourceStatus).max(REPORT_LIMITS.maxResourcesPerApplication),
  lastSyncedAt: Timestamp.optional(),
});

export const DriftEvent = z.strictObject({
  at: Timestamp,
  application: ApplicationName,
  resource: ResourceRef,
  /** Field paths that differ from Git, e.g. `spec.replicas`. */
  fields: z.array(z.string().min(1).max(512)).max(REPORT_LIMITS.maxFieldsPerDrift),
  /** The field manager that wrote the drifted fields, from managedFields. */
  manager: z.string().max(128).optional(),
  action: z.enum(["Detected", "Healed", "Deleted", "Recreated"]),
  message: Message.optional(),
});

export const StatusReport = z.strictObject({
  cluster: ClusterName,
  agentVersion: z.string().min(1).max(64),
  heartbeatAt: Timestamp,
  /** The head of the cluster's deploy branch the agent last fetched; null before the first fetch. */
  revision: Revision.nullable(),
  conditions: z.array(Condition).max(REPORT_LIMITS.maxConditions),
  applications: z.array(ApplicationStatus).max(REPORT_LIMITS.maxApplications),
  driftEvents: z.array(DriftEvent).max(REPORT_LIMITS.maxDriftEvents),
});

export type HealthStatus = z.infer<typeof HealthStatus>;
export type SyncStatus = z.infer<typeof SyncStatus>;
export type Condition = z.infer<typeof Condition>;
export type ResourceRef = z.infer<typeof ResourceRef>;
export type ResourceStatus = z.infer<typeof ResourceStatus>;
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;
export type DriftEvent = z.infer<typeof DriftEvent>;
export type StatusReport = z.infer<typeof StatusReport>;

/** Parses a report body as received over HTTP: size first, then JSON, then the schema. */
export function parseStatusReport(body: string): Parsed<StatusReport> {
  const bytes = Buffer.byteLength(body);
  if (bytes > REPORT_LIMITS.maxBytes) {
    return {
      ok: false,
      message: `invalid status report: body is ${bytes} bytes, over the limit of ${REPORT_LIMITS.maxBytes}; report fewer resources or drift events`,
      problems: [{ field: "", problem: "too large" }],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, message: `invalid status report: not JSON (${(error as Error).message})`, problems: [{ field: "", problem: "not JSON" }] };
  }
  return parseWith(StatusReport, json, "status report");
}
