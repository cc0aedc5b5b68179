/**
 * The reconcile loop. One pass: learn the branch's head and fetch it when it moved (./source.ts),
 * read the cluster's folder, and hand every application to its own sync (./applications.ts), which
 * runs on after the pass; the drift watchers keep to what is applied and reports go out as states
 * change. Passes never overlap; they run on the poll interval (with jitter), at once when the hub
 * names a newer revision, and with backoff after a failure. A failed lookup, fetch or read leaves
 * every applied object as it is: nothing is synced or pruned from a source the agent could not
 * read whole.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { AgentConfig } from "../../contract/agent-config.js";
import type { HubReply } from "../../contract/hub-reply.js";
import type { DriftEvent } from "../../contract/status-report.js";
import { VERSION } from "../../core/version.js";
import { backoff } from "../kube/backoff.js";
import type { AgentMetrics } from "../metrics.js";
import { buildReport, Conditions, type ApplicationState } from "../report/build.js";
import type { CapabilitiesTracker } from "../report/capabilities.js";
import { Reporter } from "../report/reporter.js";
import type { Probe } from "../server.js";
import type { DeployBranch } from "../source/branch.js";
import { HeadWatch } from "../source/head-watch.js";
import { Applications } from "./applications.js";
import { Liveness } from "./liveness.js";
import { DeploySource } from "./source.js";
import { summarize } from "./summary.js";
import { useHealthCustomizations } from "../health/user-checks.js";
import type { SyncEngine } from "./sync-engine.js";

export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  engine: SyncEngine;
  metrics: AgentMetrics;
  /** Re-read before every report (a mounted Secret changes when the token is rotated). */
  token: () => string;
  /** How long a piece of work may go without moving before /healthz fails (default WEDGED_MS). */
  wedgedAfterMs?: number;
  /** The cluster's version and API versions for the hub's helm; without it the reports carry none. */
  capabilities?: CapabilitiesTracker;
}

/** Failed passes are retried about a second apart at first, backing off to the poll interval. */
const RETRY_BASE_MS = 1000;
/** The full resync (every application applied again even if nothing moved) runs at least this often. */
const RESYNC_MS = 5 * 60_000;
/**
 * Work that has not moved for this long is wedged: /healthz fails and the kubelet restarts the
 * agent. Twice a wave's health timeout, so a sync that waits on health always moves first.
 */
const WEDGED_MS = 10 * 60_000;
const PASS = "the reconcile pass";
const NEXT_PASS = "the wait for the next pass";

export class Agent {
  readonly reporter: Reporter;
  /** The long-poll on the hub for a new head; the poll below stays the fallback. */
  private readonly watch: HeadWatch;
  private readonly options: AgentOptions;
  private readonly source: DeploySource;
  private readonly applications: Applications;
  private readonly liveness = new Liveness();
  private readonly conditions = new Conditions();
  private readonly wedgedAfterMs: number;
  /** The commit last read and handed over, and when every application was last handed over. */
  private lastReadCommit: string | null = null;
  private syncedAt = 0;
  private failures = 0;
  private ready = false;
  private wake: (() => void) | undefined;
  /** The hub named a new revision while a pass ran: start the next one at once. */
  private nudged = false;
  private stopping = false;
  private done: Promise<void> | undefined;

  constructor(options: AgentOptions) {
    this.options = options;
    const { config, logger, metrics } = options;
    this.wedgedAfterMs = options.wedgedAfterMs ?? WEDGED_MS;
    this.source = new DeploySource(config, logger, metrics);
    this.applications = new Applications({
      engine: options.engine,
      logger,
      metrics,
      liveness: this.liveness,
      wedgedAfterMs: this.wedgedAfterMs,
      pollIntervalMs: config.pollIntervalSeconds * 1000,
      onChange: () => this.changed(),
    });
    this.reporter = new Reporter({
      hubUrl: config.hubUrl,
      token: options.token,
      heartbeatSeconds: config.heartbeatSeconds,
      logger,
      build: (driftEvents) =>
        buildReport({
          cluster: config.cluster,
          agentVersion: VERSION,
          now: new Date(),
          revision: this.source.fetched,
          conditions: this.conditions.list(),
          applications: this.applications.list(),
          driftEvents,
          capabilities: options.capabilities?.toSend(),
        }),
      onReply: (reply) => this.onHubReply(reply),
      onOutcome: (outcome) => metrics.reports.inc({ outcome }),
    });
    this.watch = new HeadWatch({
      hubUrl: config.hubUrl,
      cluster: config.cluster,
      token: options.token,
      known: () => this.source.latest,
      onHead: (revision) => this.onHead(revision),
      pollMs: config.pollIntervalSeconds * 1000,
      logger,
      onOutcome: (outcome) => metrics.hubWaits.inc({ outcome }),
    });
  }

  /** The deploy branch; undefined until the fleet repo is known (from the settings or the hub). */
  get branch(): DeployBranch | undefined {
    return this.source.branch;
  }

  /** Everything received from Git since start. */
  get gitBytesReceived(): number {
    return this.source.bytesReceived;
  }

