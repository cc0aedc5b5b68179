import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { AGENT_CLUSTER_HEADER, ApiError, RegisterClusterResponse, type StatusReport } from "../../contract/index.js";
import { signWebhookBody } from "../../lambdas/generate/webhook-signature.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { startTestHub, type TestHub } from "../hub/harness.js";
import { budget, MEMBER_NAMES } from "./budget.js";
import { hostileKey, mutated } from "./mutate.js";

const SECRET = "fuzz-webhook-secret";

interface Request {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

const report = (cluster: string): StatusReport => ({
  cluster,
  agentVersion: "0.1.0",
  heartbeatAt: "2026-01-01T00:00:00.000Z",
  revision: null,
  conditions: [{ type: "Ready", status: "True", reason: "Synced", message: "ok", lastTransitionTime: "2026-01-01T00:00:00.000Z" }],
  applications: [{ name: "web", revision: null, sync: "Synced", health: "Healthy", resourceCount: 1, resources: [] }],
  driftEvents: [],
});

/**
 * Random and mutated requests to every route of a real embedded hub: none may answer 5xx or hang,
 * every error must fit the error schema, and a refused request (4xx) must leave the store as it was.
 */
describe("fuzzing the HTTP API", () => {
  let hub: TestHub;
  let git: GitServer;
  let agentToken: string;
  let stored: string;

  /** What the store holds, as the API shows it: every cluster, one cluster's status. */
  async function snapshot(): Promise<string> {
    const clusters = await hub.api("GET", "/v1/clusters?limit=500");
    const status = (await hub.api("GET", "/v1/clusters/edge-1/status")).body as { receivedAt?: unknown; applications?: unknown; driftEvents?: unknown };
    return JSON.stringify([clusters.body, status.receivedAt, status.applications, status.driftEvents]);
  }

  async function send(request: Request): Promise<void> {
    const response = await fetch(`${hub.url}${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${hub.adminToken}`, "content-type": "application/json", ...request.headers },
      body: request.method === "GET" ? undefined : request.body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const what = `${request.method} ${request.path.slice(0, 200)} ${String(request.body).slice(0, 300)} → ${response.status} ${text.slice(0, 300)}`;
    assert.ok(response.status < 500, what);
    if (response.status >= 400) {
      assert.ok(ApiError.safeParse(JSON.parse(text)).success, `the error fits the schema: ${what}`);
      assert.equal(await snapshot(), stored, `a refusal changed the store: ${what}`);
    } else {
      stored = await snapshot();
    }
  }

  before(async () => {
    // A fleet repo with no ApplicationSet: pushes are decided and their runs write nothing.
    git = await startGitServer();
    await git.createRepo("fleet", { seed: { "README.md": "fleet\n" } });
    hub = await startTestHub({ env: { RADIAL_WEBHOOK_SECRET: SECRET, RADIAL_REPO_URL: `${git.url}/fleet.git`, RADIAL_GENERATE_ON_CHANGE: "false" } });
    const registered = await hub.api("POST", "/v1/clusters", { body: { name: "edge-1", labels: { env: "prod" }, annotations: { owner: "a" } } });
    agentToken = RegisterClusterResponse.parse(registered.body).token;
    const reported = await hub.api("POST", "/v1/agent/status", { body: report("edge-1"), token: agentToken });
    assert.equal(reported.status, 200);
    stored = await snapshot();
  });
  after(async () => {
    await hub.stop();
    await git.stop();
  });

  const run = (requests: fc.Arbitrary<Request>, runs: number) => fc.assert(fc.asyncProperty(requests, send), budget(runs));

  test("registrations", () =>
    run(
      mutated({ name: "fuzz-1", labels: { env: "prod", "example.com/tier": "web" }, annotations: { note: "x" }, server: "https://k8s.example:6443" }).map(
        (body) => ({ method: "POST", path: "/v1/clusters", body: JSON.stringify(body) }),
      ),
      40,
    ));

  test("merge patches, with and without If-Match", () =>
    run(
      fc
        .tuple(mutated({ labels: { tier: "web", env: null }, annotations: { note: "y" } }), fc.option(fc.constantFrom('"1"', "*", 'W/"2"', "garbage")))
        .map(([body, ifMatch]): Request => ({
          method: "PATCH",
          path: "/v1/clusters/edge-1",
          body: JSON.stringify(body),
          headers: ifMatch ? { "if-match": ifMatch } : {},
        })),
      40,
    ));

  test("list queries: selectors, page sizes, page tokens", () => {
    const selector = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("env=prod", "env in (prod,dev),!canary", ...MEMBER_NAMES.map((k) => `${k}=x`)));
    const query = fc.record({
      selector,
      limit: fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), fc.string({ maxLength: 5 })),
      pageToken: fc.string({ maxLength: 60 }),
    });
    return run(
      fc.tuple(query, fc.subarray(["selector", "limit", "pageToken"])).map(([values, keys]) => ({
        method: "GET",
        path: `/v1/clusters?${new URLSearchParams(keys.map((k) => [k, values[k as keyof typeof values]])).toString()}`,
      })),
      40,
    );
  });

  test("status reports from the cluster's own agent", () =>
    run(
      mutated(report("edge-1")).map((body) => ({
        method: "POST",
        path: "/v1/agent/status",
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${agentToken}`, [AGENT_CLUSTER_HEADER]: "edge-1" },
      })),
      40,
    ));

  test("signed webhook deliveries", () =>
    run(
      fc
        .tuple(
          mutated({ ref: "refs/heads/main", repository: { clone_url: "https://git.example/fleet.git" } }),
          fc.constantFrom("push", "ping", "issues", "", "x".repeat(300)),
          fc.uuid(),
        )
        .map(([payload, event, delivery]) => {
          const body = JSON.stringify(payload);
          return {
            method: "POST",
            path: "/v1/webhooks/git",
            body,
            headers: { "x-hub-signature-256": signWebhookBody(SECRET, body), "x-github-event": event, "x-github-delivery": delivery },
          };
        }),
      30,
    ));

  test("any method, path, content type and body", () => {
    const segment = fc.oneof(
      hostileKey.map(encodeURIComponent),
      fc.constantFrom("v1", "clusters", "edge-1", "status", "token", "agent", "generate", "%", "%ZZ", ".."),
    );
    return run(
      fc
        .record({
          method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
          segments: fc.array(segment, { maxLength: 4 }),
          body: fc.oneof(
            fc.string({ unit: "binary", maxLength: 200 }),
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          ),
          type: fc.constantFrom("application/json", "text/plain", "application/merge-patch+json; charset=utf-8", ""),
        })
        // A random DELETE of edge-1 would be accepted and end the other properties' base case; it is not a refusal to check.
        .filter(({ method, segments }) => !(method === "DELETE" && segments.join("/") === "v1/clusters/edge-1"))
        .map(({ method, segments, body, type }) => ({ method, path: `/${segments.join("/")}`, body, headers: { "content-type": type } })),
      60,
    );
  });
});
