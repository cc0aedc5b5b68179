/**
 * Posts the status report to the hub: after every change (at once after a quiet spell, then at most
 * once per debounce delay, so a burst of changes is one post) and as a heartbeat. Only the latest
 * report matters, so nothing queues up while the hub is away: the report is built when it is sent.
 * Failures back off exponentially with jitter; a 401 stops reporting (reconciling goes on) until
 * the token changes.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { AGENT_CLUSTER_HEADER, HubReply } from "../../contract/hub-reply.js";
import { REPORT_LIMITS, type DriftEvent, type StatusReport } from "../../contract/status-report.js";
import { describeError } from "../../core/error-cause.js";
import { backoff } from "../kube/backoff.js";

export type ReportOutcome = "ok" | "unauthorized" | "failed";

export interface ReporterOptions {
  hubUrl: string;
  /** Read before every post, so a rotated token (a re-mounted Secret file) is picked up. */
  token: () => string;
  /** Builds the report from the agent's latest state and the drift events not yet delivered. */
  build: (driftEvents: DriftEvent[]) => StatusReport;
  heartbeatSeconds: number;
  logger: Logger;
  onReply?: (reply: HubReply) => void;
  onOutcome?: (outcome: ReportOutcome) => void;
  debounceMs?: number;
  /** Longest wait between retries while the hub fails. */
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
}

/** Retries of a report start about a second apart. */
const BACKOFF_BASE_MS = 1000;

export class Reporter {
  private readonly options: Required<Omit<ReporterOptions, "onReply" | "onOutcome">> & Pick<ReporterOptions, "onReply" | "onOutcome">;
  private readonly drift: DriftEvent[] = [];
  private droppedDrift = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires; a change never postpones an earlier post. */
  private due = Infinity;
  private sending: Promise<void> | undefined;
  private dirty = false;
  /** When the last post started (Date.now()); changes within a debounce delay of it wait for the delay. */
  private lastPostAt = -Infinity;
  private failures = 0;
  private stopped = false;
  /** The token the hub refused; reporting resumes when the token differs from it. */
  private refusedToken: string | undefined;
  private heartbeatSeconds: number;

  constructor(options: ReporterOptions) {
    this.options = { debounceMs: 1000, maxBackoffMs: 60_000, requestTimeoutMs: 10_000, ...options };
    this.heartbeatSeconds = options.heartbeatSeconds;
  }

  /** Starts with a post right away: the hub learns the agent is up and answers with the revision. */
  start(): void {
    this.schedule(0);
  }

  /**
   * Something in the report changed: post at once when the last post is a debounce delay old,
   * else when it will be. Posts stay at most one per delay, and a change after a quiet spell (the
   * branch fetched, the last application turning Healthy) reaches the hub without waiting.
   */
  changed(): void {
    this.dirty = true;
    if (this.failures === 0) this.schedule(this.sinceLastPost());
  }

  /** How long until a debounce delay has passed since the last post started (0 when it has). */
  private sinceLastPost(): number {
    return Math.max(0, this.lastPostAt + this.options.debounceMs - Date.now());
  }

  /** Queues a drift event for the next post; the oldest are dropped beyond the report's bound. */
  addDriftEvent(event: DriftEvent): void {
    this.drift.push(event);
    if (this.drift.length > REPORT_LIMITS.maxDriftEvents) {
      this.drift.shift();
      this.droppedDrift += 1;
    }
    this.changed();
  }

  get unauthorized(): boolean {
    return this.refusedToken !== undefined;
  }

  /** Stops the timers and sends one last report, so the hub sees the agent's final state. */
  async stop(finalReport = true): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sending;
    if (finalReport && !this.unauthorized) await this.post().catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + delayMs;
    if (this.timer && due >= this.due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = Infinity;
      void this.send();
    }, delayMs);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    if (this.sending) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.lastPostAt = Date.now();
    this.sending = this.post().finally(() => (this.sending = undefined));
    await this.sending;
  }

  private async post(): Promise<void> {
    const token = this.options.token();
    if (this.refusedToken !== undefined) {
      if (token === this.refusedToken) {
        this.schedule(this.heartbeatSeconds * 1000);
        return;
      }
      this.options.logger.info("the agent token changed: reporting to the hub again");
      this.refusedToken = undefined;
    }
    const sent = [...this.drift];
    let outcome: ReportOutcome;
    try {
      const report = this.options.build(sent);
      const response = await fetch(`${this.options.hubUrl}/v1/agent/status`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, [AGENT_CLUSTER_HEADER]: report.cluster },
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      const text = await response.text();
      if (response.status === 401) {
        outcome = "unauthorized";
        this.refusedToken = token;
        this.options.logger.error(
          "the hub refused the agent token (401): it was revoked or rotated. Reporting has stopped; reconciling goes on. " +
            "Re-bootstrap the cluster (radial cluster rotate-token <cluster> --bootstrap-out FILE, then kubectl apply -f FILE); " +
            "reporting resumes as soon as the token changes",
          { status: 401 },
        );
      } else if (!response.ok) {
        throw new Error(`the hub answered ${response.status}: ${text.slice(0, 512)}`);
      } else {
        outcome = "ok";
        // Delivered: drop exactly what was sent; events added meanwhile stay queued.
        this.drift.splice(0, sent.filter((event) => this.drift.includes(event)).length);
        if (this.failures > 0) this.options.logger.info("reporting to the hub again", { failedAttempts: this.failures });
        this.failures = 0;
        if (this.droppedDrift > 0) {
          this.options.logger.warn("drift events were dropped while the hub was unreachable", { dropped: this.droppedDrift });
          this.droppedDrift = 0;
        }
        const reply = HubReply.safeParse(text ? JSON.parse(text) : undefined);
        if (reply.success) {
          this.heartbeatSeconds = Math.max(this.options.heartbeatSeconds, reply.data.pollIntervalSeconds);
          this.options.onReply?.(reply.data);
        } else {
          this.options.logger.warn("the hub's reply is not a HubReply; ignored", { problem: reply.error.issues[0]?.message });
        }
      }
    } catch (error) {
      outcome = "failed";
      this.failures += 1;
      const delay = backoff(this.failures - 1, this.options.maxBackoffMs, BACKOFF_BASE_MS);
      this.options.logger.warn("could not report to the hub; keeping the latest report and retrying", {
        error: describeError(error),
        attempt: this.failures,
        retryInMs: Math.round(delay),
      });
      this.options.onOutcome?.(outcome);
      this.schedule(delay);
      return;
    }
    this.options.onOutcome?.(outcome);
    this.schedule(this.dirty && outcome === "ok" ? this.sinceLastPost() : this.heartbeatSeconds * 1000);
  }
}
