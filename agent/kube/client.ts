// A small Kubernetes REST client over node:https: the verbs the agent uses, client-side rate
// limiting, retries where they are safe, and typed errors. See ../README.md for why not client-node.
import { readFile } from "node:fs/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { backoff, sleep } from "./backoff.js";
import { discoverCapabilities } from "./capabilities.js";
import { Discovery, type ResourceInfo, type ServerResources } from "./discovery.js";
import { KubeApiError } from "./errors.js";
import type { KubeConnection } from "./kubeconfig.js";
import { refOf, withType, type KubeObject, type ObjectRef } from "./object.js";
import { TokenBucket } from "./rate-limiter.js";
import { startWatch, type Watch, type WatchHandler, type WatchOptions } from "./watch.js";
import { KUBE_API_LIMITS } from "../../contract/agent-config.js";

export type { ResourceInfo, ServerResources } from "./discovery.js";
export type { Watch, WatchEvent, WatchHandler, WatchOptions } from "./watch.js";

export interface KubeClientOptions {
  /** Sustained requests per second (default DEFAULT_QPS). */
  qps?: number;
  /** Requests allowed at once above the rate (default DEFAULT_BURST). */
  burst?: number;
  /** Concurrent keep-alive connections for ordinary requests; watches have their own. */
  maxSockets?: number;
  /** Retries of one request after 429, 5xx or a broken connection. */
  maxRetries?: number;
  /** Milliseconds a request may sit without any data before it fails. */
  timeoutMs?: number;
  /** Called once per attempt sent (retries included), for metrics. */
  onRequest?: (event: RequestEvent) => void;
  /** Called when discovery is forgotten (CRDs were created or removed): what the cluster serves changed. */
  onDiscoveryRefresh?: () => void;
}

export interface RequestEvent {
  /** HTTP method, or WATCH for a watch stream. */
  method: string;
  /** HTTP status; 0 when no response came (connection refused, reset, timed out). */
  code: number;
  /** Time until the response headers arrived. */
  durationMs: number;
  /** Time this attempt waited for the rate limiter first. */
  throttleMs: number;
}

export interface KubeRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute path on the apiserver, e.g. `/api/v1/namespaces/default/configmaps`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Content type of the body; application/json unless said. */
  contentType?: string;
}

export interface ListOptions {
  /** Omitted: every namespace (for namespaced kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; pages are fetched until the list is whole. */
  limit?: number;
}

export interface ObjectList {
  items: KubeObject[];
  /** The list's resourceVersion: watch from here to see every change after it. */
  resourceVersion: string;
}

export interface ApplyOptions {
  fieldManager?: string;
  /** Take fields owned by other managers instead of failing with a Conflict. */
  force?: boolean;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  /** Delete only the object with this uid, not a newer one of the same name (Conflict otherwise). */
  uid?: string;
  dryRun?: boolean;
}

export const DEFAULT_FIELD_MANAGER = "radial";
const { qps: DEFAULT_QPS, burst: DEFAULT_BURST } = KUBE_API_LIMITS;
/** As client-go's pager. */
const DEFAULT_PAGE_SIZE = 500;
/** client-go's cached file token source re-reads once a minute. */
const TOKEN_FILE_TTL_MS = 60_000;
const MAX_RETRY_AFTER_MS = 60_000;
const IDLE_SOCKET_MS = 30_000;
const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);

export class KubeClient {
  readonly limiter: TokenBucket;
  /** Namespace for namespaced objects that name none: the kubeconfig context's or the ServiceAccount's. */
  readonly defaultNamespace: string;
  private readonly discovery: Discovery;
  private readonly agent: HttpAgent;
  private readonly watchAgent: HttpAgent;
  private readonly url: URL;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private token: { value: string | undefined; readAt: number } | undefined;

  constructor(
    readonly connection: KubeConnection,
    private readonly options: KubeClientOptions = {},
  ) {
    this.url = new URL(connection.server);
    this.limiter = new TokenBucket(options.qps ?? DEFAULT_QPS, options.burst ?? DEFAULT_BURST);
    this.defaultNamespace = connection.namespace ?? "default";
    this.maxRetries = options.maxRetries ?? 5;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const tls = {
      ca: connection.caData,
      cert: connection.clientCertData,
      key: connection.clientKeyData,
      rejectUnauthorized: !connection.insecureSkipTLSVerify,
    };
    const https = this.url.protocol === "https:";
    const makeAgent = (maxSockets: number, idleTimeoutMs?: number) => {
      const settings = { keepAlive: true, maxSockets, timeout: idleTimeoutMs };
      return https ? new HttpsAgent({ ...settings, ...tls }) : new HttpAgent(settings);
    };
    // Idle connections close before the apiserver's own idle timeout (90 s), so a request never
    // goes out on a connection the server is closing.
    this.agent = makeAgent(options.maxSockets ?? 32, IDLE_SOCKET_MS);
    // Each watch holds its connection for minutes; they must not take the sockets requests need.
    this.watchAgent = makeAgent(Infinity);
    this.discovery = new Discovery((path) => this.request({ method: "GET", path }));
  }

