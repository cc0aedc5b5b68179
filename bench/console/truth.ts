// The truth check: what /v1/fleet and every page of the matrix say, against what the simulated
// agents last reported (live ones) or that they fell silent (stale ones).
import { ApplicationMatrix, FleetOverview, type HealthStatus, type StatusCounts, type SyncStatus } from "../../contract/index.js";
import { worstHealth } from "../../contract/status-report.js";
import type { SimulatedCluster } from "./agents.js";

export interface Mismatch {
  what: string;
  hub: string;
  truth: string;
}

interface Cell {
  sync: SyncStatus;
  health: HealthStatus;
}

interface TruthCluster {
  state: "Reporting" | "Stale";
  sync: SyncStatus;
  health: HealthStatus;
  cells: Map<string, Cell>;
}

function truthOf(cluster: SimulatedCluster, live: boolean): TruthCluster {
  const unknown: Cell = { sync: "Unknown", health: "Unknown" };
  const cells = new Map<string, Cell>(cluster.applications.map((app) => [app.name, live ? { sync: app.sync, health: app.health } : unknown]));
  if (!live) return { state: "Stale", sync: "Unknown", health: "Unknown", cells };
  const syncs = [...cells.values()].map((cell) => cell.sync);
  const sync: SyncStatus = syncs.includes("OutOfSync") ? "OutOfSync" : syncs.includes("Unknown") ? "Unknown" : "Synced";
  return { state: "Reporting", sync, health: worstHealth([...cells.values()].map((cell) => cell.health)), cells };
}

function count(counts: StatusCounts, item: { sync: SyncStatus; health: HealthStatus }): void {
  counts.total += 1;
  counts.sync[item.sync] = (counts.sync[item.sync] ?? 0) + 1;
  counts.health[item.health] = (counts.health[item.health] ?? 0) + 1;
}

/** Compares every number of the overview and every row and cell of the matrix with the truth; the first clusters `agents` of `fleet` report, the rest are silent. */
export async function truthCheck(
  get: (path: string) => Promise<unknown>,
  fleet: SimulatedCluster[],
  agents: number,
): Promise<{ numbers: number; mismatches: Mismatch[] }> {
  const truth = new Map(fleet.map((cluster, i) => [cluster.name, truthOf(cluster, i < agents)]));
  const mismatches: Mismatch[] = [];
  let numbers = 0;
  const compare = (what: string, hub: unknown, expected: unknown) => {
    numbers += 1;
    if (JSON.stringify(hub) !== JSON.stringify(expected)) mismatches.push({ what, hub: JSON.stringify(hub), truth: JSON.stringify(expected) });
  };
  const clusters: StatusCounts = { total: 0, sync: {}, health: {} };
  const cells: StatusCounts = { total: 0, sync: {}, health: {} };
  for (const cluster of truth.values()) {
    count(clusters, cluster);
    for (const cell of cluster.cells.values()) count(cells, cell);
  }
  const overview = FleetOverview.parse(await get("/v1/fleet"));
  compare("clusters.total", overview.clusters.total, clusters.total);
  compare("clusters.reporting", overview.clusters.reporting, agents);
  compare("clusters.stale", overview.clusters.stale, fleet.length - agents);
  compare("clusters.neverReported", overview.clusters.neverReported, 0);
  for (const [kind, hub, expected] of [
    ["clusters", overview.clusters, clusters],
    ["applications", overview.applications, cells],
  ] as const) {
    for (const status of new Set([...Object.keys(hub.sync), ...Object.keys(expected.sync)]) as Set<SyncStatus>)
      compare(`${kind}.sync.${status}`, hub.sync[status] ?? 0, expected.sync[status] ?? 0);
    for (const status of new Set([...Object.keys(hub.health), ...Object.keys(expected.health)]) as Set<HealthStatus>)
      compare(`${kind}.health.${status}`, hub.health[status] ?? 0, expected.health[status] ?? 0);
  }
  compare("applications.total", overview.applications.total, cells.total);
  const seen = new Set<string>();
  let token: string | null = null;
  do {
    const page = ApplicationMatrix.parse(await get(`/v1/applications?limit=500${token ? `&pageToken=${encodeURIComponent(token)}` : ""}`));
    for (const row of page.rows) {
      const expected = truth.get(row.cluster.name);
      seen.add(row.cluster.name);
      if (!expected) {
        mismatches.push({ what: `matrix row ${row.cluster.name}`, hub: "present", truth: "absent" });
        continue;
      }
      compare(`${row.cluster.name} state`, row.cluster.state, expected.state);
      compare(`${row.cluster.name} sync/health`, [row.cluster.sync, row.cluster.health], [expected.sync, expected.health]);
      compare(`${row.cluster.name} cells`, row.cells.length, expected.cells.size);
      for (const cell of row.cells) {
        const want = expected.cells.get(cell.application);
        compare(`${row.cluster.name}/${cell.application}`, [cell.sync, cell.health], want ? [want.sync, want.health] : "absent");
      }
    }
    token = page.nextPageToken;
  } while (token);
  compare("matrix rows", seen.size, truth.size);
  return { numbers, mismatches };
}
