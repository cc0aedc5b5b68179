/** Stage 4, guard: a run that would remove more than a set share of all Applications on deploy branches writes nothing, unless forced. */
import type { RemovalBlock } from "./result.js";

export const DEFAULT_MAX_REMOVAL_SHARE = 0.25;

export interface GuardInput {
  /** Applications this run removes, and all on deploy branches now (removed clusters' branches included). */
  removed: number;
  current: number;
  maxRemovalShare: number;
  force: boolean;
}

export function guardRemovals({ removed, current, maxRemovalShare, force }: GuardInput): RemovalBlock | undefined {
  const share = current === 0 ? 0 : removed / current;
  if (removed === 0 || share <= maxRemovalShare || force) return undefined;
  return {
    removed,
    current,
    share,
    maxRemovalShare,
    message: `this run would remove ${removed} of ${current} Applications on deploy branches (${(share * 100).toFixed(1)}%), over the limit of ${(maxRemovalShare * 100).toFixed(1)}%; nothing was written (force to override)`,
  };
}
