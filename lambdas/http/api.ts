import type { z } from "zod";

/** A request as the domain-facing routes see it, whatever carried it (API Gateway or the local server). */
export interface ApiRequest {
  method: string;
  path: string;
  /** Path parameters from the route template, e.g. `{name}`. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /**
   * The caller's IAM principal (its ARN) when API Gateway's IAM authorizer verified the request's
   * SigV4 signature and let it in; API Gateway alone sets it, never a header or the local server.
   */
  iamPrincipal?: string;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless `headers['content-type']` says otherwise and it is a string. */
  body?: unknown;
  /** `body` already serialized as JSON (for its ETag, conditional-get.ts): sent as is rather than serialized again. */
  json?: string;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI-style template: `/v1/clusters/{name}`. */
  path: string;
  summary: string;
  /**
   * Who may call it. `admin` (the default): the router checks the operator's token. The others are
   * not checked by the router: `agent` routes check an agent's token themselves, `signature` routes
   * an HMAC of the body, and `none` needs no credentials (health, the API description).
   */
  auth?: "admin" | "agent" | "signature" | "none";
  /** Larger bodies are refused with 413 before they are parsed; the hub-wide limit when absent. */
  maxBodyBytes?: number;
  requestBody?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(request: ApiRequest): ApiResponse | Promise<ApiResponse>;
}
