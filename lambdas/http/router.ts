import { echo } from "../../contract/index.js";
import { revalidate } from "./conditional-get.js";
import { HttpError } from "./http-error.js";
import type { ApiRequest, ApiResponse, Route } from "./api.js";

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const segments = route.path.split("/").map((segment) => {
    const param = /^\{(\w+)\}$/.exec(segment);
    if (!param) return segment.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
    names.push(param[1]!);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${segments.join("/")}$`), names };
}

export interface RouterHooks {
  /** Throws HttpError when the request may not call an admin route. */
  authenticate(request: Omit<ApiRequest, "params">): void;
  onUnexpected(error: unknown, request: Omit<ApiRequest, "params">): void;
  /** Called once per request with the matched route template ("unmatched" when none). */
  onResponse(request: Omit<ApiRequest, "params">, route: string, status: number, seconds: number): void;
}

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError("bad_request", `path segment ${echo(value)} is not valid percent-encoding`);
  }
}

/** Matches a request to a route, answering 404 and 405 as HTTP says, and turns thrown HttpErrors into responses. */
export function createRouter(routes: Route[], hooks: RouterHooks) {
  const compiled = routes.map(compile);
  return async function dispatch(request: Omit<ApiRequest, "params">): Promise<ApiResponse> {
    const started = performance.now();
    let template = "unmatched";
    const response = revalidate(request, await route(request, (matched) => (template = matched)));
    hooks.onResponse(request, template, response.status, (performance.now() - started) / 1000);
    return response;
  };

  async function route(request: Omit<ApiRequest, "params">, matched: (template: string) => void): Promise<ApiResponse> {
    try {
      const matches = compiled.map((c) => ({ c, m: c.pattern.exec(request.path) })).filter((x): x is { c: CompiledRoute; m: RegExpExecArray } => x.m !== null);
      if (matches.length === 0)
        throw new HttpError("not_found", `no route ${echo(request.method, "")} ${echo(request.path, "")}; see /v1/openapi.json for the API`);
      const match = matches.find((x) => x.c.route.method === request.method);
      if (!match) {
        const allowed = matches.map((x) => x.c.route.method).join(", ");
        throw new HttpError("method_not_allowed", `${echo(request.method, "")} is not allowed on ${echo(request.path, "")}; allowed: ${allowed}`);
      }
      const { route } = match.c;
      matched(route.path);
      if ((route.auth ?? "admin") === "admin") hooks.authenticate(request);
      if (route.maxBodyBytes !== undefined && Buffer.byteLength(request.body) > route.maxBodyBytes) {
        throw new HttpError("payload_too_large", `request body is over the limit of ${route.maxBodyBytes} bytes for ${route.method} ${route.path}`);
      }
      const params = Object.fromEntries(match.c.names.map((name, i) => [name, decodeParam(match.m[i + 1]!)]));
      return await route.handle({ ...request, params });
    } catch (error) {
      if (error instanceof HttpError) return { status: error.status, body: error.toBody() };
      hooks.onUnexpected(error, request);
      return { status: 500, body: new HttpError("internal", "internal error; the hub's log has the details").toBody() };
    }
  }
}
