/**
 * What the source poll needs to know of this process's generation runs: the heads the last
 * completed run read (the fleet repo's source branch, and every repository and ref an Application
 * source read), and whether a run that started after some moment has finished since.
 */

/** Repository URL → ref (`refs/heads/main`) → the commit read. */
export type SourceHeads = ReadonlyMap<string, ReadonlyMap<string, string>>;

export class RunLedger {
  private started = 0;
  /** The start number of the newest finished run (runs in one process are serialized by the lease). */
  private finishedRun = 0;
  private heads: SourceHeads | undefined;

  /** A run starts; returns its number for `finish`. */
  start(): number {
    return ++this.started;
  }

  /** A run ended; `heads` when it completed a run that may write (not a dry run, not a failure). */
  finish(run: number, heads?: SourceHeads): void {
    this.finishedRun = Math.max(this.finishedRun, run);
    if (heads) this.heads = heads;
  }

  /** The heads the last completed run read; undefined until one completes in this process. */
  lastRead(): SourceHeads | undefined {
    return this.heads;
  }

  /** A point in the sequence of runs: runs started later have larger numbers. */
  mark(): number {
    return this.started;
  }

  /** Whether a run that started after `mark` has finished (successfully or not). */
  finishedSince(mark: number): boolean {
    return this.finishedRun > mark;
  }
}

/** The heads a run read: the fleet repo's source branch, and what its sources session resolved. */
export function sourceHeads(fleet: { url: string; ref: string; commit: string }, references: SourceHeads | undefined): SourceHeads {
  const heads = new Map<string, Map<string, string>>();
  for (const [url, refs] of references ?? []) heads.set(url, new Map(refs));
  heads.set(fleet.url, (heads.get(fleet.url) ?? new Map<string, string>()).set(fleet.ref, fleet.commit));
  return heads;
}
