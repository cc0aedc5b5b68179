import type { ClusterRecord } from "./cluster-record.js";

export class ClusterExistsError extends Error {}
export class VersionConflictError extends Error {}

export interface ClusterPage {
  records: ClusterRecord[];
  /** Opaque; absent on the last page. */
  cursor?: string;
  /** Items read from the store for this page, for benchmarks and capacity planning. */
  scanned: number;
}

/** The inventory as the domain sees it; DynamoDB is one implementation, and the only one needed. */
export interface InventoryStore {
  /** Throws ClusterExistsError when the name is taken. */
  createCluster(record: ClusterRecord): Promise<void>;
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  /** Writes `record` if the stored version is still `expectedVersion`; else VersionConflictError. */
  replaceCluster(record: ClusterRecord, expectedVersion: number): Promise<void>;
  /** Removes the cluster and everything stored under it; false if it did not exist. */
  deleteCluster(name: string): Promise<boolean>;
  /** One page of clusters in a stable order. Throws InvalidCursorError on a cursor it did not issue. */
  listClusters(limit: number, cursor?: string): Promise<ClusterPage>;
  /** A cursor that resumes the listing just after `record`, for a caller that stops mid-page. */
  cursorAfter(record: ClusterRecord): string;
}

export class InvalidCursorError extends Error {}
