import type { Cluster, EksClusterInfo } from "../../contract/index.js";
import { rebuildSummary, type RebuildState } from "../../contract/rebuild.js";

/** A registered cluster as the inventory stores it: the public view plus what only the hub may see. */
export interface ClusterRecord {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  server: string | null;
  eks: EksClusterInfo | null;
  createdAt: string;
  updatedAt: string;
  /** Incremented on every write; the optimistic-concurrency guard. */
  version: number;
  tokenHash: string;
  /** When the current token was issued: at registration, rotation or rebuild (absent on records written before it was kept). */
  tokenIssuedAt?: string;
  /** The token replaced by the last rotation, accepted until `validUntil`. */
  previousToken: { hash: string; validUntil: string } | null;
  /** Which life of the cluster its token and reports belong to: 1 at registration, one more per rebuild (absent: 1). */
  incarnation?: number;
  /** The latest rebuild, current or finished (lambdas/rebuild/). */
  rebuild?: RebuildState;
}

export function toCluster(record: ClusterRecord): Cluster {
  return {
    name: record.name,
    labels: record.labels,
    annotations: record.annotations,
    server: record.server,
    eks: record.eks,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    resourceVersion: String(record.version),
    ...(record.tokenIssuedAt ? { tokenIssuedAt: record.tokenIssuedAt } : {}),
    ...(record.rebuild ? { rebuild: rebuildSummary(record.rebuild) } : {}),
  };
}
