/**
 * Waits on the hub for the deploy branch's head to move (`GET /v1/agent/revision`, a long-poll the
 * hub holds up to 25 s), so a new commit reaches the agent as soon as the hub has pushed it, not at
 * the next poll. The poll stays the fallback: while the hub does not wait (an older hub's 404, a
 * hub set not to wait, an error, a refused token) the watch pauses — the poll interval, or a
 * backoff after errors — and tries again; the reconcile loop polls meanwhile as it always does.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { AGENT_WAIT_PATH, AgentWaitReply, MAX_AGENT_WAIT_SECONDS } from "../../contract/agent-wait.js";
import { AGENT_CLUSTER_HEADER } from "../../contract/hub-reply.js";
import { describeError } from "../../core/error-cause.js";
import { backoff, sleep } from "../kube/backoff.js";

export interface HeadWatchOptions {
  hubUrl: string;
  cluster: string;
  /** Read before every wait (a rotated token is picked up). */
  token: () => string;
  /** The newest head the agent knows of (heard or fetched): the wait ends when the hub's differs. */
  known: () => string | null;
  /** The hub named a head other than `known`. */
  onHead: (revision: string) => void;
  /** The pause while the hub does not wait: the poll interval. */
  pollMs: number;
  onOutcome?: (outcome: "head" | "unchanged" | "polling") => void;
  logger: Logger;
}

/** A wait longer than the hub's cap plus this is taken as lost (a proxy that never answers). */
const GRACE_MS = 10_000;
/** Retries after errors start about a second apart. */
const BACKOFF_BASE_MS = 1000;

export class HeadWatch {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private failures = 0;
  /** Why the watch last fell back to polling, logged once per reason. */
  private fallback: string | undefined;

  constructor(private readonly options: HeadWatchOptions) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const pauseMs = await this.waitOnce(signal);
      if (pauseMs > 0) await sleep(pauseMs, signal);
    }
  }

  /** One wait; how long to pause before the next (0: wait again at once). */
  private async waitOnce(signal: AbortSignal): Promise<number> {
    const { hubUrl, cluster, token, known, onHead, pollMs } = this.options;
    const current = known();
    try {
      const response = await fetch(`${hubUrl}${AGENT_WAIT_PATH}${current ? `?known=${current}` : ""}`, {
        headers: { authorization: `Bearer ${token()}`, [AGENT_CLUSTER_HEADER]: cluster },
        signal: AbortSignal.any([signal, AbortSignal.timeout(MAX_AGENT_WAIT_SECONDS * 1000 + GRACE_MS)]),
      });
      const text = await response.text();
      if (!response.ok) {
        if (response.status === 404) return this.poll("the hub offers no waiting (an older hub): polling", pollMs);
        this.failures += 1;
        return this.poll(`the hub answered ${response.status} to a wait: polling`, backoff(this.failures - 1, pollMs, BACKOFF_BASE_MS), text.slice(0, 256));
      }
      const reply = AgentWaitReply.parse(JSON.parse(text));
      this.failures = 0;
      const head = reply.revision !== null && reply.revision !== current ? reply.revision : undefined;
      if (head) onHead(head);
      if (reply.waitSeconds === 0) return this.poll("the hub does not hold waits (RADIAL_AGENT_WAIT_SECONDS=0): polling", pollMs);
      this.options.onOutcome?.(head ? "head" : "unchanged");
      if (this.fallback !== undefined) this.options.logger.info("waiting on the hub for new heads again");
      this.fallback = undefined;
      // A head the agent cannot take (the branch gone) must not make the next wait return at once, and again.
      return reply.revision === null && current !== null ? pollMs : 0;
    } catch (error) {
      if (signal.aborted) return 0;
      this.failures += 1;
      return this.poll("waiting on the hub failed: polling", backoff(this.failures - 1, pollMs, BACKOFF_BASE_MS), describeError(error));
    }
  }

  private poll(reason: string, pauseMs: number, detail?: string): number {
    this.options.onOutcome?.("polling");
    if (this.fallback !== reason) this.options.logger.info(reason, { retryInMs: Math.round(pauseMs), ...(detail ? { detail } : {}) });
    this.fallback = reason;
    return pauseMs;
  }
}
