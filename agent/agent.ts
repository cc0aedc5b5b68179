/**
 * The reconcile loop. One pass: learn the branch's head (from the hub's reply when it is fresh,
 * else one ls-refs call), fetch when it moved, read the cluster's folder, sync every application,
 * keep the drift watchers on what is applied, and report. Passes never overlap; they run on the poll
 * interval (with jitter), at once when the hub names a newer revision, and with backoff after a
 * failure. A failed lookup, fetch or read leaves every applied object as it is: nothing is synced
 * or pruned from a source the agent could not read whole.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { AGENT_NAMESPACE, type AgentConfig } from "../contract/agent-config.js";
import type { HubReply } from "../contract/hub-reply.js";
import type { DriftEvent, ResourceRef, ResourceStatus } from "../contract/status-report.js";
import { VERSION } from "../core/version.js";
import { backoff } from "./kube/backoff.js";
import type { KubeClient } from "./kube/client.js";
import type { AgentMetrics } from "./metrics.js";
import { buildReport, Conditions, type ApplicationState } from "./report/build.js";
import { Reporter } from "./report/reporter.js";
import type { Probe } from "./server.js";
import { DriftWatcher, type TrackedApplication } from "./drift/watcher.js";
import { assessHealth, worstHealth } from "./health/index.js";
import { deleteApplication } from "./sync/delete.js";
import { appliedBy } from "./diff/extract.js";
import { FIELD_MANAGER } from "./sync/apply.js";
import { listInventories, listOwned } from "./sync/inventory.js";
import { applicationOptions } from "./sync/options.js";
import { refFor, syncApplication, type ResourceResult, type SyncResult } from "./sync/sync.js";
import { DeployBranch } from "./source/branch.js";
import type { DesiredApplication } from "./source/desired.js";
import type { ApplicationReadFailure } from "./source/read.js";

/** What the loop needs from the sync and drift packages, for one cluster. */
export interface SyncEngine {
  /** Applies (or, for a tombstone, deletes) one application and watches what it wrote; never throws. */
  sync(app: DesiredApplication): Promise<SyncOutcome>;
  /** The applications with an inventory in the cluster (all that may own objects); throws when it cannot list them. */
  inventoried(): Promise<string[]>;
  /**
   * An application the branch names but cannot be read, or no longer names without a tombstone:
   * nothing is pruned, its objects stay watched, and `message` says why; never throws.
   */
  keep(name: string, message: string): Promise<{ state: ApplicationState; failed: boolean }>;
  stop(): Promise<void>;
}

export interface SyncOutcome {
  /** The application's state for the report; null once a deleted application is gone for good. */
  state: ApplicationState | null;
  applied: number;
  pruned: number;
  /** The sync itself failed (an apply refused, a wave timed out): retried with backoff. */
  failed: boolean;
}

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  engine: SyncEngine;
  metrics: AgentMetrics;
  /** Re-read before every report (a mounted Secret changes when the token is rotated). */
  token: () => string;
}

/** Failed passes are retried about a second apart at first, backing off to the poll interval. */
const RETRY_BASE_MS = 1000;
/** The full resync (every application applied again even if nothing moved) runs at least this often. */
const RESYNC_MS = 5 * 60_000;
/** A pass running longer than this means the loop is stuck: /healthz fails and the kubelet restarts the agent. */
const WEDGED_MS = 10 * 60_000;

export class Agent {
  readonly branch: DeployBranch;
  readonly reporter: Reporter;
  private readonly options: AgentOptions;
  private readonly conditions = new Conditions();
  private readonly apps = new Map<string, ApplicationState>();
  /** The commit fetched last. */
  private fetched: string | null = null;
  /** The commit last read and synced, and when every application was last synced. */
  private lastReadCommit: string | null = null;
  private syncedAt = 0;
  private hubRevision: { revision: string; at: number } | undefined;
  private failures = 0;
  private ready = false;
  private passStartedAt = 0;
  private passEndedAt = Date.now();
  private wake: (() => void) | undefined;
  /** The hub named a new revision while a pass ran: start the next one at once. */
  private nudged = false;
  private stopping = false;
  private done: Promise<void> | undefined;

