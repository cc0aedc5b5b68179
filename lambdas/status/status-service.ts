import {
  userKeyed,
  type ApplicationStatus,
  type ClusterStatus,
  type HubReply,
  type StatusReport,
  type StoredApplicationStatus,
  type StoredDriftEvent,
  type SyncStatus,
} from "../../contract/index.js";
import { deployBranchOf } from "../../contract/deploy-branch.js";
import { worstHealth } from "../../contract/status-report.js";
import { capabilitiesDigest } from "../../core/capabilities.js";
import type { DeployRevisions } from "./deploy-revisions.js";
import type { ApplicationVersion, Clock, StatusStore, StatusSummary, StoredStatus } from "../ports.js";
import { statusDigest } from "./digest.js";
import { nextSyncHistory } from "./sync-history.js";

/** Why a report was refused; the HTTP layer maps each reason to a status. */
export class StatusError extends Error {
  constructor(
    readonly reason: "invalid" | "conflict",
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface StatusSettings {
  /** What the hub tells agents: how often to report (and fetch). */
  pollIntervalSeconds: number;
  /** The fleet repo holding the deploy branches, which agents are told to fetch from; null without one. */
  repoUrl?: string | null;
  /** The newest this many drift events per cluster are kept (default 200). */
  driftHistory?: number;
  /** How long a drift event is kept at most (default 7 days). */
  driftRetentionSeconds?: number;
}

export interface StatusDependencies {
  store: StatusStore;
  revisions: DeployRevisions;
  clock: Clock;
  settings: StatusSettings;
}

/** A cluster turns Stale when no report has arrived for this many poll intervals. */
export const STALE_AFTER_POLL_INTERVALS = 3;
export const DEFAULT_DRIFT_HISTORY = 200;
const DEFAULT_DRIFT_RETENTION_SECONDS = 7 * 86_400;
/** Trimming waits until this many events over the bound are stored, so it runs once per so many events, not on every report. */
const DRIFT_TRIM_SLACK = 50;
const MAX_WRITE_ATTEMPTS = 5;

/** OutOfSync if any application is, else Unknown if any is, else Synced (also for none). */
function rolledUpSync(statuses: SyncStatus[]): SyncStatus {
  if (statuses.includes("OutOfSync")) return "OutOfSync";
  return statuses.includes("Unknown") ? "Unknown" : "Synced";
}

function counts<K extends string>(values: K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

function summaryOf(report: StatusReport, receivedAt: string): StatusSummary {
  return {
    agentVersion: report.agentVersion,
    heartbeatAt: report.heartbeatAt,
    receivedAt,
    revision: report.revision,
    conditions: report.conditions,
    sync: rolledUpSync(report.applications.map((a) => a.sync)),
    health: worstHealth(report.applications.map((a) => a.health)),
    syncCounts: counts(report.applications.map((a) => a.sync)),
    healthCounts: counts(report.applications.map((a) => a.health)),
  };
}

/** An application's item: as reported, with when it changed and the sync history of the item it replaces carried forward. */
function storedApplication(application: ApplicationStatus, before: StoredApplicationStatus | undefined, received: Date): StoredApplicationStatus {
  const syncs = nextSyncHistory(before, application, received);
  return { ...application, updatedAt: received.toISOString(), ...(syncs.length > 0 ? { syncs } : {}) };
}

/** Whether `digests` (user-named keys) holds `digest` for `name`. */
function sameDigest(digests: Record<string, string>, name: string, digest: string): boolean {
  return Object.hasOwn(digests, name) && digests[name] === digest;
}

/** The application items of `before` that `after` no longer names. */
function replaced(before: Record<string, string>, after: Record<string, string>): ApplicationVersion[] {
  return Object.entries(before)
    .filter(([name, digest]) => !sameDigest(after, name, digest))
    .map(([name, digest]) => ({ name, digest }));
}

/**
 * The status domain: accepts agents' reports and answers what the hub knows of a cluster.
 *
 * Guarantees:
 * - One report is stored as one status item per cluster and one item per application; an
 *   application missing from the next report is deleted (the agent reports every application it
 *   manages, even one whose folder vanished, so a missing one is gone from the cluster).
 * - A report is stored whole or not at all: its application items are keyed by their digest and
 *   written first, the status item naming them last; only then are the items it replaced deleted.
 *   A crash between any two writes leaves the last stored report as it was.
 * - A heartbeat that changes no application and carries no drift is one conditional write of the
 *   status item (touchStatus: it holds only while the item names the same applications,
 *   incarnation and capabilities; otherwise the report takes the path below). A changed application
 *   writes its own item only, after reading the item it replaces to carry its sync history forward
 *   (sync-history.ts: agents report the last sync only).
 * - Concurrent reports of one cluster are serialized by a conditional write of the status item;
 *   the last received wins, whatever the agents' clocks say.
 * - Drift events are kept newest first, at most `driftHistory` of them once trimmed (up to
 *   DRIFT_TRIM_SLACK more between trims), each expiring after `driftRetentionSeconds`; an event
 *   sent twice is stored once.
 * - Staleness is measured by the hub's clock at receipt, never by the agent's `heartbeatAt`.
 * - Capabilities (helm's `--kube-version`, `--api-versions`) come only when the agent's differ from
 *   those the reply names; they are written before the status item that names their digest, so a
 *   crash between leaves the old digest, and the agent sends them again.
 */
export class StatusService {
  private readonly driftHistory: number;
  private readonly driftRetentionSeconds: number;

  constructor(private readonly deps: StatusDependencies) {
    this.driftHistory = deps.settings.driftHistory ?? DEFAULT_DRIFT_HISTORY;
    this.driftRetentionSeconds = deps.settings.driftRetentionSeconds ?? DEFAULT_DRIFT_RETENTION_SECONDS;
  }

  get pollIntervalSeconds(): number {
    return this.deps.settings.pollIntervalSeconds;
  }

  /** Where `cluster`'s agent fetches its deploy branch from; nothing while the hub has no fleet repo. */
  private source(cluster: string): Pick<HubReply, "repoUrl" | "branch"> {
    const repoUrl = this.deps.settings.repoUrl;
    return repoUrl ? { repoUrl, branch: deployBranchOf(cluster) } : {};
  }

  /**
   * Stores a report from an authenticated agent of the cluster's `incarnation` (the one its token
   * belongs to) and tells it which revision to run. A report of an incarnation older than the
   * stored one is refused: a rebuilt cluster's old agent never mixes into the new one's status.
   */
  async accept(report: StatusReport, incarnation = 1): Promise<HubReply> {
    const names = new Map<string, number>();
    for (const [index, application] of report.applications.entries()) {
      const first = names.get(application.name);
      if (first !== undefined) {
        throw new StatusError(
          "invalid",
          `invalid status report: applications[${index}].name: "${application.name}" is reported twice (also applications[${first}])`,
          {
            problems: [{ field: `applications[${index}].name`, problem: "duplicate" }],
          },
        );
      }
      names.set(application.name, index);
    }
    const received = this.deps.clock();
    const receivedAt = received.toISOString();
    const digests = userKeyed(report.applications.map((application) => [application.name, statusDigest(application)] as const));
    const summary = summaryOf(report, receivedAt);
    const events: StoredDriftEvent[] = report.driftEvents.map((event) => ({ ...event, receivedAt }));
    const expiresAt = Math.floor(received.getTime() / 1000) + this.driftRetentionSeconds;
    const sentCapabilities = report.capabilities && capabilitiesDigest(report.capabilities);
    const { store } = this.deps;
    // Most reports are heartbeats that change no application and carry no drift: one conditional write.
    if (events.length === 0) {
      const touched = await store.touchStatus(report.cluster, { summary, digests, incarnation, capabilitiesDigest: sentCapabilities });
      if (touched) return this.reply(report.cluster, touched.capabilitiesDigest);
    }
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const previous = await store.getStatus(report.cluster);
      if ((previous?.incarnation ?? 1) > incarnation)
        throw new StatusError(
          "conflict",
          `cluster ${report.cluster} was rebuilt: this report is from incarnation ${incarnation}, the cluster is at ${previous?.incarnation}`,
        );
      const before = previous?.digests ?? {};
      const seq = (previous?.seq ?? 0) + 1;
      const changed = report.applications.filter((application) => !sameDigest(before, application.name, digests[application.name]!));
      const replacing = changed.flatMap(({ name }) => (Object.hasOwn(before, name) ? [{ name, digest: before[name]! }] : []));
      const prior = new Map((await store.readApplications(report.cluster, replacing)).map((application) => [application.name, application]));
      await store.putApplications(
        report.cluster,
        changed.map((application) => ({
          application: storedApplication(application, prior.get(application.name), received),
          digest: digests[application.name]!,
        })),
        seq,
      );
      let driftStored = (previous?.driftStored ?? 0) + events.length;
      if (events.length > 0) {
        await store.putDriftEvents(report.cluster, events, expiresAt);
        if (driftStored > this.driftHistory + DRIFT_TRIM_SLACK) driftStored = await store.trimDriftEvents(report.cluster, this.driftHistory);
      }
      if (sentCapabilities !== undefined && sentCapabilities !== previous?.capabilitiesDigest)
        await store.putCapabilities(report.cluster, report.capabilities!);
      const capabilities = sentCapabilities ?? previous?.capabilitiesDigest;
      const next: StoredStatus = {
        summary,
        digests,
        driftStored,
        seq,
        ...(incarnation > 1 ? { incarnation } : {}),
        ...(capabilities ? { capabilitiesDigest: capabilities } : {}),
      };
      if (await store.putStatus(report.cluster, next, previous?.seq)) {
        // Committed: the items of the report it replaced that this one does not name are garbage now.
        if (previous) await store.deleteApplications(report.cluster, replaced(previous.digests, digests), previous.seq);
        return this.reply(report.cluster, capabilities ?? null);
      }
      // Another report of this cluster was stored meanwhile: compare against it and write again.
    }
    throw new StatusError("conflict", `cluster ${report.cluster} is being reported by several agents at once; try again`);
  }

  /** The answer to a stored report: which revision to run, when to report again, and the capabilities the hub holds. */
  private async reply(cluster: string, capabilitiesDigest: string | null): Promise<HubReply> {
    return {
      revision: await this.deps.revisions.revisionOf(cluster),
      pollIntervalSeconds: this.pollIntervalSeconds,
      ...this.source(cluster),
      capabilitiesDigest,
    };
  }

  /**
   * What the hub knows of a registered cluster: its last report, applications by name and the
   * newest `driftLimit` drift events. Status stored before `registeredAt` belongs to an earlier
   * cluster of the same name (a report racing that cluster's deletion) and is not shown; nor is
   * status of another `incarnation` (a rebuilt cluster's, whose `registeredAt` is the rebuild's start).
   */
  async read(cluster: string, registeredAt: string, driftLimit: number, incarnation = 1): Promise<ClusterStatus> {
    const { store } = this.deps;
    const now = this.deps.clock();
    const stored = await store.getStatus(cluster);
    const current = stored && stored.summary.receivedAt >= registeredAt && (stored.incarnation ?? 1) === incarnation ? stored : undefined;
    if (!current) {
      return {
        cluster,
        reported: false,
        stale: false,
        receivedAt: null,
        staleAt: null,
        heartbeatAt: null,
        agentVersion: null,
        revision: null,
        sync: "Unknown",
        health: "Unknown",
        syncCounts: {},
        healthCounts: {},
        conditions: [],
        applications: [],
        driftEvents: [],
      };
    }
    const [applications, events] = await Promise.all([
      store.listApplications(cluster, current.digests),
      store.listDriftEvents(cluster, driftLimit, Math.floor(now.getTime() / 1000)),
    ]);
    const staleAt = new Date(Date.parse(current.summary.receivedAt) + STALE_AFTER_POLL_INTERVALS * this.pollIntervalSeconds * 1000);
    return {
      cluster,
      reported: true,
      stale: now >= staleAt,
      staleAt: staleAt.toISOString(),
      ...current.summary,
      applications,
      driftEvents: events.filter((event) => event.receivedAt >= registeredAt),
    };
  }
}
