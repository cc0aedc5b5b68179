import { createHash } from "node:crypto";
import type { ApiRequest, ApiResponse } from "./api.js";

const weakEtag = (text: string) => `W/"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;

/** The response's own ETag (a cluster's resourceVersion), else a weak one: a digest of the body as sent (and the JSON digested, when it was serialized for it). */
function etagOf(response: ApiResponse): { etag: string; json?: string } {
  const own = response.headers?.etag;
  if (own) return { etag: own };
  if (typeof response.body === "string") return { etag: weakEtag(response.body) };
  const json = JSON.stringify(response.body);
  return { etag: weakEtag(json), json };
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
  const { etag, json } = etagOf(response);
  const condition = request.headers["if-none-match"];
  if (condition !== undefined && matches(condition, etag)) return { status: 304, headers: { etag } };
  // A whole fleet's clusters are megabytes of JSON: serialized once, for the digest and the answer.
  return { ...response, headers: { ...response.headers, etag }, ...(json === undefined ? {} : { json }) };
}
