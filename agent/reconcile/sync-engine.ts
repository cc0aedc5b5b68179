// What the reconcile loop needs from the sync and drift packages, for one cluster: the port the
// loop owns, implemented by ../engine/.
import type { ApplicationState } from "../report/build.js";
import type { DesiredApplication } from "../source/desired.js";

/** How the loop steers one application's sync while it runs. */
export interface SyncControl {
  /** Aborted when the agent stops or a newer version of the application arrives. */
  signal: AbortSignal;
  /** Called at each step the sync takes: the agent's liveness. */
  onProgress: () => void;
  /** The application's state while its sync runs (what it waits for), for the report. */
  onState: (state: ApplicationState) => void;
}

export interface SyncOutcome {
  /** The application's state for the report; null once a deleted application is gone for good. */
  state: ApplicationState | null;
  applied: number;
  pruned: number;
  /** The sync itself failed (an apply refused, a wave timed out, terminated): retried with backoff. */
  failed: boolean;
}

export interface SyncEngine {
  /** Applies (or, for a tombstone, deletes) one application and watches what it wrote; never throws. */
  sync(app: DesiredApplication, control: SyncControl): Promise<SyncOutcome>;
  /** The applications with an inventory in the cluster (all that may own objects); throws when it cannot list them. */
  inventoried(): Promise<string[]>;
  /**
   * An application the branch names but cannot be read, or no longer names without a tombstone:
   * nothing is pruned, its objects stay watched, and `message` says why; never throws.
   */
  keep(name: string, message: string): Promise<{ state: ApplicationState; failed: boolean }>;
  stop(): Promise<void>;
}
