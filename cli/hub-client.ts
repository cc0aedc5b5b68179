import * as z from "zod";
import {
  ApiError,
  Cluster,
  CLUSTER_LIMITS,
  ClusterList,
  ClusterStatus,
  GenerationHistoryPage,
  GenerationRun,
  parseWith,
  RebuildDryRunResponse,
  RebuildList,
  RebuildResponse,
  RegisterClusterResponse,
  RotateTokenResponse,
  type RotateTokenRequest,
  type PatchClusterRequest,
  type RebuildRequest,
  type RegisterClusterRequest,
} from "../contract/index.js";
import type { HubAuth } from "./hub-auth.js";

export const DEFAULT_HUB_URL = "http://127.0.0.1:8420";

/** The hub answered, but refused the request or failed: carries the API's status, code and message. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    /** The API error code, or `unexpected_response` when the answer was not a Radial API error. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** No answer at all: the hub is down, the URL is wrong, or it did not answer in time. */
export class HubUnreachableError extends Error {}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/** The hub's HTTP API as an operator uses it, with every answer checked against the contract. */
export class HubClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    /** The admin token (`bearerAuth`), or SigV4 signing for the hub on AWS (`sigV4Auth`). */
    private readonly auth: HubAuth,
    private readonly timeoutMs = 30_000,
  ) {
    // A hub behind API Gateway lives under a stage path, so only the trailing slash is dropped.
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  register(request: RegisterClusterRequest): Promise<RegisterClusterResponse> {
    return this.call("POST", "/v1/clusters", RegisterClusterResponse, { body: request });
  }

  listPage(query: { selector?: string; limit: number; pageToken?: string }): Promise<ClusterList> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.selector) params.set("selector", query.selector);
    if (query.pageToken) params.set("pageToken", query.pageToken);
    return this.call("GET", `/v1/clusters?${params}`, ClusterList);
  }

  /** Every matching cluster, following nextPageToken to the last page. */
  async listAll(selector?: string, pageSize: number = CLUSTER_LIMITS.maxPageSize): Promise<Cluster[]> {
    const clusters: Cluster[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.listPage({ selector, limit: pageSize, pageToken });
      clusters.push(...page.items);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    return clusters;
  }

  get(name: string): Promise<Cluster> {
    return this.call("GET", clusterPath(name), Cluster);
  }

  /** A merge patch; with `resourceVersion` the hub applies it only to that version (412 otherwise). */
  patch(name: string, patch: PatchClusterRequest, resourceVersion?: string): Promise<Cluster> {
    const headers = resourceVersion === undefined ? undefined : { "if-match": `"${resourceVersion}"` };
    return this.call("PATCH", clusterPath(name), Cluster, { body: patch, headers });
  }

  async delete(name: string): Promise<void> {
    await this.request("DELETE", clusterPath(name));
  }

  /** The cluster's last status report, with at most `events` drift events (the hub's default when absent). */
  status(name: string, events?: number): Promise<ClusterStatus> {
    return this.call("GET", `${clusterPath(name)}/status${events === undefined ? "" : `?events=${events}`}`, ClusterStatus);
  }

  rotateToken(name: string, request: RotateTokenRequest = {}): Promise<RotateTokenResponse> {
    return this.call("POST", `${clusterPath(name)}/token`, RotateTokenResponse, { body: request });
  }

  /** Starts a rebuild (the new token and manifest, shown once), or with `dryRun` answers only the preflight. */
  rebuild(name: string, request: RebuildRequest): Promise<RebuildResponse | RebuildDryRunResponse> {
    return this.call("POST", `${clusterPath(name)}/rebuild`, z.union([RebuildResponse, RebuildDryRunResponse]), { body: request });
  }

  rebuilds(name: string): Promise<RebuildList> {
    return this.call("GET", `${clusterPath(name)}/rebuilds`, RebuildList);
  }

  /** Queues a run; the hub answers 202 with it, and `generationRun` follows it. */
  generate(options: { dryRun: boolean; force: boolean }): Promise<GenerationRun> {
    const params = new URLSearchParams();
    if (options.dryRun) params.set("dryRun", "true");
    if (options.force) params.set("force", "true");
    const query = params.size > 0 ? `?${params}` : "";
    return this.call("POST", `/v1/generate${query}`, GenerationRun);
  }

  generationRun(id: string): Promise<GenerationRun> {
    return this.call("GET", `/v1/generations/${encodeURIComponent(id)}`, GenerationRun);
  }

  generations(query: { limit: number; pageToken?: string }): Promise<GenerationHistoryPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.pageToken) params.set("pageToken", query.pageToken);
    return this.call("GET", `/v1/generations?${params}`, GenerationHistoryPage);
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, options?: RequestOptions): Promise<z.infer<S>> {
    const { status, text } = await this.request(method, path, options);
    const parsed = parseWith(schema, parseJson(text), `answer from the hub to ${method} ${path}`);
    if (!parsed.ok) throw new HubError(status, "unexpected_response", parsed.message);
    return parsed.value;
  }

  /** The status and body of a successful answer; any other answer becomes a HubError. */
  private async request(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; text: string }> {
    const { status, text } = await this.send(method, path, options);
    if (status < 200 || status > 299) throw refusal(status, text);
    return { status, text };
  }

  /** Reading the body is inside the try too: a hub that dies mid-answer is as unreachable as one that is down. */
  private async send(method: string, path: string, { body, headers }: RequestOptions): Promise<{ status: number; text: string }> {
    const url = new URL(`${this.baseUrl}${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const plain = { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...headers };
    const credentials = await this.auth({ method, url, headers: plain, ...(payload === undefined ? {} : { body: payload }) });
    try {
      const response = await fetch(url, {
        method,
        headers: { ...plain, ...credentials },
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw new HubUnreachableError(
        `cannot reach the hub at ${this.baseUrl}: ${networkProblem(error, this.timeoutMs)} (is it running? set --hub or RADIAL_HUB)`,
      );
    }
  }
}

const clusterPath = (name: string) => `/v1/clusters/${encodeURIComponent(name)}`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The API's own error when the body is one; otherwise (a proxy's HTML page, say) the status and the start of the body. */
function refusal(status: number, text: string): HubError {
  const parsed = ApiError.safeParse(parseJson(text));
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    const hint = code === "unauthorized" ? "; check RADIAL_TOKEN" : "";
    return new HubError(status, code, `${message}${hint}`, details);
  }
  return new HubError(status, "unexpected_response", `the hub answered HTTP ${status}: ${text.slice(0, 200) || "(empty body)"}`);
}

/** fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND...) in `cause`. */
function networkProblem(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code) return cause.code;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
