import { createHash } from "node:crypto";
import type { ApiRequest, ApiResponse } from "./api.js";

/** The response's own ETag (a cluster's resourceVersion), else a weak one: a digest of the body as sent. */
function etagOf(response: ApiResponse): string {
  const own = response.headers?.etag;
  if (own) return own;
  const text = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  return `W/"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;
}

/** If-None-Match compares weakly (RFC 9110 §13.1.2): `W/"x"` and `"x"` are the same validator. */
function matches(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

/**
 * Conditional GET: every successful GET carries an ETag, and a GET whose If-None-Match names it is
 * answered 304 with no body. The console polls so: an unchanged view costs the hub its read but
 * neither side the transfer or the parsing.
 */
export function revalidate(request: Pick<ApiRequest, "method" | "headers">, response: ApiResponse): ApiResponse {
  if (request.method !== "GET" || response.status !== 200 || response.body === undefined) return response;
  const etag = etagOf(response);
  const condition = request.headers["if-none-match"];
  if (condition !== undefined && matches(condition, etag)) return { status: 304, headers: { etag } };
  return { ...response, headers: { ...response.headers, etag } };
}
