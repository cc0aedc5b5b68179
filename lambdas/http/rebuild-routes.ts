import { ClusterName, echo, parseWith, RebuildDryRunResponse, RebuildList, RebuildRequest, RebuildResponse, type ErrorCode } from "../../contract/index.js";
import { RebuildError, type RebuildFailure } from "../rebuild/errors.js";
import type { RebuildService } from "../rebuild/rebuild-service.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";
import { parseBody } from "./request-body.js";

const ERROR_FOR: Record<RebuildFailure, ErrorCode> = {
  not_found: "not_found",
  conflict: "conflict",
  invalid: "validation_failed",
  eks_unavailable: "bad_gateway",
};

async function rebuildCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RebuildError) throw new HttpError(ERROR_FOR[error.reason], error.message, error.details);
    throw error;
  }
}

function clusterName(request: ApiRequest): string {
  const parsed = parseWith(ClusterName, request.params.name, "cluster name");
  if (!parsed.ok) throw new HttpError("validation_failed", `${parsed.message} (got ${echo(request.params.name ?? "")})`, { field: "name" });
  return parsed.value;
}

/** `/v1/clusters/{name}/rebuild` and `/rebuilds`: replacing a lost cluster, and its history. A rebuild never starts a generation run. */
export function rebuildRoutes(rebuilds: RebuildService): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/clusters/{name}/rebuild",
      summary:
        "Rebuild a lost cluster as a new incarnation: its old token and reports are refused at once; returns the new token and bootstrap manifest (shown once) and the preflight (what Git cannot bring back); dryRun returns only the preflight",
      maxBodyBytes: 16 * 1024,
      requestBody: RebuildRequest,
      responses: {
        200: { description: "dryRun: the preflight; nothing changed", schema: RebuildDryRunResponse },
        202: { description: "Started; follow it with GET /v1/clusters/{name}/rebuilds", schema: RebuildResponse },
      },
      async handle(request) {
        const name = clusterName(request);
        const body = parseBody(request, RebuildRequest, "rebuild request");
        const answer = await rebuildCall(() => rebuilds.start(name, body));
        return { status: "dryRun" in answer ? 200 : 202, body: answer };
      },
    },
    {
      method: "GET",
      path: "/v1/clusters/{name}/rebuilds",
      summary: "A cluster's rebuilds, newest first: the current one with its phase, every phase's duration, the preflight",
      responses: { 200: { description: "The rebuilds", schema: RebuildList } },
      async handle(request) {
        const name = clusterName(request);
        return { status: 200, body: { items: await rebuildCall(() => rebuilds.list(name)) } };
      },
    },
  ];
}
