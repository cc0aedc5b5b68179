import {
  FLEET_LIMITS,
  type ApplicationCell,
  type ClusterCounts,
  type FleetGroup,
  type FleetOverview,
  type GenerationRecord,
  type LastGeneration,
  type StatusCounts,
} from "../../contract/index.js";
import type { ClusterView } from "./honest.js";

const emptyCounts = (): StatusCounts => ({ total: 0, sync: {}, health: {} });
const emptyClusterCounts = (): ClusterCounts => ({ ...emptyCounts(), reporting: 0, stale: 0, neverReported: 0 });

function add(counts: StatusCounts, item: { sync: keyof StatusCounts["sync"]; health: keyof StatusCounts["health"] }): void {
  counts.total += 1;
  counts.sync[item.sync] = (counts.sync[item.sync] ?? 0) + 1;
  counts.health[item.health] = (counts.health[item.health] ?? 0) + 1;
}

const STATE_FIELD = { Reporting: "reporting", Stale: "stale", NeverReported: "neverReported" } as const;

/** Counts of clusters (by state and honest roll-up) and of their application cells. */
function countsOf(views: ClusterView[]): { clusters: ClusterCounts; applications: StatusCounts } {
  const clusters = emptyClusterCounts();
  const applications = emptyCounts();
  for (const { cluster, cells } of views) {
    add(clusters, cluster);
    clusters[STATE_FIELD[cluster.state]] += 1;
    for (const cell of cells) add(applications, cell);
  }
  return { clusters, applications };
}

/** Groups by the value of label `key` (null: clusters without it), largest first; past FLEET_LIMITS.maxGroups the rest are one `other` group. */
function groupsOf(views: ClusterView[], key: string): FleetGroup[] {
  const byValue = new Map<string | null, ClusterView[]>();
  for (const view of views) {
    const value = Object.hasOwn(view.cluster.labels, key) ? view.cluster.labels[key]! : null;
    const group = byValue.get(value);
    if (group) group.push(view);
    else byValue.set(value, [view]);
  }
  const sorted = [...byValue].sort(([a, x], [b, y]) => y.length - x.length || String(a).localeCompare(String(b)));
  const groups: FleetGroup[] = sorted.slice(0, FLEET_LIMITS.maxGroups).map(([value, members]) => ({ value, ...countsOf(members) }));
  const rest = sorted.slice(FLEET_LIMITS.maxGroups).flatMap(([, members]) => members);
  if (rest.length > 0) groups.push({ value: null, other: true, ...countsOf(rest) });
  return groups;
}

const newestFirst = (a: ApplicationCell, b: ApplicationCell) => (a.updatedAt > b.updatedAt ? -1 : a.updatedAt < b.updatedAt ? 1 : 0);

/** The problem lists: the newest of each, honest statuses only (a stale cluster's last Degraded is Unknown now). */
function problemsOf(views: ClusterView[]) {
  const cells = views.flatMap((view) => view.cells);
  const degraded = cells.filter((cell) => cell.health === "Degraded" || cell.health === "Missing").sort(newestFirst);
  const outOfSync = cells.filter((cell) => cell.sync === "OutOfSync").sort(newestFirst);
  const stale = views
    .filter((view) => view.cluster.state === "Stale")
    .map((view) => ({ cluster: view.cluster.name, receivedAt: view.cluster.receivedAt!, staleAt: view.cluster.staleAt! }))
    .sort((a, b) => (a.receivedAt > b.receivedAt ? -1 : a.receivedAt < b.receivedAt ? 1 : 0));
  const max = FLEET_LIMITS.maxProblems;
  return { degraded: degraded.slice(0, max), outOfSync: outOfSync.slice(0, max), stale: stale.slice(0, max) };
}

/** The newest run's summary with its errors by file. */
export function lastGenerationOf(record: GenerationRecord | undefined): LastGeneration | null {
  if (!record) return null;
  const files = new Map<string, LastGeneration["failedFiles"][number]>();
  for (const error of record.errors) {
    const file = files.get(error.file);
    if (file) file.errors += 1;
    else files.set(error.file, { file: error.file, errors: 1, first: error });
  }
  return {
    id: record.id,
    startedAt: record.startedAt,
    trigger: record.trigger,
    sourceRevision: record.sourceRevision,
    clustersChanged: record.clustersChanged,
    errorCount: record.errorCount,
    blocked: record.blocked !== undefined,
    failedFiles: [...files.values()],
  };
}

export function overviewOf(
  views: ClusterView[],
  options: { asOf: Date; staleAfterSeconds: number; groupBy: string | null; lastGeneration: LastGeneration | null },
): FleetOverview {
  return {
    asOf: options.asOf.toISOString(),
    staleAfterSeconds: options.staleAfterSeconds,
    ...countsOf(views),
    groupBy: options.groupBy,
    ...(options.groupBy === null ? {} : { groups: groupsOf(views, options.groupBy) }),
    problems: { ...problemsOf(views), lastGeneration: options.lastGeneration },
  };
}
