import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { echo } from "../../contract/index.js";
import { MAX_BODY_BYTES } from "../http/apigateway.js";
import type { ApiHandler } from "../http/api-handler.js";
import { HttpError } from "../http/http-error.js";
import type { ConsoleFiles } from "./console-files.js";

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError("payload_too_large", `request body of ${declared} bytes is over the limit of ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError("payload_too_large", `request body is over the limit of ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The request target as a URL. Resolved against a base, `//host/x` would be read as a host and
 * the path `/x` (or throw, for a host that cannot be one): the target is a path, so it is
 * appended to the base instead.
 */
function target(raw: string): URL {
  try {
    return new URL(`http://local${raw.startsWith("/") ? raw : `/${raw}`}`);
  } catch {
    throw new HttpError("bad_request", `the request target ${echo(raw)} is not a valid path`);
  }
}

/** The request as API Gateway's HTTP API (payload format 2.0) would hand it to Lambda. */
function toEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = target(request.url ?? "/");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: "local",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: request.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    body: body.length ? body.toString("base64") : undefined,
    isBase64Encoded: body.length > 0,
  };
}

function send(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string): void {
  response.writeHead(status, headers);
  response.end(body);
}

/** Serves `handler` over plain HTTP, converting each request to the event Lambda would receive; the console's files first, when given. */
export function createLocalServer(handler: ApiHandler, onError: (error: unknown) => void, consoleFiles?: ConsoleFiles): Server {
  return createServer((request, response) => {
    if (consoleFiles?.(request, response)) return;
    readBody(request)
      .then((body) => handler(toEvent(request, body)))
      .then((result) =>
        send(response, result.statusCode ?? 200, Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])), result.body),
      )
      .catch((error: unknown) => {
        const httpError = error instanceof HttpError ? error : new HttpError("internal", "internal error; the hub's log has the details");
        if (!(error instanceof HttpError)) onError(error);
        // An oversized body is left unread: close the connection rather than drain it.
        if (httpError.code === "payload_too_large") response.setHeader("connection", "close");
        send(response, httpError.status, { "content-type": "application/json" }, JSON.stringify(httpError.toBody()));
      });
  });
}
