import { ApplicationMatrix, FLEET_LIMITS, type MatrixRow } from "../../../contract/fleet.js";
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
