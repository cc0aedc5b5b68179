import {
  AGENT_CLUSTER_HEADER,
  ClusterName,
  ClusterStatus,
  echo,
  HubReply,
  parseStatusReport,
  parseWith,
  readStatusReportJson,
  type Cluster,
  type Parsed,
  StatusReport,
} from "../../contract/index.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import type { RebuildService } from "../rebuild/rebuild-service.js";
import { RegistryError } from "../inventory/errors.js";
import { StatusError, type StatusService } from "../status/status-service.js";
import { bearerToken } from "../inventory/token.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";
import { requireJson } from "./request-body.js";
import type { HubMetrics, StatusReportOutcome } from "./metrics.js";

const DEFAULT_EVENTS = 50;
const MAX_EVENTS = 200;

export interface StatusRouteDependencies {
  status: StatusService;
  registry: Pick<ClusterRegistry, "agentIncarnation" | "get">;
  metrics: HubMetrics;
  /** Advances a rebuilt cluster's rebuild on its reports and reads. */
  rebuild?: Pick<RebuildService, "observe">;
}

function refused(metrics: HubMetrics, outcome: StatusReportOutcome, error: HttpError): HttpError {
  metrics.observeStatusReport(outcome);
  return error;
}

const unauthorized = (deps: StatusRouteDependencies, message: string) => refused(deps.metrics, "unauthorized", new HttpError("unauthorized", message));

function agentToken(request: ApiRequest, deps: StatusRouteDependencies): string {
  const token = bearerToken(request.headers);
  if (token === undefined) throw unauthorized(deps, "missing credentials: send 'Authorization: Bearer <agent token>' (the token in the agent's Secret)");
  if (!token.startsWith("rdl_agent_"))
    throw unauthorized(deps, "status reports are sent with the cluster's agent token (rdl_agent_...), not an operator token");
  return token;
}

/**
 * The cluster the sender reports for, from X-Radial-Cluster, so the token is checked before the
 * body is read. Agents from before that header are still served (a hub upgraded first must not
 * silence its fleet): for them the body, once within the size limit, is parsed as JSON, but not
 * validated, to read its `cluster`.
 */
function claimedCluster(request: ApiRequest, deps: StatusRouteDependencies): string {
  const header = request.headers[AGENT_CLUSTER_HEADER];
  let claimed: unknown = header;
  if (header === undefined) {
    const json = legacyReportJson(request.body, deps);
    claimed = typeof json === "object" && json !== null ? (json as { cluster?: unknown }).cluster : undefined;
  }
  const name = ClusterName.safeParse(claimed);
  if (!name.success) {
    const got = typeof claimed === "string" ? ` (got ${echo(claimed)})` : "";
    throw unauthorized(deps, `name the cluster whose agent token this is in the ${AGENT_CLUSTER_HEADER} header, as a cluster name${got}`);
  }
  return name.data;
}

/** A report body refused by the contract, as the HTTP error and the metric's outcome it gets. */
function reportRefusal(parsed: Extract<Parsed<unknown>, { ok: false }>, deps: StatusRouteDependencies): HttpError {
  const tooLarge = parsed.problems.some((p) => p.problem === "too large");
  const code = tooLarge ? "payload_too_large" : parsed.problems.some((p) => p.problem === "not JSON") ? "bad_request" : "validation_failed";
  return refused(deps.metrics, tooLarge ? "too_large" : "invalid", new HttpError(code, parsed.message, { problems: parsed.problems }));
}

/** The size check and JSON parse of parseStatusReport, without the schema: what a header-less report is read with before its token is checked. */
function legacyReportJson(body: string, deps: StatusRouteDependencies): unknown {
  const json = readStatusReportJson(body);
  if (!json.ok) throw reportRefusal(json, deps);
  return json.value;
}

function validReport(request: ApiRequest, deps: StatusRouteDependencies, cluster: string): StatusReport {
  try {
    requireJson(request, "a status report");
  } catch (error) {
    throw refused(deps.metrics, "invalid", error as HttpError);
  }
  const parsed = parseStatusReport(request.body);
  if (!parsed.ok) throw reportRefusal(parsed, deps);
  if (parsed.value.cluster !== cluster) {
    const message = `invalid status report: cluster is ${parsed.value.cluster}, but ${AGENT_CLUSTER_HEADER} names ${cluster}; an agent reports for its own cluster`;
    throw refused(deps.metrics, "invalid", new HttpError("validation_failed", message, { problems: [{ field: "cluster", problem: message }] }));
  }
  return parsed.value;
}

