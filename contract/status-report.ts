import * as z from "zod";
import { ApplicationName, ClusterName, Revision, Timestamp } from "./names.js";
import { parseWith, utf8String, type Parsed } from "./validation.js";

/**
 * Bounds keep one report within one Lambda request and each item it is stored as within DynamoDB's
 * 400 KB (409,600 bytes, counted in UTF-8; every free-text field is bounded in bytes, the rest is
 * ASCII by its pattern). The largest items:
 *   one application  100 resources × (253 group + 63 version + 63 kind + 63 namespace + 253 name
 *                    + 20 sync and health + 2,048 message + 60 attribute names and overhead)
 *                    = 282,300, plus its own name, revision, message and times (< 3,000) < 286,000
 *   the status item  500 application digests × (253 name + 22 digest + 1) = 138,000, plus 16
 *                    conditions × (64 type + 128 reason + 2,048 message + 60) = 36,800,
 *                    plus the rest (< 1,000)                                          < 176,000
 *   one drift event  50 fields × 512 + 2,048 message + 128 manager + its resource (< 1,000) < 29,000
 * The 1 MiB body limit alone would not do: one application's resources can carry more than 400 KB.
 */
export const REPORT_LIMITS = {
  maxBytes: 1024 * 1024,
  maxApplications: 500,
  maxResourcesPerApplication: 100,
  maxDriftEvents: 100,
  maxConditions: 16,
  maxFieldsPerDrift: 50,
  /** In UTF-8 bytes, as every bound on free text here. */
  maxMessageBytes: 2048,
  /** The cluster's API versions: entries, and all of them together in bytes, so they fit one DynamoDB item with room to spare. */
  maxApiVersions: 5000,
  maxApiVersionsBytes: 300_000,
} as const;

const Message = utf8String(REPORT_LIMITS.maxMessageBytes);

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
  type: utf8String(64).min(1),
  status: z.enum(["True", "False", "Unknown"]),
  reason: utf8String(128).min(1),
  message: Message,
  lastTransitionTime: Timestamp,
});

export const ResourceRef = z.strictObject({
  group: utf8String(253),
  version: utf8String(63).min(1),
  kind: utf8String(63).min(1),
  namespace: utf8String(63).optional(),
  name: utf8String(253).min(1),
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
  fields: z.array(utf8String(512).min(1)).max(REPORT_LIMITS.maxFieldsPerDrift),
  /** The field manager that wrote the drifted fields, from managedFields. */
  manager: utf8String(128).optional(),
  action: z.enum(["Detected", "Healed", "Deleted", "Recreated"]),
  message: Message.optional(),
});

/** `v1`, `apps/v1`, `v1/Pod`, `monitoring.coreos.com/v1/ServiceMonitor`: a DNS-1123 group, a version, a kind. */
const API_VERSION = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[a-z0-9]{1,63}(?:\/[A-Za-z][A-Za-z0-9]{0,62})?$/;

/**
 * What the cluster's API server says of itself, for helm's `--kube-version` and `--api-versions`
 * (`.Capabilities.KubeVersion`, `.Capabilities.APIVersions.Has`): its `/version` gitVersion, and every
 * served group/version and group/version/Kind, as Argo CD passes them. Sent only when they changed.
 */
export const ClusterCapabilities = z.strictObject({
  kubeVersion: z
    .string()
    .max(64)
    .regex(/^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/, "must be a gitVersion such as v1.36.3"),
  apiVersions: z
    .array(z.string().max(381).regex(API_VERSION, "must be group/version or group/version/Kind"))
    .max(REPORT_LIMITS.maxApiVersions)
    .refine((list) => list.reduce((bytes, entry) => bytes + entry.length, 0) <= REPORT_LIMITS.maxApiVersionsBytes, {
      error: `must total at most ${REPORT_LIMITS.maxApiVersionsBytes} bytes`,
    }),
});

export const StatusReport = z.strictObject({
  cluster: ClusterName,
  agentVersion: utf8String(64).min(1),
  heartbeatAt: Timestamp,
  /** The head of the cluster's deploy branch the agent last fetched; null before the first fetch. */
  revision: Revision.nullable(),
  conditions: z.array(Condition).max(REPORT_LIMITS.maxConditions),
  applications: z.array(ApplicationStatus).max(REPORT_LIMITS.maxApplications),
  driftEvents: z.array(DriftEvent).max(REPORT_LIMITS.maxDriftEvents),
  /** Absent when unchanged since the hub's reply last named them (HubReply.capabilitiesDigest). */
  capabilities: ClusterCapabilities.optional(),
});

export type HealthStatus = z.infer<typeof HealthStatus>;
export type SyncStatus = z.infer<typeof SyncStatus>;
export type Condition = z.infer<typeof Condition>;
export type ResourceRef = z.infer<typeof ResourceRef>;
export type ResourceStatus = z.infer<typeof ResourceStatus>;
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;
export type DriftEvent = z.infer<typeof DriftEvent>;
export type ClusterCapabilities = z.infer<typeof ClusterCapabilities>;
export type StatusReport = z.infer<typeof StatusReport>;

/** A report body's first two checks, before any schema: its size, then JSON. */
export function readStatusReportJson(body: string): Parsed<unknown> {
  const bytes = Buffer.byteLength(body);
  if (bytes > REPORT_LIMITS.maxBytes) {
    return {
      ok: false,
      message: `invalid status report: body is ${bytes} bytes, over the limit of ${REPORT_LIMITS.maxBytes}; report fewer resources or drift events`,
      problems: [{ field: "", problem: "too large" }],
    };
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, message: `invalid status report: not JSON (${(error as Error).message})`, problems: [{ field: "", problem: "not JSON" }] };
  }
}

/** Parses a report body as received over HTTP: size first, then JSON, then the schema. */
export function parseStatusReport(body: string): Parsed<StatusReport> {
  const json = readStatusReportJson(body);
  return json.ok ? parseWith(StatusReport, json.value, "status report") : json;
}
