import type { ApplicationCell, HealthStatus, MatrixRow, RevisionCount, StatusCounts, SyncStatus } from "../../contract/index.js";
import { matches, type Selector } from "../../core/labels/selector.js";
import type { ClusterView } from "./honest.js";

export interface MatrixFilter {
  selector: Selector;
  application?: string | undefined;
  sync?: SyncStatus | undefined;
  health?: HealthStatus | undefined;
}

/** Rows (by cluster name) of the clusters the selector picks, each with the cells the other filters keep; with a cell filter, a cluster with no such cell is left out. */
export function matrixRows(views: ClusterView[], filter: MatrixFilter): MatrixRow[] {
  const cellFilter = filter.application !== undefined || filter.sync !== undefined || filter.health !== undefined;
  const keep = (cell: ApplicationCell) =>
    (filter.application === undefined || cell.application === filter.application) &&
    (filter.sync === undefined || cell.sync === filter.sync) &&
    (filter.health === undefined || cell.health === filter.health);
  const rows: MatrixRow[] = [];
  for (const view of views) {
    if (!matches(filter.selector, view.cluster.labels)) continue;
    const cells = view.cells.filter(keep);
    if (cellFilter && cells.length === 0) continue;
    rows.push({ cluster: view.cluster, cells });
  }
  return rows;
}

/** The distinct applications of these rows, sorted: the matrix's columns. */
export function columnsOf(rows: MatrixRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const cell of row.cells) names.add(cell.application);
  return [...names].sort();
}

/** The page of `items` (sorted by `key`) after `after`, and the key to resume after when more follow. */
export function pageAfter<T>(items: T[], key: (item: T) => string, limit: number, after: string | undefined): { page: T[]; last: string | undefined } {
  let start = 0;
  if (after !== undefined) {
    // Binary search: items are sorted by key.
    let high = items.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      if (key(items[mid]!) <= after) start = mid + 1;
      else high = mid;
    }
  }
  const page = items.slice(start, start + limit);
  return { page, last: start + limit < items.length ? key(page[page.length - 1]!) : undefined };
}

/** Counts of cells by status, and of clusters by the revision they applied (most clusters first). */
export function rolloutOf(cells: ApplicationCell[]): { counts: StatusCounts; revisions: RevisionCount[] } {
  const counts: StatusCounts = { total: 0, sync: {}, health: {} };
  const revisions = new Map<string | null, number>();
  for (const cell of cells) {
    counts.total += 1;
    counts.sync[cell.sync] = (counts.sync[cell.sync] ?? 0) + 1;
    counts.health[cell.health] = (counts.health[cell.health] ?? 0) + 1;
    revisions.set(cell.revision, (revisions.get(cell.revision) ?? 0) + 1);
  }
  const sorted = [...revisions].sort(([a, x], [b, y]) => y - x || String(a).localeCompare(String(b)));
  return { counts, revisions: sorted.map(([revision, clusters]) => ({ revision, clusters })) };
}