/**
 * The report's sender must hold the agent token of the cluster it names, and is checked before
 * its body is read. Which of "another cluster's token", "rotated out" or "no such cluster" it is
 * stays unsaid: telling them apart would tell a caller without any valid token which cluster
 * names exist.
 */
async function authenticatedReport(request: ApiRequest, deps: StatusRouteDependencies): Promise<{ report: StatusReport; incarnation: number }> {
  const token = agentToken(request, deps);
  const cluster = claimedCluster(request, deps);
  const incarnation = await deps.registry.agentIncarnation(cluster, token);
  if (incarnation === undefined) {
    throw unauthorized(
      deps,
      `the agent token is not valid for cluster ${cluster}: it is another cluster's token, a token rotated out after its grace period, ` +
        `or the cluster is not registered (deleted); install a new bootstrap manifest (radial cluster rotate-token ${cluster}, or register it again)`,
    );
  }
  return { report: validReport(request, deps, cluster), incarnation };
}

function clusterName(request: ApiRequest): string {
  const parsed = parseWith(ClusterName, request.params.name, "cluster name");
  if (!parsed.ok) throw new HttpError("validation_failed", `${parsed.message} (got ${echo(request.params.name ?? "")})`, { field: "name" });
  return parsed.value;
}

function eventLimit(request: ApiRequest): number {
  const text = request.query.get("events") ?? String(DEFAULT_EVENTS);
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_EVENTS) {
    throw new HttpError("validation_failed", `events must be an integer from 0 to ${MAX_EVENTS}, got ${echo(text)}`, { field: "events" });
  }
  return limit;
}

/** `/v1/agent/status` (agents report) and `/v1/clusters/{name}/status` (operators read). */
export function statusRoutes(deps: StatusRouteDependencies): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/agent/status",
      summary:
        "An agent reports its cluster's status (with its agent token, not the admin token); the reply says which revision to run and when to report again",
      // Authenticated by the agent token of the cluster the report names, not the admin token.
      auth: "agent",
      requestBody: StatusReport,
      responses: { 200: { description: "Stored; the newest revision of the cluster's deploy branch (null if none) and the poll interval", schema: HubReply } },
      async handle(request) {
        const { report, incarnation } = await authenticatedReport(request, deps);
        try {
          const reply = await deps.status.accept(report, incarnation);
          deps.metrics.observeStatusReport("accepted");
          // Only a cluster rebuilt at some point can have a rebuild to advance.
          if (incarnation > 1) await deps.rebuild?.observe(report.cluster);
          return { status: 200, body: reply };
        } catch (error) {
          if (!(error instanceof StatusError)) throw error;
          const code = error.reason === "invalid" ? "validation_failed" : "conflict";
          throw refused(deps.metrics, error.reason, new HttpError(code, error.message, error.details));
        }
      },
    },
    {
      method: "GET",
      path: "/v1/clusters/{name}/status",
      summary: `A cluster's last report: roll-up, per-application status and the newest drift events (?events=0-${MAX_EVENTS}, default ${DEFAULT_EVENTS}); stale when it stopped reporting`,
      responses: { 200: { description: "The cluster's status; reported: false until its agent first reports", schema: ClusterStatus } },
      async handle(request) {
        const name = clusterName(request);
        const limit = eventLimit(request);
        await deps.rebuild?.observe(name);
        let cluster: Cluster;
        try {
          cluster = await deps.registry.get(name);
        } catch (error) {
          if (error instanceof RegistryError && error.reason === "not_found") throw new HttpError("not_found", error.message);
          throw error;
        }
        const { rebuild } = cluster;
        const status = await deps.status.read(name, rebuild?.requestedAt ?? cluster.createdAt, limit, rebuild?.incarnation ?? 1);
        return { status: 200, body: rebuild ? { ...status, rebuild } : status };
      },
    },
  ];
}
