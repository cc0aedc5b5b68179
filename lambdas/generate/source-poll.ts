/**
 * The source poll: a cheap check, every RADIAL_SOURCE_POLL_INTERVAL seconds (default 10, ±10%
 * jitter, 0 turns it off), of whether any head the last run read has moved: the fleet repo's
 * source branch, and every repository and ref an Application source read. One ls-refs call per
 * ref; a run is asked for only when a head moved, so a fleet whose Git host sends no webhook still
 * gets a commit generated within seconds, and the full schedule stays the safety net.
 *
 * What "the last run read" is: this process's last completed run (not a dry run); before one,
 * the source revision of the newest run in the history (any process's, so a restarted hub or a
 * fresh Lambda catches up on commits made meanwhile); with no history at all, the heads seen at
 * the first poll (nothing was ever generated: an inventory change or the schedule starts the first
 * run). A head asked for once is not asked for again until a run that started after the request
 * has finished: a failed run is retried at the next poll, a run in progress is not piled on.
 *
 * A lookup that fails is logged and changes nothing: the next poll tries again. A ref that
 * vanished (a deleted branch) is no move: there is nothing new to generate from.
 *
 * On AWS the schedule function polls (lambdas/handlers/schedule.ts) at every invocation of its
 * poll schedule; the runs happen in the worker function, so its baseline is always the history's
 * newest run (the fleet branch only: a head another repository's source read is noticed by the
 * full scheduled run, the webhook, or an inventory change).
 */
import { pool } from "../../core/pool.js";
import type { RunLedger, SourceHeads } from "./run-ledger.js";
import { startSchedule } from "./schedule.js";
import type { GenerationLog, GenerationService } from "./service.js";

/** Looks one ref up on a remote: the port the poll reaches Git through. */
export interface RefLookup {
  /** The commit `ref` (`refs/heads/main`, `refs/tags/v1`) names on the remote now, a tag peeled; null when there is no such ref. */
  head(url: string, ref: string): Promise<string | null>;
}

export interface SourcePollDeps {
  generation: Pick<GenerationService, "history"> & { ledger: RunLedger };
  lookup: RefLookup;
  fleet: { url: string; sourceBranch: string };
  log?: GenerationLog;
}

export interface PollResult {
  moved: boolean;
  reason: string;
}

export const DEFAULT_SOURCE_POLL_INTERVAL_SECONDS = 10;
/** Ref lookups of one poll at once. */
const LOOKUPS_AT_ONCE = 8;
/** History records read for the newest run that may have written (dry runs are skipped). */
const HISTORY_PAGE = 20;

/** RADIAL_SOURCE_POLL_INTERVAL in seconds: a whole number, 0 for no poll. */
export function sourcePollIntervalSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.RADIAL_SOURCE_POLL_INTERVAL;
  if (text === undefined || text === "") return DEFAULT_SOURCE_POLL_INTERVAL_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(`RADIAL_SOURCE_POLL_INTERVAL must be a whole number of seconds (0 turns the source poll off), got "${text}"`);
  return seconds;
}

interface Move {
  url: string;
  ref: string;
  from: string;
  to: string;
}

export class SourcePoller {
  /** The baseline before this process completes a run: the history's newest run, or the first poll's heads. */
  private fallback: SourceHeads | undefined;
  /** The moves a run was last asked for, and the ledger's mark at that moment. */
  private requested: { key: string; mark: number } | undefined;
  private polling: Promise<PollResult> | undefined;

  constructor(private readonly deps: SourcePollDeps) {}

  /** One check; a poll still under way is joined, never doubled. */
  poll(): Promise<PollResult> {
    this.polling ??= this.check().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private get fleetRef(): string {
    return `refs/heads/${this.deps.fleet.sourceBranch}`;
  }

  private async check(): Promise<PollResult> {
    const baseline = this.deps.generation.ledger.lastRead() ?? (await this.fromHistory());
    if (baseline === undefined) return this.adopt();
    const moves: Move[] = [];
    const failures: string[] = [];
    const refs = [...baseline].flatMap(([url, heads]) => [...heads].map(([ref, commit]) => ({ url, ref, commit })));
    await pool(refs, LOOKUPS_AT_ONCE, async ({ url, ref, commit }) => {
      try {
        const head = await this.deps.lookup.head(url, ref);
        if (head !== null && head !== commit) moves.push({ url, ref, from: commit, to: head });
      } catch (error) {
        failures.push(`${url} ${ref}`);
        this.deps.log?.error("source poll: ref lookup failed; retrying at the next poll", { url, ref, error: (error as Error).message });
      }
    });
    if (moves.length === 0) {
      this.requested = undefined;
      return { moved: false, reason: failures.length ? `lookup failed: ${failures.join(", ")}` : "no head moved" };
    }
    const key = JSON.stringify(moves.map((m) => [m.url, m.ref, m.to]).sort());
    const { ledger } = this.deps.generation;
    if (this.requested?.key === key && !ledger.finishedSince(this.requested.mark)) {
      return { moved: false, reason: "a run for these heads was asked for and has not finished yet" };
    }
    this.requested = { key, mark: ledger.mark() };
    const reason = moves.map((m) => `${m.url} ${m.ref} moved from ${m.from.slice(0, 12)} to ${m.to.slice(0, 12)}`).join("; ");
    this.deps.log?.info("source poll: a head moved; asking for a run", { moves });
    return { moved: true, reason };
  }

  /**
   * The fleet branch's head as the newest run in the history read it (this or another process),
   * read at every poll until this process completes a run: where runs happen elsewhere (the
   * worker function on AWS), the history is the only record of what was generated.
   */
  private async fromHistory(): Promise<SourceHeads | undefined> {
    const { records } = await this.deps.generation.history(HISTORY_PAGE).catch((error: unknown) => {
      this.deps.log?.error("source poll: the generation history could not be read; retrying at the next poll", { error: (error as Error).message });
      return { records: undefined };
    });
    const last = records?.find((record) => !record.dryRun);
    if (last) this.fallback = new Map([[this.deps.fleet.url, new Map([[this.fleetRef, last.sourceRevision]])]]);
    return this.fallback;
  }

  /** No run was ever recorded: the heads seen now are the baseline, and only a later move asks for a run. */
  private async adopt(): Promise<PollResult> {
    const { url } = this.deps.fleet;
    try {
      const head = await this.deps.lookup.head(url, this.fleetRef);
      if (head !== null) this.fallback = new Map([[url, new Map([[this.fleetRef, head]])]]);
      return { moved: false, reason: "no run recorded yet: the current head is the baseline" };
    } catch (error) {
      this.deps.log?.error("source poll: ref lookup failed; retrying at the next poll", { url, ref: this.fleetRef, error: (error as Error).message });
      return { moved: false, reason: `lookup failed: ${url} ${this.fleetRef}` };
    }
  }
}

/** The embedded hub's poll: a check every jittered interval, a background run when a head moved (its failures are the service's to log). */
export function startSourcePoll(poller: SourcePoller, trigger: () => unknown, intervalSeconds: number): { stop(): void } {
  const tick = () => {
    poller
      .poll()
      .then((result) => (result.moved ? trigger() : undefined))
      .catch(() => undefined);
  };
  return startSchedule(tick, intervalSeconds);
}