  constructor(options: AgentOptions) {
    this.options = options;
    const { config } = options;
    this.branch = new DeployBranch({
      repoUrl: config.repoUrl,
      cluster: config.cluster,
      dataDir: config.dataDir,
      ...(config.branch ? { branch: config.branch } : {}),
      ...(config.repoUsername ? { auth: { username: config.repoUsername, password: config.repoPassword ?? "" } } : {}),
    });
    this.reporter = new Reporter({
      hubUrl: config.hubUrl,
      token: options.token,
      heartbeatSeconds: config.heartbeatSeconds,
      logger: options.logger,
      build: (driftEvents) =>
        buildReport({
          cluster: config.cluster,
          agentVersion: VERSION,
          now: new Date(),
          revision: this.fetched,
          conditions: this.conditions.list(),
          applications: [...this.apps.values()],
          driftEvents,
        }),
      onReply: (reply) => this.onHubReply(reply),
      onOutcome: (outcome) => options.metrics.reports.inc({ outcome }),
    });
  }

  /** A drift event from the watchers: counted, queued for the hub. */
  recordDrift(event: DriftEvent): void {
    this.options.metrics.driftEvents.inc({ action: event.action });
    this.reporter.addDriftEvent(event);
  }

  /** An application's state changed outside a pass (a heal, a health change seen by a watch). */
  updateApplication(state: ApplicationState): void {
    this.apps.set(state.name, state);
    this.reporter.changed();
  }

  healthy(): Probe {
    const now = Date.now();
    if (this.passStartedAt > this.passEndedAt && now - this.passStartedAt > WEDGED_MS) {
      return { ok: false, message: `a reconcile pass has been running for ${Math.round((now - this.passStartedAt) / 1000)} s` };
    }
    const idleLimit = 3 * this.options.config.pollIntervalSeconds * 1000 + WEDGED_MS;
    if (this.passStartedAt <= this.passEndedAt && now - this.passEndedAt > idleLimit) {
      return { ok: false, message: `no reconcile pass for ${Math.round((now - this.passEndedAt) / 1000)} s` };
    }
    return { ok: true, message: "ok" };
  }

  readiness(): Probe {
    if (this.ready) return { ok: true, message: "ok" };
    const fetched = this.conditions.get("Fetched");
    return { ok: false, message: fetched ? `not ready: ${fetched.message}` : "not ready: the first reconcile pass has not finished" };
  }

  /** Runs passes until `stop()`. */
  start(): Promise<void> {
    this.reporter.start();
    this.done ??= this.loop();
    return this.done;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
    await this.options.engine.stop();
    await this.reporter.stop();
  }

