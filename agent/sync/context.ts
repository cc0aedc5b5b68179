/** Where a sync runs: the cluster (in tracking ids) and the agent's namespace. */
export interface SyncContext {
  cluster: string;
  /** The agent's namespace, which holds the per-application inventories. */
  inventoryNamespace: string;
}
