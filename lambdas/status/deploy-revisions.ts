import { DEPLOY_BRANCH_PREFIX } from "../../contract/deploy-branch.js";
import type { Clock, DeployRepository } from "../ports.js";

/** Where the hub learns the head of each cluster's deploy branch, for its reply to a status report. */
export interface DeployRevisions {
  /** Newest commit of `radial/clusters/<cluster>`; null when the branch does not exist. */
  revisionOf(cluster: string): Promise<string | null>;
}

/** A hub with no fleet repo has no deploy branches. */
export const NO_DEPLOY_REVISIONS: DeployRevisions = { revisionOf: () => Promise.resolve(null) };

/** The one git call needed: the heads of every branch under a prefix. */
export type BranchLister = Pick<DeployRepository, "remoteBranches">;

export interface CachedDeployRevisionsOptions {
  /** How long one listing answers every agent; default 10 s. */
  ttlMs?: number;
  clock?: Clock;
  /** Called when a listing fails; the last listing (or null revisions) answers meanwhile. */
  onError?: (error: unknown) => void;
}

const DEFAULT_TTL_MS = 10_000;

/**
 * Deploy-branch heads from ONE ls-refs of the whole `radial/clusters/` prefix, kept for a short
 * TTL in this process, so thousands of agents reporting cost one git round trip per TTL, not one
 * each. Concurrent callers share the listing in flight. A failed listing is not cached: the next
 * caller tries again, and until one succeeds agents get the last known heads (or null, which
 * tells an agent to poll its branch itself), so an unreachable Git host never fails a report.
 */
export class CachedDeployRevisions implements DeployRevisions {
  /** The last listing, and when it started: it holds every push that completed before then. */
  private heads: { branches: Map<string, string>; fetchedAt: number; startedAt: number } | undefined;
  private listing: Promise<Map<string, string>> | undefined;
  /** Bumped by forget(): a listing started before it is not kept. */
  private epoch = 0;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly git: BranchLister,
    private readonly options: CachedDeployRevisionsOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  async revisionOf(cluster: string): Promise<string | null> {
    return (await this.listed(cluster)).commit;
  }

  /** The head as the last listing saw it, and when that listing started (epoch ms; 0 when none has succeeded). */
  async listed(cluster: string): Promise<{ commit: string | null; since: number }> {
    const branches = await this.branches();
    return { commit: branches.get(`${DEPLOY_BRANCH_PREFIX}${cluster}`) ?? null, since: this.heads?.startedAt ?? 0 };
  }

  /**
   * Drops the last listing and any in flight, so the next caller lists again: for the process that
   * has just pushed deploy branches, which knows the listing it holds is older than its push.
   */
  forget(): void {
    this.epoch += 1;
    this.heads = undefined;
    this.listing = undefined;
  }

  private async branches(): Promise<Map<string, string>> {
    const now = this.clock().getTime();
    if (this.heads && now - this.heads.fetchedAt < this.ttlMs) return this.heads.branches;
    const epoch = this.epoch;
    const current = () => epoch === this.epoch;
    this.listing ??= this.git
      .remoteBranches(DEPLOY_BRANCH_PREFIX)
      .then((branches) => {
        if (current()) this.heads = { branches, fetchedAt: this.clock().getTime(), startedAt: now };
        return branches;
      })
      .catch((error: unknown) => {
        this.options.onError?.(error);
        return this.heads?.branches ?? new Map<string, string>();
      })
      .finally(() => {
        if (current()) this.listing = undefined;
      });
    return this.listing;
  }
}
