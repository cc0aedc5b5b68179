import { randomUUID } from "node:crypto";
import { CLUSTER_LIMITS, type GenerationRecord, type GenerationRun, type GenerationTrigger } from "../../contract/index.js";
import type { InventoryCluster } from "./params.js";
import type { GenerationInput, GenerationResult } from "./pipeline/run.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import type { Clock, GenerationHistory, GenerationLease, GenerationPage } from "../ports.js";
import { isRequestedRun, type GenerationMessage, type GenerationQueue, type GenerationRuns, type RequestedRun } from "./queue.js";
import { failedRun, failureRecord, finishedRun, queuedRun, runningRun } from "./requested-runs.js";
import { recordOf } from "./history.js";
import { decidePush, repositoryKey, type PushDecision, type PushPayload } from "./webhook-push.js";
import { RunLedger, sourceHeads } from "./run-ledger.js";

/**
 * Generation runs as the hub starts them: take the fleet-wide lease, keep it renewed, read the whole
 * inventory, run, record the run in the history (dry runs too, with `dryRun: true`), release.
 *
 * Guarantees:
 * - At most one run at a time across hub processes (the lease, `GenerationLease`). An explicit run (`run`)
 *   that finds it held fails with `GenerationBusyError` and changes nothing.
 * - The lease is renewed every third of its TTL while a run is under way. When a renewal finds the
 *   lease taken, or no renewal has succeeded for a whole TTL, the run stops before its next push
 *   with `GenerationLeaseLostError` and records nothing; branches pushed before stay pushed (each
 *   push is a compare-and-swap, so nothing written is corrupt).
 * - No background trigger is lost (`drain`): one that finds the lease held marks it pending on the
 *   lease item, and the holder runs once more after its run; see adapters/dynamodb/generation-lease.ts. Any
 *   number of pending marks cost one follow-up run.
 * - The lease is released whether the run succeeds or fails; a crashed process's lease expires
 *   after `leaseTtlSeconds`, and its pending mark is covered by the next run (at the latest the
 *   scheduled one).
 * - A run that throws (fleet repo unreachable, deploy branches unreadable) records nothing.
 */
export class GenerationBusyError extends Error {
  constructor() {
    super("a generation run is in progress; try again");
  }
}

export class GenerationLeaseLostError extends Error {}

/** Where each run is logged, one structured line per run (Powertools' Logger fits). */
export interface GenerationLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** Errors named in a run's log line; the history and `radial generate` have them all. */
const LOGGED_ERRORS = 5;

/**
 * Runs the generation pipeline (runner.ts). Only a process that works the queue has one: the
 * embedded hub and the worker function; the API function queues runs and reads their history, so
 * it carries none of the pipeline.
 */
export interface GenerationRunner {
  run(input: GenerationInput): Promise<GenerationResult>;
  /** The repositories and refs this process's runs read besides the fleet repo's source branch, by URL; undefined before any run. */
  references(): ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
}

export interface GenerationServiceDeps {
  lease: GenerationLease;
  history: GenerationHistory;
  registry: Pick<ClusterRegistry, "list">;
  /** The fleet repo and the branch its generator files are read from. */
  fleet: { url: string; sourceBranch: string };
  /** Absent where this process only queues runs (`queue` then sends them to a worker elsewhere). */
  runner?: GenerationRunner;
  clock: Clock;
  /** Default 300 s. */
  leaseTtlSeconds?: number;
  /** How triggers and requested runs reach a worker, given the worker's entry (`process`); failures of queued runs are the queue's to report. */
  queue: (worker: (message: GenerationMessage) => Promise<void>) => GenerationQueue;
  /** Requested runs by id (`POST /v1/generate`, `GET /v1/generations/{id}`). */
  runs: GenerationRuns;
  log?: GenerationLog;
}

export interface GenerationRunRequest {
  trigger: GenerationTrigger;
  dryRun: boolean;
  force: boolean;
}

const DEFAULT_LEASE_TTL_SECONDS = 300;
/** A trigger whose pending mark keeps missing (the lease freed each time) retries this often, then gives up. */
const MAX_HANDOFF_ATTEMPTS = 5;

export class GenerationService {
  private readonly queue: GenerationQueue;
  private readonly ttl: number;
  /** The heads this process's runs read, for the source poll (source-poll.ts). */
  readonly ledger = new RunLedger();

  constructor(private readonly deps: GenerationServiceDeps) {
    this.ttl = deps.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    this.queue = deps.queue((message) => this.process(message));
  }