  private onHubReply(reply: HubReply): void {
    if (reply.revision === null) return;
    // Only news cuts a wait short: a revision the agent cannot fetch must not bypass the backoff.
    const news = reply.revision !== this.fetched && reply.revision !== this.hubRevision?.revision;
    this.hubRevision = { revision: reply.revision, at: Date.now() };
    if (!news) return;
    this.nudged = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const ok = await this.pass();
      this.failures = ok ? 0 : this.failures + 1;
      const pollMs = this.options.config.pollIntervalSeconds * 1000;
      const delay = ok ? pollMs * (0.9 + 0.2 * Math.random()) : backoff(this.failures - 1, pollMs, RETRY_BASE_MS);
      if (this.nudged || this.stopping) {
        this.nudged = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One pass; true when it reached its source and synced everything it read without error. */
  private async pass(): Promise<boolean> {
    const { logger, metrics } = this.options;
    this.passStartedAt = Date.now();
    const stopTimer = metrics.reconcileDuration.startTimer();
    let ok = false;
    try {
      ok = await this.reconcile();
    } catch (error) {
      logger.error("reconcile pass failed", { error: error as Error });
    } finally {
      this.passEndedAt = Date.now();
      stopTimer({ result: ok ? "success" : "failure" });
      this.reporter.changed();
    }
    return ok;
  }

  private async reconcile(): Promise<boolean> {
    const { logger, metrics, engine } = this.options;
    const pollMs = this.options.config.pollIntervalSeconds * 1000;
    const branch = this.branch.branch;

    // 1. The head: the hub's word when fresh, else one ls-refs call.
    let head: string | null;
    const hub = this.hubRevision;
    if (hub && Date.now() - hub.at < pollMs) head = hub.revision;
    else {
      try {
        head = await this.branch.head();
      } catch (error) {
        return this.sourceFailed("RefLookupFailed", `cannot look up ${branch} at ${this.options.config.repoUrl}: ${(error as Error).message}`);
      }
    }
    if (head === null) {
      this.conditions.set("Fetched", "False", "BranchNotFound", `${branch} does not exist yet: waiting for the hub to generate it`);
      this.setReady();
      this.summarize();
      return true;
    }

    // 2. Fetch only when the head moved (the store and the last fetched commit survive restarts).
    this.fetched ??= await this.branch.fetched();
    if (head !== this.fetched) {
      try {
        const before = this.fetched;
        this.fetched = await this.branch.fetch();
        metrics.fetches.inc({ result: "success" });
        logger.info("fetched the deploy branch", { branch, revision: this.fetched, previous: before });
      } catch (error) {
        metrics.fetches.inc({ result: "failure" });
        return this.sourceFailed("FetchFailed", `cannot fetch ${branch} from ${this.options.config.repoUrl}: ${(error as Error).message}`);
      }
    }
    const commit = this.fetched!;

    // 3. Read; resync in full when the commit changed, the last sync failed, or the resync is due.
    const due = commit !== this.lastReadCommit || this.failures > 0 || Date.now() - this.syncedAt >= RESYNC_MS;
    if (!due) return true;
    let desired: DesiredApplication[];
    let readFailures: ApplicationReadFailure[];
    try {
      ({ applications: desired, failures: readFailures } = await this.branch.read(commit));
    } catch (error) {
      return this.sourceFailed("ReadFailed", `cannot read clusters/${this.options.config.cluster}/ at ${commit.slice(0, 12)}: ${(error as Error).message}`);
    }
    this.conditions.set("Fetched", "True", "Succeeded", `fetched ${branch} at ${commit}`);
    this.lastReadCommit = commit;

    // 4. Sync each application; one failing does not stop the others.
    let failed = false;
    for (const app of desired) {
      if (this.stopping) return false;
      const outcome = await engine.sync(app);
      metrics.applies.inc(outcome.applied);
      metrics.prunes.inc(outcome.pruned);
      failed ||= outcome.failed;
      if (outcome.state) this.apps.set(app.name, outcome.state);
      else this.apps.delete(app.name);
    }
    const kept = new Map(readFailures.map((failure) => [failure.name, `${failure.message}; what was applied before is kept`]));
    // A folder gone without a tombstone is not a deletion: keep what is applied and say so. The
    // inventories still name such an application after a restart, when the agent has forgotten it.
    const named = new Set([...desired, ...readFailures].map((app) => app.name));
    let inventoried: string[] = [];
    try {
      inventoried = await engine.inventoried();
    } catch (error) {
      failed = true;
      logger.warn("cannot list the application inventories", { error: error as Error });
    }
    for (const name of new Set([...this.apps.keys(), ...inventoried])) {
      if (!named.has(name)) kept.set(name, `its folder is missing from ${branch}, without a tombstone (deleted.yaml): nothing is pruned, its resources are kept until the folder returns or the hub deletes the application`);
    }
    for (const [name, message] of kept) {
      if (this.stopping) return false;
      const outcome = await engine.keep(name, message);
      failed ||= outcome.failed;
      this.apps.set(name, outcome.state);
    }

    // A broken folder changes only with a new commit: syncing the others again would not help it.
    if (!failed) this.syncedAt = Date.now();
    if (!failed && readFailures.length === 0) metrics.lastSuccessfulSync.setToCurrentTime();
    this.setReady();
    this.summarize();
    return !failed;
  }

  private sourceFailed(reason: string, message: string): false {
    this.options.logger.warn("source unavailable: keeping what is applied, nothing is pruned", { reason, detail: message });
    this.conditions.set("Fetched", "False", reason, message);
    this.summarize();
    return false;
  }

  private setReady(): void {
    if (!this.ready) this.options.logger.info("ready: first reconcile pass done");
    this.ready = true;
  }

  /** Synced, Healthy and Ready from the applications and the source. */
  private summarize(): void {
    const apps = [...this.apps.values()];
    const outOfSync = apps.filter((app) => app.sync !== "Synced").map((app) => app.name);
    const unhealthy = apps.filter((app) => app.health !== "Healthy").map((app) => app.name);
    const list = (names: string[]) => names.slice(0, 10).join(", ") + (names.length > 10 ? ` and ${names.length - 10} more` : "");
    this.conditions.set("Synced", outOfSync.length ? "False" : "True", outOfSync.length ? "OutOfSync" : "Synced", outOfSync.length ? `not synced: ${list(outOfSync)}` : `${apps.length} applications synced`);
    this.conditions.set("Healthy", unhealthy.length ? "False" : "True", unhealthy.length ? "Unhealthy" : "Healthy", unhealthy.length ? `not healthy: ${list(unhealthy)}` : `${apps.length} applications healthy`);
    const fetched = this.conditions.get("Fetched")!;
    const failing = [fetched, this.conditions.get("Synced")!, this.conditions.get("Healthy")!].find((c) => c.status !== "True");
    if (failing) this.conditions.set("Ready", "False", failing.reason, failing.message);
    else this.conditions.set("Ready", "True", "Succeeded", `applied ${fetched.message.replace(/^fetched /, "")}`);
  }
}

export interface SyncEngineOptions {
  kube: KubeClient;
  cluster: string;
  logger: Logger;
  onDrift: (event: DriftEvent) => void;
  /** An application's state changed between passes (a heal, a health change). */
  onApplication: (state: ApplicationState) => void;
}

const toStatus = ({ ref, sync, health, message }: ResourceResult): ResourceStatus => ({ ...ref, sync, health: health?.status ?? "Healthy", ...(message ? { message } : {}) });

/** The application's state as reported, from one sync's result. */
function stateOf(result: SyncResult, previous: ApplicationState | undefined): ApplicationState {
  const notes = result.notes.length > 0 ? `; ${result.notes.slice(0, 5).join("; ")}` : "";
  const lastSyncedAt = result.phase === "Succeeded" ? result.finishedAt.toISOString() : previous?.lastSyncedAt;
  return {
    name: result.application,
    revision: result.revision,
    sync: result.sync,
    health: result.health,
    message: `${result.message}${notes}`,
    // Kinds without a health check do not count toward health; they are listed only when out of sync.
    resources: result.resources.map(toStatus),
    ...(lastSyncedAt ? { lastSyncedAt } : {}),
  };
}

const sameResource = (a: ResourceRef, b: ResourceRef) => a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;

/**
 * The sync and drift packages behind the loop: each application is synced with the drift watcher
 * paused for it (its own writes are not drift), then tracked with what the sync wrote; a watch event
 * refreshes the resource's health in the reported state between passes.
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { kube, cluster, logger } = options;
  const context = { cluster, inventoryNamespace: AGENT_NAMESPACE };
  const states = new Map<string, ApplicationState>();
  const tracked = new Map<string, TrackedApplication>();
  /** Applications watched as found live after a restart, with no desired state to heal them back to. */
  const adopted = new Set<string>();
  const watcher = new DriftWatcher(kube, {
    cluster,
    onDrift: options.onDrift,
    onError: (error) => logger.warn("drift watch", { error: error.message }),
    onChange: (name, live, desired) => {
      const state = states.get(name);
      if (!state) return;
      const ref = refFor(desired);
      const health = live ? (assessHealth(live)?.status ?? "Healthy") : "Missing";
      const resources = state.resources.filter((r) => !sameResource(r, ref));
      const previous = state.resources.find((r) => sameResource(r, ref));
      const sync = live ? (previous?.health === "Missing" ? "Synced" : (previous?.sync ?? "Synced")) : "OutOfSync";
      resources.push({ ...ref, sync, health, ...(live && previous?.message ? { message: previous.message } : {}) });
      const next: ApplicationState = {
        ...state,
        resources,
        health: worstHealth(resources.map((r) => r.health)),
        sync: resources.some((r) => r.sync === "OutOfSync") ? "OutOfSync" : state.sync === "OutOfSync" ? "Synced" : state.sync,
      };
      states.set(name, next);
      options.onApplication(next);
    },
  });
  let namespaceReady: Promise<unknown> | undefined;
  const failed = (name: string, message: string) => {
    const previous = states.get(name);
    const state: ApplicationState = { ...(previous ?? { name, revision: null, health: "Unknown", resources: [] }), sync: "Unknown", message };
    states.set(name, state);
    return { state, applied: 0, pruned: 0, failed: true };
  };
  return {
    async sync(app) {
      watcher.pause(app.name);
      try {
        // The per-application inventories live in the agent's namespace; run locally, it may not exist yet.
        namespaceReady ??= kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: AGENT_NAMESPACE } }).catch((error: unknown) => {
          namespaceReady = undefined;
          throw error;
        });
        await namespaceReady;
        if (app.state === "deleted") {
          const result = await deleteApplication(kube, app, context);
          const pruned = result.resources.filter((r) => r.action === "pruned").length;
          if (result.phase === "Failed") return { ...failed(app.name, `deleting the application: ${result.message}`), pruned };
          logger.info("application deleted", { application: app.name, detail: result.message });
          watcher.untrack(app.name);
          tracked.delete(app.name);
          adopted.delete(app.name);
          states.delete(app.name);
          return { state: null, applied: 0, pruned, failed: false };
        }
        const result = await syncApplication(kube, app, context);
        const state = stateOf(result, states.get(app.name));
        states.set(app.name, state);
        if (result.managed) {
          tracked.set(app.name, {
            name: app.name,
            objects: result.managed,
            ignoreDifferences: app.application.spec.ignoreDifferences ?? [],
            selfHeal: applicationOptions(app.application).selfHeal,
          });
          adopted.delete(app.name);
        }
        const count = (action: string) => result.resources.filter((r) => r.action === action).length;
        if (result.phase === "Failed") logger.warn("sync failed", { application: app.name, revision: app.revision, detail: result.message });
        return { state, applied: count("applied"), pruned: count("pruned"), failed: result.phase === "Failed" };
      } catch (error) {
        logger.warn("sync failed", { application: app.name, revision: app.revision, error: error as Error });
        return failed(app.name, `sync failed: ${(error as Error).message}`);
      } finally {
        // Watch what the last good sync wrote; a failed one leaves the previous objects watched.
        const last = tracked.get(app.name);
        if (last) watcher.track(last);
      }
    },
    inventoried: () => listInventories(kube, AGENT_NAMESPACE),
    async keep(name, message) {
      // Known from a sync of this process: its state stands and its watch (and heals) go on.
      if (!tracked.has(name)) {
        try {
          const owned = await listOwned(kube, context, name);
          // Found live: its objects through its inventory, each measured against what the agent last applied to it.
          const resources = owned.map((live): ResourceStatus => ({ ...refFor(live), sync: "Unknown", health: assessHealth(live)?.status ?? "Healthy" }));
          states.set(name, { name, revision: null, sync: "Unknown", health: worstHealth(resources.map((r) => r.health)), resources });
          tracked.set(name, { name, objects: owned.map((live) => ({ object: appliedBy(live, FIELD_MANAGER), replace: false })), ignoreDifferences: [], selfHeal: false });
          adopted.add(name);
          watcher.track(tracked.get(name)!);
        } catch (error) {
          logger.warn("cannot list an application's objects", { application: name, error: error as Error });
          return failed(name, `${message}; its objects cannot be listed: ${(error as Error).message}`);
        }
      }
      const note = adopted.has(name) ? "; the agent restarted since it last applied this application, so drift is reported, not healed" : "";
      const state: ApplicationState = { ...states.get(name)!, sync: "Unknown", message: `${message}${note}` };
      states.set(name, state);
      return { state, failed: false };
    },
    stop: () => watcher.stop(),
  };
}
