/**
 * The contract's status report from what the agent knows, kept within REPORT_LIMITS: only troubled
 * resources are listed (with the total count), messages are cut, and if the whole report is still
 * too large resource lists and then drift events are halved until it fits.
 */
import {
  REPORT_LIMITS,
  type ApplicationStatus,
  type ClusterCapabilities,
  type Condition,
  type DriftEvent,
  type ResourceStatus,
  type StatusReport,
} from "../../contract/status-report.js";
import { utf8Length } from "../../contract/validation.js";

/** One application as the agent last saw it, every resource included. */
export interface ApplicationState extends Omit<ApplicationStatus, "resources" | "resourceCount"> {
  resources: ResourceStatus[];
}

export interface ReportInput {
  cluster: string;
  agentVersion: string;
  now: Date;
  revision: string | null;
  conditions: Condition[];
  applications: ApplicationState[];
  driftEvents: DriftEvent[];
  /** Only when the hub holds others (./capabilities.ts). */
  capabilities?: ClusterCapabilities | undefined;
}

const ELLIPSIS = "…";

/** `message` cut to `limit` UTF-8 bytes (the hub counts bytes), at a character boundary, ending in an ellipsis when cut. */
export function truncate(message: string, limit: number = REPORT_LIMITS.maxMessageBytes): string {
  if (utf8Length(message) <= limit) return message;
  const room = limit - utf8Length(ELLIPSIS);
  let kept = 0;
  let bytes = 0;
  for (const character of message) {
    bytes += utf8Length(character);
    if (bytes > room) break;
    kept += character.length;
  }
  return message.slice(0, kept) + ELLIPSIS;
}

function troubled(resource: ResourceStatus): boolean {
  return resource.sync !== "Synced" || resource.health !== "Healthy";
}

function boundResource(resource: ResourceStatus): ResourceStatus {
  return resource.message === undefined ? resource : { ...resource, message: truncate(resource.message) };
}

function boundApplication(app: ApplicationState, maxResources: number): ApplicationStatus {
  const { resources, message, ...rest } = app;
  return {
    ...rest,
    ...(message === undefined ? {} : { message: truncate(message) }),
    resourceCount: resources.length,
    resources: resources.filter(troubled).slice(0, maxResources).map(boundResource),
  };
}

function boundDrift(event: DriftEvent): DriftEvent {
  return {
    ...event,
    fields: event.fields.slice(0, REPORT_LIMITS.maxFieldsPerDrift),
    ...(event.message === undefined ? {} : { message: truncate(event.message) }),
  };
}

export function buildReport(input: ReportInput): StatusReport {
  const applications = [...input.applications].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, REPORT_LIMITS.maxApplications);
  let maxResources: number = REPORT_LIMITS.maxResourcesPerApplication;
  // The newest drift events matter most; the queue is oldest first.
  let maxDrift: number = REPORT_LIMITS.maxDriftEvents;
  for (;;) {
    const report: StatusReport = {
      cluster: input.cluster,
      agentVersion: truncate(input.agentVersion, 64),
      heartbeatAt: input.now.toISOString(),
      revision: input.revision,
      conditions: input.conditions.slice(0, REPORT_LIMITS.maxConditions).map((c) => ({ ...c, message: truncate(c.message) })),
      applications: applications.map((app) => boundApplication(app, maxResources)),
      driftEvents: maxDrift === 0 ? [] : input.driftEvents.slice(-maxDrift).map(boundDrift),
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    };
    if (Buffer.byteLength(JSON.stringify(report)) <= REPORT_LIMITS.maxBytes) return report;
    if (maxResources > 0) maxResources = Math.floor(maxResources / 2);
    else if (maxDrift > 0) maxDrift = Math.floor(maxDrift / 2);
    else return report; // 500 applications of bounded messages fit; unreachable in practice
  }
}

/**
 * Flux-style conditions: each keeps its lastTransitionTime until its status changes, so the hub
 * and the operator see since when something has been wrong.
 */
export class Conditions {
  private readonly byType = new Map<string, Condition>();

  set(type: string, status: Condition["status"], reason: string, message: string, now: Date = new Date()): void {
    const previous = this.byType.get(type);
    const lastTransitionTime = previous?.status === status ? previous.lastTransitionTime : now.toISOString();
    this.byType.set(type, { type, status, reason, message: truncate(message), lastTransitionTime });
  }

  get(type: string): Condition | undefined {
    return this.byType.get(type);
  }

  list(): Condition[] {
    return [...this.byType.values()];
  }
}
