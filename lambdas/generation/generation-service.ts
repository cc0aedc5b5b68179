import { randomUUID } from "node:crypto";
import { CLUSTER_LIMITS } from "../../contract/index.js";
import type { InventoryCluster } from "../generator/params.js";
import { runGeneration, type GenerationDeps, type GenerationResult } from "../generator/run.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import { recordOf, type GenerationHistory, type GenerationPage, type GenerationTrigger } from "./history.js";
import type { GenerationLease } from "./lease.js";

/**
 * One generation run as the hub starts it: take the fleet-wide lease, read the whole inventory,
 * run, record the run in the history (dry runs too, with `dryRun: true`), release the lease.
 *
 * Guarantees:
 * - At most one run at a time across hub processes (the DynamoDB lease); a run that finds it held
 *   fails with `GenerationBusyError` and changes nothing.
 * - The lease is released whether the run succeeds or fails; a crashed process's lease expires
 *   after `leaseTtlSeconds`.
 * - A run that throws (fleet repo unreachable, deploy branches unreadable) records nothing.
 *
 * Background runs (`trigger`) are coalesced in this process: triggers arriving while a run is under
 * way become one follow-up run after it, so a burst of inventory changes costs at most two runs.
 */
export class GenerationBusyError extends Error {
  constructor() {
    super("a generation run is in progress; try again");
  }
}

export interface GenerationServiceDeps {
  lease: GenerationLease;
  history: GenerationHistory;
  registry: Pick<ClusterRegistry, "list">;
  /** Everything runGeneration needs besides the inventory. */
  run: GenerationDeps;
  clock: () => Date;
  /** Default 300 s; a run longer than this could overlap another. */
  leaseTtlSeconds?: number;
  /** Where failures of background runs go. */
  onBackgroundError?: (error: unknown, trigger: GenerationTrigger) => void;
}

export interface GenerationRunRequest {
  trigger: GenerationTrigger;
  dryRun: boolean;
  force: boolean;
}

const DEFAULT_LEASE_TTL_SECONDS = 300;

export class GenerationService {
  private active: Promise<void> | undefined;
  private pending: GenerationTrigger | undefined;

  constructor(private readonly deps: GenerationServiceDeps) {}

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

  async run(request: GenerationRunRequest): Promise<GenerationResult & { id: string }> {
    const holder = randomUUID();
    const startedAt = this.deps.clock();
    if (!(await this.deps.lease.acquire(holder, this.deps.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS, startedAt))) throw new GenerationBusyError();
    try {
      const clusters = await this.inventory();
      const result = await runGeneration({ clusters, dryRun: request.dryRun, force: request.force }, this.deps.run);
      await this.deps.history.record(recordOf(result, { id: holder, startedAt, trigger: request.trigger }));
      return { id: holder, ...result };
    } finally {
      await this.deps.lease.release(holder).catch(() => false);
    }
  }

  history(limit: number, cursor?: string): Promise<GenerationPage> {
    return this.deps.history.list(limit, cursor);
  }

  /** Starts a run in the background (not awaited); while one is under way, schedules one follow-up run. */
  trigger(trigger: GenerationTrigger): void {
    if (this.active) {
      this.pending ??= trigger;
      return;
    }
    this.active = this.loop(trigger).finally(() => (this.active = undefined));
  }

  private async loop(first: GenerationTrigger): Promise<void> {
    let next: GenerationTrigger | undefined = first;
    while (next !== undefined) {
      const trigger: GenerationTrigger = next;
      this.pending = undefined;
      try {
        await this.run({ trigger, dryRun: false, force: false });
      } catch (error) {
        this.deps.onBackgroundError?.(error, trigger);
      }
      next = this.pending;
    }
  }

  /** Resolves once no background run is under way (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.active) await this.active;
  }
}
