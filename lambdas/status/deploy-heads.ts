/**
 * The head of each cluster's deploy branch as the hub knows it, fresher than a listing: after its
 * own push the hub knows every new head, so the next report (and a waiting agent) hears of it at
 * once, with no wait for the listing's TTL.
 *
 * Where it comes from: generation records each head it pushed in the table (`DeployHeadStore`,
 * one item per cluster, stamped with the time the push had completed), so every hub process sees
 * it, on AWS the API functions too, which run apart from the worker. The listing (one ls-refs of
 * every deploy branch per TTL, deploy-revisions.ts) still answers for pushes the hub did not make:
 * whichever of the two was taken later wins (a listing started after the push has seen it, or
 * something newer).
 *
 * Waiting (`waitForChange`): a waiter in the process that pushed is woken at once; any other
 * (another hub, another Lambda) re-reads the cluster's head item every `tickMs` (default 1 s), as a
 * Lambda cannot be woken by another invocation. A wait never lists the deploy branches again, so
 * waiting agents cost the Git host nothing.
 */
import { MAX_AGENT_WAIT_SECONDS } from "../../contract/agent-wait.js";
import type { Clock } from "../ports.js";
import type { CachedDeployRevisions, DeployRevisions } from "./deploy-revisions.js";

/** A deploy-branch head the hub pushed, and when the push had completed. */
export interface StoredDeployHead {
  commit: string;
  /** Epoch milliseconds. */
  writtenAt: number;
}

/** Where pushed heads are kept, per cluster; the port generation writes and the status routes read. */
export interface DeployHeadStore {
  put(heads: ReadonlyMap<string, string>, writtenAt: number): Promise<void>;
  get(cluster: string): Promise<StoredDeployHead | undefined>;
}

export interface DeployHeadsDeps {
  store: DeployHeadStore;
  /** The listing of every deploy branch; null for a hub without a fleet repo. */
  listing: Pick<CachedDeployRevisions, "listed"> | null;
  clock: Clock;
  /** How long a wait is held, in seconds: 0 to MAX_AGENT_WAIT_SECONDS (RADIAL_AGENT_WAIT_SECONDS). */
  waitSeconds: number;
  /** How often a wait re-reads the stored head (default 1000 ms). */
  tickMs?: number;
}

const DEFAULT_TICK_MS = 1000;

/** RADIAL_AGENT_WAIT_SECONDS: how long the hub holds an agent's wait; default and most 25 s (under API Gateway's 30 s), 0 for none. */
export function agentWaitSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.RADIAL_AGENT_WAIT_SECONDS;
  if (text === undefined || text === "") return MAX_AGENT_WAIT_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_AGENT_WAIT_SECONDS)
    throw new Error(`RADIAL_AGENT_WAIT_SECONDS must be a whole number of seconds from 0 (agents poll) to ${MAX_AGENT_WAIT_SECONDS}, got "${text}"`);
  return seconds;
}

export class DeployHeads implements DeployRevisions {
  /** Wakes the waiters of this process when it records heads. */
  private readonly waiters = new Set<() => void>();

  constructor(private readonly deps: DeployHeadsDeps) {}

  get waitSeconds(): number {
    return this.deps.waitSeconds;
  }

  /** Generation pushed these heads (cluster → commit): store them, then wake this process's waiters. */
  async record(heads: ReadonlyMap<string, string>): Promise<void> {
    if (heads.size === 0) return;
    await this.deps.store.put(heads, this.deps.clock().getTime());
    for (const wake of this.waiters) wake();
  }

  async revisionOf(cluster: string): Promise<string | null> {
    return (await this.current(cluster)).revision;
  }

  /** The newest head known, and the stored record it was compared with. */
  private async current(cluster: string): Promise<{ revision: string | null; stored: StoredDeployHead | undefined }> {
    const [stored, listed] = await Promise.all([this.deps.store.get(cluster), this.deps.listing?.listed(cluster)]);
    if (stored && (!listed || stored.writtenAt >= listed.since)) return { revision: stored.commit, stored };
    return { revision: listed?.commit ?? null, stored };
  }

  /**
   * The cluster's head once it differs from `known`, or the head as it is after `waitSeconds` (or
   * when `signal` aborts): the long-poll of an agent waiting for a change. Only a push recorded
   * after the wait began ends it early.
   */
  async waitForChange(cluster: string, known: string | null, signal?: AbortSignal): Promise<string | null> {
    const { revision, stored } = await this.current(cluster);
    if (revision !== known || this.deps.waitSeconds === 0) return revision;
    const deadline = this.deps.clock().getTime() + this.deps.waitSeconds * 1000;
    const since = stored?.writtenAt ?? 0;
    while (!signal?.aborted) {
      const left = deadline - this.deps.clock().getTime();
      if (left <= 0) break;
      await this.pause(Math.min(left, this.deps.tickMs ?? DEFAULT_TICK_MS), signal);
      const pushed = await this.deps.store.get(cluster);
      if (pushed && pushed.writtenAt > since && pushed.commit !== known) return pushed.commit;
    }
    return revision;
  }

  /** Waits `ms`, or less when this process records heads or `signal` aborts. */
  private pause(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
