import type { InventoryCluster } from "./params.js";

/** The label every Argo CD cluster Secret carries; Argo's cluster generator exposes and matches it. */
export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/** A registered cluster as generators see it; what a generator derives from it is computed on first use, once per run. */
export interface ClusterView {
  cluster: InventoryCluster;
  /** Everything about the cluster a generator reads (name, server, labels, annotations), as one string. */
  key: string;
  labels?: Record<string, string>;
  nameNormalized?: string;
}

/** A cluster's labels as Argo CD's cluster Secret carries them. */
export function secretLabels(view: ClusterView): Record<string, string> {
  return (view.labels ??= { ...view.cluster.labels, [CLUSTER_SECRET_TYPE_LABEL]: "cluster" });
}

/**
 * The inventory of one run, indexed once for every ApplicationSet evaluated against it: sorted by
 * name for the cluster generator, by name and by server for destinations.
 */
export interface InventoryView {
  clusters: readonly InventoryCluster[];
  /** By name (Argo iterates a Go map, so its order is random; Radial's is stable). */
  sorted: readonly ClusterView[];
  byName: ReadonlyMap<string, InventoryCluster>;
  /** The first registered cluster with each server, as a scan in inventory order would find. */
  byServer: ReadonlyMap<string, InventoryCluster>;
}

export function inventoryView(clusters: readonly InventoryCluster[]): InventoryView {
  const byName = new Map<string, InventoryCluster>();
  const byServer = new Map<string, InventoryCluster>();
  for (const cluster of clusters) {
    if (!byName.has(cluster.name)) byName.set(cluster.name, cluster);
    if (cluster.server !== null && !byServer.has(cluster.server)) byServer.set(cluster.server, cluster);
  }
  const sorted = [...clusters]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((cluster) => ({ cluster, key: JSON.stringify([cluster.name, cluster.server, cluster.labels, cluster.annotations]) }));
  return { clusters, sorted, byName, byServer };
}