  // ---- discovery ---------------------------------------------------------------------------

  /** The resource serving a kind; throws NoKindMatchError when none does even after a refresh. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    return this.discovery.resourceFor(apiVersion, kind);
  }

  /** Every resource kind the apiserver serves (preferred versions), e.g. to find what an application owns of kinds Git no longer has. */
  serverResources(): Promise<ServerResources> {
    return this.discovery.serverResources();
  }

  /** Forgets discovered resources, e.g. after creating CRDs. */
  refreshDiscovery(): void {
    this.discovery.refresh();
    this.options.onDiscoveryRefresh?.();
  }

  /** The cluster's version and every API version it serves, read afresh (see ./capabilities.ts). */
  capabilities(): ReturnType<typeof discoverCapabilities> {
    return discoverCapabilities((path) => this.request({ method: "GET", path }));
  }

  // ---- verbs -------------------------------------------------------------------------------

  /** The object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return withType(await this.request<KubeObject>({ method: "GET", path: await this.pathOf(ref) }), ref);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Every object of a kind matching the selectors, page by page, each with apiVersion and kind set. */
  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<ObjectList> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    const items: KubeObject[] = [];
    let limit: number | undefined = options.limit ?? DEFAULT_PAGE_SIZE;
    let next: string | undefined;
    for (;;) {
      let page: { items?: KubeObject[]; metadata?: { resourceVersion?: string; continue?: string } };
      try {
        page = await this.request({ method: "GET", path, query: { ...query, limit, continue: next } });
      } catch (error) {
        // The continue token expired (410) mid-way: start over in one unpaged list, as client-go's pager does.
        if (!(next && error instanceof KubeApiError && error.status === 410)) throw error;
        items.length = 0;
        next = undefined;
        limit = undefined;
        continue;
      }
      for (const item of page.items ?? []) items.push(withType(item, { apiVersion, kind }));
      next = page.metadata?.continue;
      if (!next) return { items, resourceVersion: page.metadata?.resourceVersion ?? "" };
    }
  }

  /** Server-side apply: the object as the field manager's whole intent; returns the object as stored. */
  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<KubeObject> {
    const path = await this.pathOf(refOf(object));
    const query = { fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER, force: options.force ?? true, dryRun: options.dryRun ? "All" : undefined };
    // JSON is YAML, so the apply content type takes the object as it is.
    return withType(await this.request({ method: "PATCH", path, query, body: object, contentType: "application/apply-patch+yaml" }), object);
  }

  async create(object: KubeObject, options: { fieldManager?: string; dryRun?: boolean } = {}): Promise<KubeObject> {
    const path = await this.collectionPath(object.apiVersion, object.kind, object.metadata.namespace ?? this.defaultNamespace);
    const query = { fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER, dryRun: options.dryRun ? "All" : undefined };
    return withType(await this.request({ method: "POST", path, query, body: object }), object);
  }

  /**
   * Replaces the whole object (PUT), as `kubectl replace` for sync-option Replace=true. Without a
   * resourceVersion the live one is used, so it overwrites whatever is there; NotFound if absent.
   */
  async replace(object: KubeObject, options: { fieldManager?: string; dryRun?: boolean } = {}): Promise<KubeObject> {
    const ref = refOf(object);
    let body = object;
    if (!object.metadata.resourceVersion) {
      const live = await this.get(ref);
      if (!live) throw new KubeApiError(404, "NotFound", `${object.kind} ${object.metadata.name} not found: nothing to replace`);
      body = { ...object, metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion } };
    }
    const query = { fieldManager: options.fieldManager ?? DEFAULT_FIELD_MANAGER, dryRun: options.dryRun ? "All" : undefined };
    return withType(await this.request({ method: "PUT", path: await this.pathOf(ref), query, body }), object);
  }

  /** Deletes; false when there was nothing to delete. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const body = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: options.propagationPolicy,
      preconditions: options.uid ? { uid: options.uid } : undefined,
      dryRun: options.dryRun ? ["All"] : undefined,
    };
    try {
      await this.request({ method: "DELETE", path: await this.pathOf(ref), body });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Watches a kind until stopped. Without a resourceVersion it first lists and hands over the
   * current state as a RESYNC event; it reconnects where it left off, and re-lists (RESYNC) when
   * the apiserver no longer has that point (410 Gone).
   */
  watch(apiVersion: string, kind: string, options: WatchOptions, onEvent: WatchHandler): Watch {
    return startWatch(this, apiVersion, kind, options, onEvent);
  }

  /** Closes idle connections; open watches should be stopped first. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  // ---- paths -------------------------------------------------------------------------------

  /** The collection URL of a kind, in a namespace or across all. */
  async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    const info = await this.resourceFor(apiVersion, kind);
    const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
    return `${root}${ns}/${info.resource}`;
  }

  /** The URL of one object; namespaced kinds without a namespace go to the default one. */
  private async pathOf(ref: ObjectRef): Promise<string> {
    return `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace ?? this.defaultNamespace)}/${encodeURIComponent(ref.name)}`;
  }

  // ---- transport ---------------------------------------------------------------------------

  /** One API call with JSON in and out; retried on 429 and, unless it creates (POST), on 5xx and broken connections. */
  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const context = `${req.method} ${req.path}`;
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      let body: string;
      try {
        res = await this.send(req, req.method, this.agent);
        body = await readBody(res);
      } catch (error) {
        if (req.method === "POST" || !isTransient(error) || attempt >= this.maxRetries) {
          throw Object.assign(new Error(`${context}: ${(error as Error).message}`, { cause: error }), { code: (error as NodeJS.ErrnoException).code });
        }
        await sleep(backoff(attempt));
        continue;
      }
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return (body ? JSON.parse(body) : undefined) as T;
      if (status === 401 && attempt === 0 && this.connection.tokenFile) {
        this.token = undefined; // the token may have rotated under us: read it again, once
        continue;
      }
      const retriable = status === 429 || (RETRIED_STATUS.has(status) && req.method !== "POST");
      if (!retriable || attempt >= this.maxRetries) throw KubeApiError.fromResponse(status, body, context);
      await sleep(retryAfter(res) ?? backoff(attempt));
    }
  }

  /** Opens a streaming GET (a watch); the caller reads and ends the response. Not retried here. */
  async stream(req: Omit<KubeRequest, "method" | "body">, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await this.send({ ...req, method: "GET" }, "WATCH", this.watchAgent, signal);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw KubeApiError.fromResponse(status, await readBody(res), `GET ${req.path}`);
  }

  /** Sends one attempt after the rate limiter allows it; resolves at the response headers. */
  private async send(req: KubeRequest, method: string, agent: HttpAgent, signal?: AbortSignal): Promise<IncomingMessage> {
    const throttleMs = await this.limiter.take();
    const url = new URL(req.path, this.url);
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: OutgoingHttpHeaders = { accept: "application/json", "user-agent": "radial-agent" };
    if (payload !== undefined) Object.assign(headers, { "content-type": req.contentType ?? "application/json", "content-length": Buffer.byteLength(payload) });
    const token = await this.bearerToken();
    if (token) headers.authorization = `Bearer ${token}`;

    const started = performance.now();
    const observe = (code: number) => this.options.onRequest?.({ method, code, durationMs: performance.now() - started, throttleMs });
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(url, { method: req.method, headers, agent, signal, timeout: method === "WATCH" ? undefined : this.timeoutMs }, (res) => {
        observe(res.statusCode ?? 0);
        resolve(res);
      });
      outgoing.on("timeout", () =>
        outgoing.destroy(Object.assign(new Error(`${req.method} ${req.path}: no answer within ${this.timeoutMs} ms`), { code: "ETIMEDOUT" })),
      );
      outgoing.on("error", (error) => {
        if (!signal?.aborted) observe(0);
        reject(error);
      });
      outgoing.end(payload);
    });
  }

  private async bearerToken(): Promise<string | undefined> {
    const { token, tokenFile } = this.connection;
    if (token || !tokenFile) return token;
    if (!this.token || performance.now() - this.token.readAt > TOKEN_FILE_TTL_MS) {
      this.token = { value: (await readFile(tokenFile, "utf8")).trim(), readAt: performance.now() };
    }
    return this.token.value;
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Connection failures worth another try; TLS and other errors would only fail again. */
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function isTransient(error: unknown): boolean {
  return TRANSIENT_CODES.has((error as NodeJS.ErrnoException).code ?? "");
}

/** Retry-After in seconds (the apiserver's form), bounded. */
function retryAfter(res: IncomingMessage): number | undefined {
  const seconds = Number(res.headers["retry-after"]);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}
