import * as z from "zod";
import {
  ApplicationAcrossFleet,
  ApplicationMatrix,
  ApplicationName,
  ClusterApplication,
  ClusterName,
  echo,
  FLEET_LIMITS,
  FleetClusterPage,
  FleetEventPage,
  FleetOverview,
  HealthStatus,
  labelKeyProblem,
  SyncStatus,
} from "../../contract/index.js";
import { parseSelector, SelectorError, type Selector } from "../../core/labels/selector.js";
import { FleetError, type FleetService } from "../fleet/fleet-service.js";
import { InvalidCursorError } from "../ports.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";

const invalid = (field: string, message: string) => new HttpError("validation_failed", message, { field });

/** Refuses a query parameter the route does not take (a typo would otherwise be a silent no-op). */
function onlyParams(request: ApiRequest, allowed: string[]): void {
  for (const name of request.query.keys()) {
    if (!allowed.includes(name)) throw invalid(name, `unknown query parameter ${echo(name)}; this route takes ${allowed.join(", ") || "none"}`);
  }
}

function named<T>(schema: z.ZodType<T>, value: string | undefined, field: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(field, `${field} must be ${what}: ${parsed.error.issues[0]?.message ?? "invalid"} (got ${echo(value ?? "")})`);
  return parsed.data;
}

function optional<T>(request: ApiRequest, field: string, schema: z.ZodType<T>, what: string): T | undefined {
  const value = request.query.get(field);
  return value === null ? undefined : named(schema, value, field, what);
}

function selector(request: ApiRequest): Selector {
  try {
    return parseSelector(request.query.get("selector") ?? "");
  } catch (error) {
    if (error instanceof SelectorError) throw invalid("selector", `selector: ${error.message}`);
    throw error;
  }
}

function limit(request: ApiRequest, fallback: number, max: number): number {
  const text = request.query.get("limit") ?? String(fallback);
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < 1 || value > max) throw invalid("limit", `limit must be an integer from 1 to ${max}, got ${echo(text)}`);
  return value;
}

function groupBy(request: ApiRequest): string | null {
  const key = request.query.get("groupBy");
  if (key === null) return null;
  const problem = labelKeyProblem(key);
  if (problem) throw invalid("groupBy", `groupBy must be a label key: ${problem}`);
  return key;
}

const pageToken = (request: ApiRequest) => request.query.get("pageToken") ?? undefined;
const clusterParam = (request: ApiRequest) => named(ClusterName, request.params.name, "name", "a cluster name");
const appParam = (request: ApiRequest) => named(ApplicationName, request.params.app, "app", "an application name");
const SYNC_VALUES = `one of ${SyncStatus.options.join(", ")}`;
const HEALTH_VALUES = `one of ${HealthStatus.options.join(", ")}`;

/** Domain refusals as HTTP errors: not found → 404, a page token not this hub's → 400 naming it. */
async function fleetCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FleetError) throw new HttpError("not_found", error.message);
    if (error instanceof InvalidCursorError) throw invalid("pageToken", error.message);
    throw error;
  }
}

/** The console's fleet reads: counts, the clusters, the application × cluster matrix, one application, one application on one cluster, events. */
export function fleetRoutes(fleet: FleetService): Route[] {
  const { maxPageSize, defaultPageSize, maxEvents, defaultEvents, maxClustersPage, defaultClustersPage } = FLEET_LIMITS;
  return [
    {
      method: "GET",
      path: "/v1/fleet",
      summary: "The fleet at a glance: clusters and applications by sync, health, stale and never reported (?groupBy=<label key>), and the newest problems",
      responses: { 200: { description: "Counts and problems, honest as of now", schema: FleetOverview } },
      async handle(request) {
        onlyParams(request, ["groupBy"]);
        return { status: 200, body: await fleetCall(() => fleet.overview(groupBy(request))) };
      },
    },
    {
      method: "GET",
      path: "/v1/fleet/clusters",
      summary: `Clusters as the fleet views list them, without their applications (?selector=&limit=1-${maxClustersPage}&pageToken=): the clusters table`,
      responses: { 200: { description: "A page of clusters, by name, honest as of now", schema: FleetClusterPage } },
      async handle(request) {
        onlyParams(request, ["selector", "limit", "pageToken"]);
        const clusters = limit(request, defaultClustersPage, maxClustersPage);
        return { status: 200, body: await fleetCall(() => fleet.clusters(selector(request), clusters, pageToken(request))) };
      },
    },
    {
      method: "GET",
      path: "/v1/applications",
      summary: `The application × cluster matrix (?selector=&application=&sync=&health=&limit=1-${maxPageSize}&pageToken=), a page of clusters`,
      responses: { 200: { description: "A page of matrix rows", schema: ApplicationMatrix } },
      async handle(request) {
        onlyParams(request, ["selector", "application", "sync", "health", "limit", "pageToken"]);
        const filter = {
          selector: selector(request),
          application: optional(request, "application", ApplicationName, "an application name"),
          sync: optional(request, "sync", SyncStatus, SYNC_VALUES),
          health: optional(request, "health", HealthStatus, HEALTH_VALUES),
        };
        const rows = limit(request, defaultPageSize, maxPageSize);
        return { status: 200, body: await fleetCall(() => fleet.matrix(filter, rows, pageToken(request))) };
      },
    },
    {
      method: "GET",
      path: "/v1/applications/{app}",
      summary: `One application across the fleet: per cluster its revision, sync, health and last sync (?selector=&limit=1-${maxPageSize}&pageToken=)`,
      responses: { 200: { description: "The application's rollout and a page of its clusters", schema: ApplicationAcrossFleet } },
      async handle(request) {
        onlyParams(request, ["selector", "limit", "pageToken"]);
        const app = appParam(request);
        const rows = limit(request, defaultPageSize, maxPageSize);
        return { status: 200, body: await fleetCall(() => fleet.application(app, selector(request), rows, pageToken(request))) };
      },
    },
    {
      method: "GET",
      path: "/v1/clusters/{name}/applications/{app}",
      summary: "Every resource of an application on a cluster: desired (from its deploy branch) joined with reported, its drift events and its manifests",
      responses: { 200: { description: "The application on the cluster", schema: ClusterApplication } },
      async handle(request) {
        onlyParams(request, []);
        const cluster = clusterParam(request);
        const app = appParam(request);
        return { status: 200, body: await fleetCall(() => fleet.clusterApplication(cluster, app)) };
      },
    },
    {
      method: "GET",
      path: "/v1/events",
      summary: `Drift and sync events fleet-wide, newest first (?selector=&application=&limit=1-${maxEvents}&pageToken=)`,
      responses: { 200: { description: "A page of events", schema: FleetEventPage } },
      async handle(request) {
        onlyParams(request, ["selector", "application", "limit", "pageToken"]);
        const application = optional(request, "application", ApplicationName, "an application name");
        const events = limit(request, defaultEvents, maxEvents);
        return { status: 200, body: await fleetCall(() => fleet.events(selector(request), application, events, pageToken(request))) };
      },
    },
  ];
}