  /** A drift event from the watchers: counted, queued for the hub. */
  recordDrift(event: DriftEvent): void {
    this.options.metrics.driftEvents.inc({ action: event.action });
    this.reporter.addDriftEvent(event);
  }

  /** An application's state changed outside a sync (a heal, a health change seen by a watch). */
  updateApplication(state: ApplicationState): void {
    this.applications.update(state);
  }

  /** Live while every piece of work in hand moves (see ./liveness.ts). */
  healthy(): Probe {
    return this.liveness.probe();
  }

  readiness(): Probe {
    if (this.ready) return { ok: true, message: "ok" };
    const fetched = this.conditions.get("Fetched");
    return { ok: false, message: fetched ? `not ready: ${fetched.message}` : "not ready: the first reconcile pass has not finished" };
  }

  /** Runs passes until `stop()`. */
  start(): Promise<void> {
    this.options.capabilities?.start();
    this.reporter.start();
    this.watch.start();
    this.done ??= this.loop();
    return this.done;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.watch.stop();
    await this.done;
    await this.applications.stop();
    await this.options.engine.stop();
    await this.options.capabilities?.stop();
    await this.reporter.stop();
  }

  private onHubReply(reply: HubReply): void {
    this.options.capabilities?.heard(reply.capabilitiesDigest);
    const moved = this.source.locate(reply);
    const news = reply.revision !== null && this.source.heard(reply.revision);
    if (!moved && !news) return;
    this.nudged = true;
    this.wake?.();
  }

  /** The hub's long-poll named a head: news starts the next pass at once. */
  private onHead(revision: string): void {
    if (!this.source.heard(revision)) return;
    this.nudged = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const ok = await this.pass();
      this.failures = ok ? 0 : this.failures + 1;
      const pollMs = this.options.config.pollIntervalSeconds * 1000;
      await this.waitForNextPass(ok ? pollMs * (0.9 + 0.2 * Math.random()) : backoff(this.failures - 1, pollMs, RETRY_BASE_MS));
    }
  }

  /** Waits `delay`, or not at all when the hub named a newer revision or stop() was called meanwhile. */
  private async waitForNextPass(delay: number): Promise<void> {
    if (this.nudged || this.stopping) {
      this.nudged = false;
      return;
    }
    this.liveness.begin(NEXT_PASS, 3 * this.options.config.pollIntervalSeconds * 1000 + this.wedgedAfterMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** One pass; true when it reached its source and handed over everything it read. */
  private async pass(): Promise<boolean> {
    const { logger, metrics } = this.options;
    this.liveness.end(NEXT_PASS);
    this.liveness.begin(PASS, this.wedgedAfterMs);
    const stopTimer = metrics.reconcileDuration.startTimer();
    let ok = false;
    try {
      ok = await this.reconcile();
    } catch (error) {
      logger.error("reconcile pass failed", { error: error as Error });
    } finally {
      this.liveness.end(PASS);
      stopTimer({ result: ok ? "success" : "failure" });
      this.changed();
    }
    return ok;
  }

  private async reconcile(): Promise<boolean> {
    const update = await this.source.update();
    if (!update.ok) return this.sourceFailed(update.reason, update.message);
    const deployBranch = this.source.branch!;
    const branch = deployBranch.branch;
    if (update.commit === null) {
      this.conditions.set("Fetched", "False", "BranchNotFound", `${branch} does not exist yet: waiting for the hub to generate it`);
      this.setReady();
      return true;
    }
    const commit = update.commit;
    // Read and hand over in full when the commit changed, the last pass failed, or the resync is due.
    const due = commit !== this.lastReadCommit || this.failures > 0 || Date.now() - this.syncedAt >= RESYNC_MS;
    if (!due) return true;
    let folder;
    try {
      folder = await deployBranch.read(commit);
      await useHealthCustomizations(folder.health);
    } catch (error) {
      return this.sourceFailed("ReadFailed", `cannot read clusters/${this.options.config.cluster}/ at ${commit.slice(0, 12)}: ${(error as Error).message}`);
    }
    this.conditions.set("Fetched", "True", "Succeeded", `fetched ${branch} at ${commit}`);
    this.lastReadCommit = commit;
    const dispatch = await this.applications.dispatch(folder.applications, folder.failures, branch);
    if (dispatch.complete) this.syncedAt = Date.now();
    void dispatch.settled.then(() => {
      this.setReady();
      // A broken folder changes only with a new commit: syncing the others again would not help it.
      if (dispatch.complete && folder.failures.length === 0 && this.applications.failing() === 0) this.options.metrics.lastSuccessfulSync.setToCurrentTime();
    });
    return dispatch.complete;
  }

  private sourceFailed(reason: string, message: string): false {
    this.options.logger.warn("source unavailable: keeping what is applied, nothing is pruned", { reason, detail: message });
    this.conditions.set("Fetched", "False", reason, message);
    return false;
  }

  private setReady(): void {
    if (!this.ready) this.options.logger.info("ready: the first reconcile pass and its syncs are done");
    this.ready = true;
  }

  /** Conditions from the applications and the source, and a report soon. */
  private changed(): void {
    summarize(this.conditions, this.applications.list());
    this.reporter.changed();
  }
}
