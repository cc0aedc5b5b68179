import { ApplicationMatrix, FleetClusterPage, FLEET_LIMITS, type FleetCluster, type MatrixRow } from "../../../contract/fleet.js";
import { getJson, withQuery } from "./client.js";
import type { Loader } from "./live.js";

export interface MatrixFilters {
  selector?: string;
  application?: string;
  sync?: string;
  health?: string;
}

/** Every page of the matrix, joined: its columns, totals and rows. */
export interface WholeMatrix {
  asOf: string;
  applications: string[];
  totals: ApplicationMatrix["totals"];
  rows: MatrixRow[];
  /** False while later pages are still loading. */
  complete: boolean;
}

/** The pages each query last joined, so a poll where every page answered 304 returns the same object (and nothing re-renders). */
const MAX_JOINED = 8;
const joined = new Map<string, { pages: ApplicationMatrix[]; whole: WholeMatrix }>();

function join(pages: ApplicationMatrix[], complete: boolean): WholeMatrix {
  const last = pages[pages.length - 1]!;
  return { asOf: last.asOf, applications: last.applications, totals: last.totals, rows: pages.flatMap((page) => page.rows), complete };
}

/**
 * Loads the whole application × cluster matrix page by page (the largest pages the API allows),
 * showing the rows loaded so far after each page.
 */
export function matrixLoader(filters: MatrixFilters): Loader<WholeMatrix> {
  const key = JSON.stringify(filters);
  return async (partial) => {
    const pages: ApplicationMatrix[] = [];
    let pageToken: string | null = null;
    const before = joined.get(key);
    do {
      const page: ApplicationMatrix = await getJson(
        withQuery("/v1/applications", { ...filters, limit: FLEET_LIMITS.maxPageSize, pageToken }),
        ApplicationMatrix,
      );
      pages.push(page);
      pageToken = page.nextPageToken;
      // The first load shows rows as they come; a later one keeps the whole table until it has every page.
      if (pageToken && !before) partial(join(pages, false));
    } while (pageToken);
    if (before?.pages.length === pages.length && before.pages.every((page, i) => page === pages[i])) return before.whole;
    const whole = join(pages, true);
    joined.delete(key);
    if (joined.size >= MAX_JOINED) joined.delete(joined.keys().next().value!);
    joined.set(key, { pages, whole });
    return whole;
  };
}

/** Every cluster, joined from its pages (one page up to 10,000 clusters). */
export interface AllClusters {
  asOf: string;
  total: number;
  clusters: FleetCluster[];
  /** False while later pages are still loading. */
  complete: boolean;
}

/**
 * Loads every cluster of `/v1/fleet/clusters` (without their applications: the matrix's cells
 * would be most of the bytes) in the largest pages the API allows; a poll whose pages all answer
 * 304 returns the same object.
 */
export function clustersLoader(): Loader<AllClusters> {
  let last: { pages: FleetClusterPage[]; whole: AllClusters } | undefined;
  const join = (pages: FleetClusterPage[], complete: boolean): AllClusters => ({
    asOf: pages[pages.length - 1]!.asOf,
    total: pages[pages.length - 1]!.totals.clusters,
    clusters: pages.length === 1 ? pages[0]!.clusters : pages.flatMap((page) => page.clusters),
    complete,
  });
  return async (partial) => {
    const pages: FleetClusterPage[] = [];
    let pageToken: string | null = null;
    do {
      const page: FleetClusterPage = await getJson(withQuery("/v1/fleet/clusters", { limit: FLEET_LIMITS.maxClustersPage, pageToken }), FleetClusterPage);
      pages.push(page);
      pageToken = page.nextPageToken;
      if (pageToken && !last) partial(join(pages, false));
    } while (pageToken);
    if (last?.pages.length === pages.length && last.pages.every((page, i) => page === pages[i])) return last.whole;
    last = { pages, whole: join(pages, true) };
    return last.whole;
  };
}
