import { Logger } from "@aws-lambda-powertools/logger";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError } from "../../contract/index.js";
import { startHub } from "../../lambdas/local/hub.js";

export interface TestHub {
  url: string;
  adminToken: string;
  /** Calls the API over HTTP with the admin token unless `token` says otherwise (null: none); tests read `body` through the contract's schemas. */
  api: (
    method: string,
    path: string,
    options?: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: unknown; headers: Headers }>;
  stop: () => Promise<void>;
}

/** The error of an answer, read through the API's error schema (which the parse checks). */
export function errorOf(response: { body: unknown }): ApiError["error"] {
  return ApiError.parse(response.body).error;
}

export const ADMIN_TOKEN = "test-admin-token-0123456789";
/** The public URL test hubs give agents in bootstrap manifests (RADIAL_HUB_URL); agents in tests reach `url`. */
export const TEST_HUB_URL = "https://hub.radial.test";

/**
 * A hub in this process, reached over real HTTP: on the embedded dynalite store, or on the
 * DynamoDB at `dynamodbEndpoint` (DynamoDB Local).
 */
export async function startTestHub(options: { dynamodbEndpoint?: string; env?: NodeJS.ProcessEnv; keepFleetFresh?: boolean } = {}): Promise<TestHub> {
  const dataDir = await mkdtemp(join(tmpdir(), "radial-test-hub-"));
  const hub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    logger: new Logger({ serviceName: "radial-hub-test", logLevel: "SILENT" }),
    ...(options.keepFleetFresh === undefined ? {} : { keepFleetFresh: options.keepFleetFresh }),
    env: {
      RADIAL_ADMIN_TOKEN: ADMIN_TOKEN,
      // The URL bootstrap manifests give agents, as a real install sets it (a loopback one is refused); agents in tests reach `url`.
      RADIAL_HUB_URL: TEST_HUB_URL,
      // A commit is generated when a test asks: no source poll racing its explicit runs, unless it sets one.
      RADIAL_SOURCE_POLL_INTERVAL: "0",
      ...(options.dynamodbEndpoint ? { RADIAL_DYNAMODB_ENDPOINT: options.dynamodbEndpoint, AWS_REGION: "us-east-1" } : {}),
      ...options.env,
    },
  });
  return {
    url: hub.url,
    adminToken: ADMIN_TOKEN,
    async api(method, path, { body, rawBody, token = ADMIN_TOKEN, headers = {} } = {}) {
      const response = await fetch(`${hub.url}${path}`, {
        method,
        headers: {
          ...(body !== undefined || rawBody !== undefined ? { "content-type": "application/json" } : {}),
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers };
    },
    async stop() {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
