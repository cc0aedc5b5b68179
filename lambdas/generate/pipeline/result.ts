/** What a generation run reports: per cluster what changed, every error, and whether the guard stopped it. */

export interface GenerationError {
  /** The generator file, or `(inventory)` / `(deploy)` for problems outside any file. */
  file: string;
  applicationSet?: string;
  application?: string;
  cluster?: string;
  field?: string;
  message: string;
}

export interface FileDiff {
  path: string;
  diff: string;
}

export interface ClusterResult {
  name: string;
  /** The new commit on its deploy branch, or null (unchanged, dry run, blocked, or write failed). */
  commit: string | null;
  added: string[];
  changed: string[];
  removed: string[];
  /** Dry runs only: a line diff of every changed file. */
  diffs?: FileDiff[];
}

export interface RemovalBlock {
  removed: number;
  current: number;
  share: number;
  maxRemovalShare: number;
  message: string;
}

export interface GenerationResult {
  sourceRevision: string;
  clusters: ClusterResult[];
  errors: GenerationError[];
  blocked?: RemovalBlock;
  dryRun: boolean;
  durationMs: number;
}
