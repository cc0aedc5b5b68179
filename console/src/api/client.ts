import type { z } from "zod";
import { ApiError } from "../../../contract/api-error.js";
import { storedToken } from "./session.js";

/** A request the hub refused, or could not be made; `status` 0 when the hub was not reached. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Called when the hub refuses the token or the sign-in has expired: the app goes back to sign-in. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

/** Thrown by an authorizer whose sign-in can no longer be renewed (on AWS, an expired or revoked session). */
export class SignInExpired extends Error {}

/** The headers that prove who calls: `path` is the request's path and query on this origin. */
export type Authorizer = (method: string, path: string, headers: Record<string, string>) => Promise<Record<string, string>>;

/** The embedded hub's way, until sign-in on AWS replaces it: the tab's admin token as a bearer token. */
const bearer: Authorizer = (_method, _path, headers) => {
  const token = storedToken();
  return Promise.resolve(token ? { ...headers, authorization: `Bearer ${token}` } : headers);
};
let authorize: Authorizer = bearer;
export function setAuthorizer(authorizer: Authorizer): void {
  authorize = authorizer;
}

async function failure(response: Response): Promise<ApiFailure> {
  const parsed = ApiError.safeParse(await response.json().catch(() => null));
  if (parsed.success) return new ApiFailure(response.status, parsed.data.error.code, parsed.data.error.message);
  return new ApiFailure(response.status, "unexpected", `the hub answered ${response.status} ${response.statusText}`);
}

async function request(method: string, path: string, headers: Record<string, string>): Promise<Response> {
  let authorized: Record<string, string>;
  try {
    authorized = await authorize(method, path, headers);
  } catch (error) {
    if (!(error instanceof SignInExpired)) throw new ApiFailure(0, "unauthorized", `signing the request failed: ${(error as Error).message}`);
    onUnauthorized();
    throw new ApiFailure(401, "unauthorized", error.message);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers: authorized, cache: "no-store" });
  } catch (error) {
    throw new ApiFailure(0, "unreachable", `the hub did not answer: ${(error as Error).message}`);
  }
  if (response.status === 401) onUnauthorized();
  return response;
}

/** Answers by URL with their ETag, so a poll that finds nothing new costs a 304 and no parsing. */
const cache = new Map<string, { etag: string; value: unknown }>();
const MAX_CACHED = 200;

/** GET `path` and parse the answer with `schema`; a 304 to If-None-Match returns the value parsed before. */
export async function getJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const cached = cache.get(path);
  const response = await request("GET", path, cached ? { "if-none-match": cached.etag } : {});
  if (response.status === 304 && cached) return cached.value as z.infer<S>;
  if (!response.ok) throw await failure(response);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success)
    throw new ApiFailure(response.status, "unexpected", `the hub's answer to ${path} is not what this console expects: ${parsed.error.message}`);
  const etag = response.headers.get("etag");
  if (etag) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(path, { etag, value: parsed.data });
  }
  return parsed.data;
}

/** POST to `path` with no body, parsing the answer with `schema`. */
export async function postJson<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
  const response = await request("POST", path, {});
  if (!response.ok) throw await failure(response);
  return schema.parse(await response.json());
}

/** Forgets every cached answer (at sign-out, so the next operator's token reads afresh). */
export function clearCache(): void {
  cache.clear();
}

/** A path with its query, leaving out empty parameters. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
