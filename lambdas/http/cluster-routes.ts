import {
  Cluster,
  CLUSTER_LIMITS,
  echo,
  ClusterList,
  ClusterName,
  parseWith,
  PatchClusterRequest,
  RegisterClusterRequest,
  RegisterClusterResponse,
  RotateTokenRequest,
  RotateTokenResponse,
  type ErrorCode,
} from "../../contract/index.js";
import type { ClusterRegistry } from "../inventory/cluster-registry.js";
import { RegistryError, type RegistryFailure } from "../inventory/errors.js";
import { parseSelector, SelectorError } from "../../core/labels/selector.js";
import type { ApiRequest, Route } from "./api.js";
import { HttpError } from "./http-error.js";
import { parseBody } from "./request-body.js";

const ERROR_FOR: Record<RegistryFailure, ErrorCode> = {
  not_found: "not_found",
  exists: "conflict",
  precondition_failed: "precondition_failed",
  conflict: "conflict",
  invalid: "validation_failed",
  eks_not_found: "unprocessable",
  eks_unavailable: "bad_gateway",
};

async function registryCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RegistryError) throw new HttpError(ERROR_FOR[error.reason], error.message, error.details);
    throw error;
  }
}

function clusterName(request: ApiRequest): string {
  const parsed = parseWith(ClusterName, request.params.name, "cluster name");
  if (!parsed.ok) throw new HttpError("validation_failed", `${parsed.message} (got ${echo(request.params.name ?? "")})`, { field: "name" });
  return parsed.value;
}

const etag = (cluster: Cluster) => `"${cluster.resourceVersion}"`;

function ifMatch(request: ApiRequest): string | undefined {
  const header = request.headers["if-match"];
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?([0-9]+)"?\s*$/.exec(header);
  if (!match) throw new HttpError("bad_request", `If-Match must be the ETag of the cluster ("<resourceVersion>"), got ${echo(header)}`);
  return match[1];
}

function listQuery(request: ApiRequest) {
  const limitText = request.query.get("limit") ?? "100";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > CLUSTER_LIMITS.maxPageSize) {
    throw new HttpError("validation_failed", `limit must be an integer from 1 to ${CLUSTER_LIMITS.maxPageSize}, got ${echo(limitText)}`, { field: "limit" });
  }
  try {
    return { selector: parseSelector(request.query.get("selector") ?? ""), limit, pageToken: request.query.get("pageToken") ?? undefined };
  } catch (error) {
    if (error instanceof SelectorError) throw new HttpError("validation_failed", error.message, { field: "selector" });
    throw error;
  }
}

/** `/v1/clusters`: registration and upkeep of the inventory. */
/** `observe`: advances a cluster's rebuild before it is shown. */
export function clusterRoutes(registry: ClusterRegistry, changed: () => Promise<void>, observe?: (name: string) => Promise<unknown>): Route[] {
  const bodyLimit = CLUSTER_LIMITS.maxBodyBytes;
  return [
    {
      method: "POST",
      path: "/v1/clusters",
      summary: "Register a cluster; returns its agent token (shown once) and bootstrap manifest",
      maxBodyBytes: bodyLimit,
      requestBody: RegisterClusterRequest,
      responses: { 201: { description: "Registered", schema: RegisterClusterResponse } },
      async handle(request) {
        const body = parseBody(request, RegisterClusterRequest, "cluster registration");
        const result = await registryCall(() => registry.register(body));
        await changed();
        return { status: 201, headers: { location: `/v1/clusters/${result.cluster.name}`, etag: etag(result.cluster) }, body: result };
      },
    },
    {
      method: "GET",
      path: "/v1/clusters",
      summary: "List clusters, optionally by label selector (?selector=env=prod,tier in (web,api),!canary&limit=&pageToken=)",
      responses: { 200: { description: "A page of clusters", schema: ClusterList } },
      async handle(request) {
        const { selector, limit, pageToken } = listQuery(request);
        const page = await registryCall(() => registry.list(selector, limit, pageToken));
        return { status: 200, headers: { "x-radial-scanned": String(page.scanned) }, body: { items: page.items, nextPageToken: page.nextPageToken } };
      },
    },
    {
      method: "GET",
      path: "/v1/clusters/{name}",
      summary: "Get a cluster",
      responses: { 200: { description: "The cluster; its ETag is the resourceVersion", schema: Cluster } },
      async handle(request) {
        const name = clusterName(request);
        await observe?.(name);
        const cluster = await registryCall(() => registry.get(name));
        return { status: 200, headers: { etag: etag(cluster) }, body: cluster };
      },
    },
    {
      method: "PATCH",
      path: "/v1/clusters/{name}",
      summary: "Merge labels and annotations (null removes a key); If-Match makes it conditional",
      maxBodyBytes: bodyLimit,
      requestBody: PatchClusterRequest,
      responses: { 200: { description: "The updated cluster", schema: Cluster } },
      async handle(request) {
        const name = clusterName(request);
        const body = parseBody(request, PatchClusterRequest, "cluster patch");
        const cluster = await registryCall(() => registry.patch(name, body, ifMatch(request)));
        await changed();
        return { status: 200, headers: { etag: etag(cluster) }, body: cluster };
      },
    },
    {
      method: "DELETE",
      path: "/v1/clusters/{name}",
      summary: "Delete a cluster and what the hub stores about it; its token stops working",
      responses: { 204: { description: "Deleted" } },
      async handle(request) {
        const name = clusterName(request);
        await registryCall(() => registry.delete(name));
        await changed();
        return { status: 204 };
      },
    },
    {
      method: "POST",
      path: "/v1/clusters/{name}/token",
      summary: "Rotate the agent token; the old one keeps working for the grace period",
      maxBodyBytes: bodyLimit,
      requestBody: RotateTokenRequest,
      responses: { 200: { description: "The new token (shown once) and bootstrap manifest", schema: RotateTokenResponse } },
      async handle(request) {
        const name = clusterName(request);
        // The body is optional: none is `{}`.
        const options = request.body === "" ? {} : parseBody(request, RotateTokenRequest, "token rotation");
        return { status: 200, body: await registryCall(() => registry.rotateToken(name, options)) };
      },
    },
  ];
}
