// The hub on AWS authenticates operators by IAM: API Gateway's IAM authorizer verifies the SigV4
// signature and hands the caller's ARN in the event's request context; the hub accepts an admin
// route only with that verdict, and no admin token instead. The embedded hub keeps its token.
import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ApiError, ClusterList } from "../../contract/index.js";
import { createHub, type Hub } from "../../lambdas/composition.js";
import { createApiHandler, type ApiHandler } from "../../lambdas/http/api-handler.js";
import { hashToken } from "../../lambdas/inventory/token.js";
import { startEmbeddedDynamoDB, type EmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { ADMIN_TOKEN, TEST_HUB_URL } from "./harness.js";

const OPERATOR = "arn:aws:iam::123456789012:user/operator";

/** A payload-format-2.0 event as API Gateway sends it, with the IAM authorizer's verdict when `iamCaller` is given. */
function event(method: string, path: string, options: { iamCaller?: string; token?: string } = {}): APIGatewayProxyEventV2 {
  const now = Date.now();
  const requestContext = {
    accountId: "123456789012",
    apiId: "api",
    domainName: "api.execute-api.us-east-1.amazonaws.com",
    domainPrefix: "api",
    http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "test" },
    requestId: "id",
    routeKey: `${method} ${path}`,
    stage: "$default",
    time: new Date(now).toISOString(),
    timeEpoch: now,
    ...(options.iamCaller
      ? {
          authorizer: {
            iam: {
              accessKey: "AKIA",
              accountId: "123456789012",
              callerId: "AIDA",
              cognitoIdentity: null,
              principalOrgId: null,
              userArn: options.iamCaller,
              userId: "AIDA",
            },
          },
        }
      : {}),
  };
  return {
    version: "2.0",
    routeKey: requestContext.routeKey,
    rawPath: path,
    rawQueryString: "",
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    requestContext,
    isBase64Encoded: false,
  };
}

describe("operators authenticated by IAM (the hub on AWS)", () => {
  let dir: string;
  let store: EmbeddedDynamoDB;
  let hub: Hub;
  let iam: ApiHandler;
  let token: ApiHandler;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "radial-iam-auth-"));
    store = await startEmbeddedDynamoDB(dir);
    hub = createHub({
      inventory: {
        tableName: "radial",
        client: { endpoint: store.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
      },
      hubUrl: TEST_HUB_URL,
      adminTokenHash: hashToken(ADMIN_TOKEN),
      env: {},
    });
    await hub.ensureInventory();
    const logger = new Logger({ serviceName: "radial-iam-auth-test", logLevel: "SILENT" });
    iam = createApiHandler(hub.context, logger, { mode: "iam" });
    token = createApiHandler(hub.context, logger);
  });

  after(async () => {
    hub.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("an admin route answers a request the IAM authorizer let in", async () => {
    const response = await iam(event("GET", "/v1/clusters", { iamCaller: OPERATOR }));
    assert.equal(response.statusCode, 200);
    ClusterList.parse(JSON.parse(String(response.body)));
  });

  test("without the authorizer's verdict an admin route is refused, the admin token included", async () => {
    for (const request of [event("GET", "/v1/clusters"), event("GET", "/v1/clusters", { token: ADMIN_TOKEN })]) {
      const response = await iam(request);
      assert.equal(response.statusCode, 401);
      assert.match(ApiError.parse(JSON.parse(String(response.body))).error.message, /SigV4/);
    }
  });

  test("routes that are not the operators' need no verdict", async () => {
    assert.equal((await iam(event("GET", "/healthz"))).statusCode, 200);
    const agent = await iam(event("POST", "/v1/agent/status", { token: "rdl_agent_nope" }));
    const status = agent.statusCode ?? 0;
    assert.ok(status >= 400 && status < 500, String(status));
    assert.doesNotMatch(ApiError.parse(JSON.parse(String(agent.body))).error.message, /SigV4/, "the agent route's own checks answered");
  });

  test("the token mode takes the admin token and no IAM verdict", async () => {
    assert.equal((await token(event("GET", "/v1/clusters", { token: ADMIN_TOKEN }))).statusCode, 200);
    assert.equal((await token(event("GET", "/v1/clusters", { iamCaller: OPERATOR }))).statusCode, 401);
  });
});
