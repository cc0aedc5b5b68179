import { ClusterName } from "../../../contract/names.js";
import type { InventoryCluster } from "../params.js";
import type { GenerationError } from "./result.js";

/** The inventory that takes part in a run: valid, distinct cluster names only (the first of a name wins). */
export function admitClusters(inventory: readonly InventoryCluster[]): { clusters: InventoryCluster[]; errors: GenerationError[] } {
  const clusters: InventoryCluster[] = [];
  const errors: GenerationError[] = [];
  const names = new Set<string>();
  for (const cluster of inventory) {
    const valid = ClusterName.safeParse(cluster.name);
    if (!valid.success) {
      errors.push({
        file: "(inventory)",
        cluster: cluster.name,
        message: `cluster name ${JSON.stringify(cluster.name)}: ${valid.error.issues[0]!.message}; skipped`,
      });
    } else if (names.has(cluster.name)) {
      errors.push({ file: "(inventory)", cluster: cluster.name, message: `cluster ${cluster.name} is listed twice; the first is used` });
    } else {
      names.add(cluster.name);
      clusters.push(cluster);
    }
  }
  return { clusters, errors };
}