  /** Every registered cluster, as the generators see it. */
  private async inventory(): Promise<InventoryCluster[]> {
    const clusters: InventoryCluster[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.deps.registry.list([], CLUSTER_LIMITS.maxPageSize, pageToken);
      for (const cluster of page.items) clusters.push({ name: cluster.name, server: cluster.server, labels: cluster.labels, annotations: cluster.annotations });
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return clusters;
  }

  /** Runs now, in the caller's time (the worker, for a requested run); a trigger that arrived meanwhile is queued after it. */
  async run(request: GenerationRunRequest, holder: string = randomUUID()): Promise<GenerationResult & { id: string }> {
    const startedAt = this.deps.clock();
    if (!(await this.deps.lease.acquire(holder, this.ttl, startedAt))) throw new GenerationBusyError();
    const { result, pending } = await this.execute(request, holder, startedAt);
    if (pending) await this.trigger(pending);
    return { id: holder, ...result };
  }

  /**
   * The worker's entry for background triggers (in-process, the schedule, an asynchronous
   * invocation): runs, then runs again while triggers were marked pending meanwhile; when another
   * process holds the lease, leaves the trigger pending with it and returns.
   */
  async drain(trigger: GenerationTrigger): Promise<void> {
    let next: GenerationTrigger | undefined = trigger;
    let attempts = 0;
    while (next !== undefined) {
      const holder = randomUUID();
      const startedAt = this.deps.clock();
      if (!(await this.deps.lease.acquire(holder, this.ttl, startedAt))) {
        if (await this.deps.lease.markPending(next, this.deps.clock())) return;
        // The lease was freed between the two writes: try to take it again.
        if (++attempts >= MAX_HANDOFF_ATTEMPTS) throw new GenerationBusyError();
        continue;
      }
      attempts = 0;
      next = (await this.execute({ trigger: next, dryRun: false, force: false }, holder, startedAt)).pending;
    }
  }

  /** One run under a lease already acquired; releases it and returns what was marked pending meanwhile. */
  private async execute(
    request: GenerationRunRequest,
    holder: string,
    startedAt: Date,
  ): Promise<{ result: GenerationResult; pending: GenerationTrigger | undefined }> {
    const heartbeat = this.heartbeat(holder, startedAt);
    const run = this.ledger.start();
    let released = false;
    try {
      const runner = this.runner();
      const clusters = await this.inventory();
      const result = await runner.run({ clusters, dryRun: request.dryRun, force: request.force, signal: heartbeat.signal });
      const record = recordOf(result, { id: holder, startedAt, trigger: request.trigger });
      await this.deps.history.record(record);
      this.logRun(record);
      const fleet = { url: this.deps.fleet.url, ref: `refs/heads/${this.deps.fleet.sourceBranch}`, commit: result.sourceRevision };
      this.ledger.finish(run, request.dryRun ? undefined : sourceHeads(fleet, runner.references()));
      released = true;
      return { result, pending: await this.release(holder, heartbeat) };
    } catch (error) {
      this.deps.log?.error("generation run failed", {
        id: holder,
        trigger: request.trigger,
        dryRun: request.dryRun,
        error: (error as Error).message,
        durationMs: this.deps.clock().getTime() - startedAt.getTime(),
      });
      throw error;
    } finally {
      this.ledger.finish(run);
      if (!released) {
        // Failed: still hand what was pending to a worker, so it is not lost with this run.
        const pending = await this.release(holder, heartbeat).catch(() => undefined);
        if (pending) await this.trigger(pending);
      }
    }
  }

  private runner(): GenerationRunner {
    if (!this.deps.runner) throw new Error("this process only queues generation runs; the worker runs them");
    return this.deps.runner;
  }

  /** One line per run: what started it, at which revision, what changed, what failed, how long it took. */
  private logRun(record: GenerationRecord): void {
    const { id, trigger, dryRun, sourceRevision: revision, clustersChanged, errorCount, durationMs } = record;
    const applications = { added: record.applicationsAdded, changed: record.applicationsChanged, removed: record.applicationsRemoved };
    const errors = record.errors.slice(0, LOGGED_ERRORS).map((e) => `${e.file}${e.cluster ? ` (cluster ${e.cluster})` : ""}: ${e.message}`);
    const fields = { id, trigger, dryRun, revision, clustersChanged, applications, errorCount, errors, durationMs };
    if (record.blocked) this.deps.log?.error("generation run blocked by the mass-removal guard", { ...fields, blocked: record.blocked.message });
    else this.deps.log?.info(errorCount > 0 ? "generation run finished with errors" : "generation run finished", fields);
  }

  private async release(holder: string, heartbeat: { stop(): void }): Promise<GenerationTrigger | undefined> {
    heartbeat.stop();
    const release = await this.deps.lease.release(holder);
    return release.released ? release.pending : undefined;
  }

  /**
   * Renews the lease every third of its TTL until stopped. Aborts the signal when a renewal finds
   * the lease taken, or when renewals have failed (DynamoDB unreachable) until the last confirmed
   * expiry, after which another process may take it.
   */
  private heartbeat(holder: string, acquiredAt: Date): { signal: AbortSignal; stop(): void } {
    const controller = new AbortController();
    const ttlMs = this.ttl * 1000;
    // expiresAt = floor(now) + ttl seconds: at least ttl - 1 s from `now`.
    let confirmedUntil = acquiredAt.getTime() + ttlMs - 1000;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    /** Renews once; the reason the run must stop, if it must. */
    const renew = async (now: Date): Promise<GenerationLeaseLostError | undefined> => {
      try {
        if (!(await this.deps.lease.renew(holder, this.ttl, now))) {
          return new GenerationLeaseLostError("the generation lease was taken by another process during the run; the run stopped before writing more");
        }
        confirmedUntil = now.getTime() + ttlMs - 1000;
      } catch (error) {
        if (this.deps.clock().getTime() >= confirmedUntil) {
          return new GenerationLeaseLostError(
            `the generation lease could not be renewed before it expired (${(error as Error).message}); the run stopped before writing more`,
          );
        }
      }
      return undefined;
    };
    const beat = () => {
      void renew(this.deps.clock()).then((lost) => {
        if (lost) controller.abort(lost);
        else if (!stopped) timer = setTimeout(beat, ttlMs / 3);
      });
    };
    timer = setTimeout(beat, ttlMs / 3);
    return {
      signal: controller.signal,
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /** Whether a pushed ref is one this hub generates from (see `decidePush`). */
  decidePush(push: PushPayload): PushDecision {
    const references = this.deps.runner?.references();
    return decidePush(push, {
      fleetURL: this.deps.fleet.url,
      sourceBranch: this.deps.fleet.sourceBranch,
      references: references && new Map([...references].map(([url, targets]) => [repositoryKey(url), targets])),
    });
  }

  history(limit: number, cursor?: string): Promise<GenerationPage> {
    return this.deps.history.list(limit, cursor);
  }

  /** Queues a background trigger; resolves once it is queued, not run. A failure to queue is logged, then rejected. */
  async trigger(trigger: GenerationTrigger): Promise<void> {
    try {
      await this.queue.send({ trigger });
    } catch (error) {
      this.deps.log?.error("queueing a generation trigger failed", { trigger, error: (error as Error).message });
      throw error;
    }
  }

  /** Queues a run as requested (`POST /v1/generate`); resolves with the queued run, whose id `getRun` follows. */
  async request(request: { dryRun: boolean; force: boolean }): Promise<GenerationRun> {
    const message: RequestedRun = { id: randomUUID(), trigger: "api", ...request };
    const run = queuedRun(message, this.deps.clock());
    await this.deps.runs.put(run);
    await this.queue.send(message);
    return run;
  }

  getRun(id: string): Promise<GenerationRun | undefined> {
    return this.deps.runs.get(id);
  }

  /**
   * The worker's entry: a background trigger drains (see `drain`); a requested run runs once as
   * asked and ends finished or failed, never retried (its requester decides). A redelivered message
   * whose run already ended does nothing; one whose worker died mid-run (still `running`) runs again.
   * A failure is recorded in the history, then rethrown for the queue (a trigger is retried, then
   * dead-lettered).
   */
  async process(message: GenerationMessage): Promise<void> {
    const startedAt = this.deps.clock();
    if (!isRequestedRun(message)) {
      await this.drain(message.trigger).catch(async (error: unknown) => {
        await this.recordFailure({ trigger: message.trigger, dryRun: false, startedAt }, error);
        throw error;
      });
      return;
    }
    const queued = (await this.deps.runs.get(message.id)) ?? queuedRun(message, startedAt);
    if (queued.state === "finished" || queued.state === "failed") return;
    const running = runningRun(queued, startedAt);
    await this.deps.runs.put(running);
    try {
      const result = await this.run({ trigger: "api", dryRun: message.dryRun, force: message.force }, message.id);
      await this.deps.runs.put(finishedRun(running, result, this.deps.clock()));
    } catch (error) {
      await this.deps.runs.put(failedRun(running, error, this.deps.clock()));
      await this.recordFailure({ ...message, startedAt }, error);
    }
  }

  /** Records a run that failed before it had a result (or a message that could not be run) in the history. */
  recordFailure(run: { id?: string; trigger: GenerationTrigger; dryRun: boolean; startedAt: Date }, error: unknown): Promise<void> {
    return this.deps.history.record(failureRecord({ id: randomUUID(), ...run }, error, this.deps.clock()));
  }

  /** Resolves once nothing this process queued is still running here (shutdown, tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }
}
