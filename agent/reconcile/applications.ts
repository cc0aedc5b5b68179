/**
 * The applications of one cluster, each synced on its own: a pass hands over what it read and
 * returns at once, and up to MAX_CONCURRENT_SYNCS applications sync meanwhile, so one whose wave
 * waits for health holds one worker, not the loop, the other applications, drift healing or
 * reporting. An application is never synced twice at once; a newer version of it waits for the
 * running sync, and ends it early when its content changed (a fix for a stuck wave need not wait
 * for the wave's timeout). A failed sync is retried alone, with backoff.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { backoff } from "../kube/backoff.js";
import type { AgentMetrics } from "../metrics.js";
import type { ApplicationState } from "../report/build.js";
import type { DesiredApplication } from "../source/desired.js";
import type { ApplicationReadFailure } from "../source/read.js";
import type { Liveness } from "./liveness.js";
import type { SyncEngine } from "./sync-engine.js";
import { WorkQueue } from "./queue.js";

/**
 * Syncs in flight at once. Argo CD runs 10 operation processors and Flux's controllers 4 workers
 * by default: enough that a few applications waiting on health leave room for the others, few
 * enough that the apiserver's rate limit (--kube-api-qps) is not spread over everything at once.
 */
export const MAX_CONCURRENT_SYNCS = 8;
/** Failed syncs are retried about a second apart at first, backing off to the poll interval. */
const RETRY_BASE_MS = 1000;

/** One application's work: sync what the branch holds, or keep what is applied and say why. */
type Work = { sync: DesiredApplication } | { keep: string };

export interface ApplicationsOptions {
  engine: SyncEngine;
  logger: Logger;
  metrics: AgentMetrics;
  liveness: Liveness;
  /** How long a sync may go without a step before the agent counts as wedged. */
  wedgedAfterMs: number;
  pollIntervalMs: number;
  /** An application's state changed. */
  onChange: () => void;
}

export interface Dispatch {
  /** The inventories could be listed: every application the cluster holds was accounted for. */
  complete: boolean;
  /** Resolves once each application handed over has been synced (or kept) once, whatever the outcome. */
  settled: Promise<void>;
}

export class Applications {
  private readonly states = new Map<string, ApplicationState>();
  private readonly queue: WorkQueue<Work>;

  constructor(private readonly options: ApplicationsOptions) {
    this.queue = new WorkQueue<Work>({
      workers: MAX_CONCURRENT_SYNCS,
      process: (name, work, signal) => this.run(name, work, signal),
      retryDelay: (attempt) => backoff(attempt, options.pollIntervalMs, RETRY_BASE_MS),
      supersedes: (current, newer) => "sync" in current && "sync" in newer && fingerprint(current.sync) !== fingerprint(newer.sync),
    });
  }

  list(): ApplicationState[] {
    return [...this.states.values()];
  }

  /** Applications whose last sync failed. */
  failing(): number {
    return this.queue.failing();
  }

  /** A state seen between syncs (a heal, a health change seen by a watch). */
  update(state: ApplicationState): void {
    this.states.set(state.name, state);
    this.options.onChange();
  }

  /**
   * Hands over what a pass read. An application the branch names but cannot read, or no longer
   * names without a tombstone, is kept: a folder gone is not a deletion. The inventories still
   * name such an application after a restart, when the agent has forgotten it.
   */
  async dispatch(desired: DesiredApplication[], readFailures: ApplicationReadFailure[], branch: string): Promise<Dispatch> {
    const handed = desired.map((app) => this.queue.add(app.name, { sync: app }));
    const kept = new Map(readFailures.map((failure) => [failure.name, `${failure.message}; what was applied before is kept`]));
    const named = new Set([...desired, ...readFailures].map((app) => app.name));
    let complete = true;
    let inventoried: string[] = [];
    try {
      inventoried = await this.options.engine.inventoried();
    } catch (error) {
      complete = false;
      this.options.logger.warn("cannot list the application inventories", { error: error as Error });
    }
    for (const name of new Set([...this.states.keys(), ...inventoried])) {
      if (!named.has(name))
        kept.set(
          name,
          `its folder is missing from ${branch}, without a tombstone (deleted.yaml): nothing is pruned, its resources are kept until the folder returns or the hub deletes the application`,
        );
    }
    for (const [name, message] of kept) handed.push(this.queue.add(name, { keep: message }));
    return { complete, settled: Promise.all(handed).then(() => undefined) };
  }

  /** Ends the syncs in flight (at their next step) and waits for them. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async run(name: string, work: Work, signal: AbortSignal): Promise<boolean> {
    const { engine, liveness, metrics } = this.options;
    const what = `the sync of application ${name}`;
    liveness.begin(what, this.options.wedgedAfterMs);
    try {
      if ("keep" in work) {
        const kept = await engine.keep(name, work.keep);
        this.states.set(name, kept.state);
        return !kept.failed;
      }
      const stopTimer = metrics.syncDuration.startTimer();
      const outcome = await engine.sync(work.sync, { signal, onProgress: () => liveness.moved(what), onState: (state) => this.update(state) });
      stopTimer({ result: outcome.failed ? "failure" : "success" });
      metrics.applies.inc(outcome.applied);
      metrics.prunes.inc(outcome.pruned);
      if (outcome.state) this.states.set(name, outcome.state);
      else this.states.delete(name);
      return !outcome.failed;
    } finally {
      liveness.end(what);
      this.options.onChange();
    }
  }
}

/** What an application's sync would write, without the commit it was read at (other applications move it). */
function fingerprint(app: DesiredApplication): string {
  return app.state === "deleted" ? JSON.stringify(["deleted", app.finalizers]) : JSON.stringify([app.application, app.manifests]);
}
