// What stands between the browser and the hub on AWS, for the console's AWS sign-in test: one origin
// serving the console's files with the page's policy and the config.json the stack writes (CloudFront over S3), whose /v1/*
// requests must carry a SigV4 signature for execute-api on the HTTP API's host (CloudFront forwards
// them with that Host; API Gateway's IAM authorizer checks them). The signature is recomputed with the
// AWS SDK's signer from the credentials moto's identity pool gave; a request that does not verify is
// refused with 403 as API Gateway refuses it, one that does is passed to the embedded hub.
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { consoleContentSecurityPolicy, type AwsConsoleConfig } from "../../contract/console-config.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface SignedFront {
  url: string;
  /** Each /v1 request that reached the front: its path, the access key it was signed with, and why it was refused (null when it verified). */
  requests: { method: string; path: string; accessKeyId: string | undefined; refused: string | null }[];
  stop(): Promise<void>;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/;

/** API Gateway's allowed clock skew for a signed request. */
const SKEW_MS = 15 * 60_000;

/** `20261204T075500Z` as a Date. */
function amzDate(value: string): Date {
  const match = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value);
  if (!match) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Why the request's signature does not verify, or null when it does. */
export async function signatureProblem(
  request: IncomingMessage,
  config: AwsConsoleConfig,
  known: (accessKeyId: string) => Credentials | undefined,
): Promise<string | null> {
  const authorization = request.headers.authorization ?? "";
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return `no SigV4 authorization: ${authorization.slice(0, 40) || "none"}`;
  const [, accessKeyId, region, service, signedHeaders] = match as unknown as [string, string, string, string, string];
  if (service !== "execute-api" || region !== config.region) return `signed for ${service} in ${region}`;
  const credentials = known(accessKeyId);
  if (!credentials) return `unknown access key ${accessKeyId}`;
  const date = amzDate(String(request.headers["x-amz-date"]));
  if (!(Math.abs(date.getTime() - Date.now()) < SKEW_MS)) return `x-amz-date ${String(request.headers["x-amz-date"])} is outside the allowed skew`;
  // CloudFront forwards every viewer header but Host, which becomes the API's own.
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(";")) headers[name] = name === "host" ? config.apiHost : String(request.headers[name] ?? "");
  const url = new URL(request.url ?? "/", `https://${config.apiHost}`);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? ([] as string[]).concat(query[name]!, value) : value;
  const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: Hash.bind(null, "sha256") });
  const expected = await signer.sign(
    { method: request.method ?? "GET", protocol: "https:", hostname: config.apiHost, path: url.pathname, query, headers },
    { signingDate: date },
  );
  if (expected.headers.authorization !== authorization) return "SignatureDoesNotMatch";
  return null;
}

/** Passes a request to `upstream` with `headers`, and its answer back (fetch has decoded any gzip) with `added` headers. */
async function pass(
  request: IncomingMessage,
  response: ServerResponse,
  upstream: string,
  headers: Record<string, string>,
  added: Record<string, string> = {},
): Promise<void> {
  const answer = await fetch(`${upstream}${request.url ?? "/"}`, { method: request.method ?? "GET", headers });
  const kept: Record<string, string> = {};
  for (const name of ["content-type", "etag", "cache-control"]) {
    const value = answer.headers.get(name);
    if (value) kept[name] = value;
  }
  response.writeHead(answer.status, { ...kept, ...added });
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** Starts the front on a free loopback port, before the embedded hub at `hubUrl` (called with `adminToken` once a signature verifies). */
export async function startSignedFront(options: {
  hubUrl: string;
  adminToken: string;
  config: AwsConsoleConfig;
  known: (accessKeyId: string) => Credentials | undefined;
}): Promise<SignedFront> {
  const requests: SignedFront["requests"] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? "/";
    if (path === "/config.json") {
      response.writeHead(200, { "content-type": "application/json" });
      return response.end(JSON.stringify(options.config));
    }
    // The page's policy as CloudFront sends it on AWS (infra/console-hosting.ts).
    const policy = { "content-security-policy": consoleContentSecurityPolicy({ region: options.config.region, urlSuffix: "amazonaws.com" }) };
    if (!path.startsWith("/v1/")) return pass(request, response, options.hubUrl, {}, policy);
    const refused = await signatureProblem(request, options.config, options.known);
    const accessKeyId = AUTHORIZATION.exec(request.headers.authorization ?? "")?.[1];
    requests.push({ method: request.method ?? "GET", path, accessKeyId, refused });
    if (refused) {
      response.writeHead(403, { "content-type": "application/json" });
      return response.end(JSON.stringify({ message: refused }));
    }
    const conditional = request.headers["if-none-match"];
    return pass(request, response, options.hubUrl, { authorization: `Bearer ${options.adminToken}`, ...(conditional ? { "if-none-match": conditional } : {}) });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
