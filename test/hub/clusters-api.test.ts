import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { ApiError, Cluster, ClusterList, RegisterClusterResponse, RotateTokenResponse } from "../../contract/index.js";
import { startDynamoDBLocal, type DynamoDBLocal } from "../engines/dynamodb-local.js";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

const stores: { name: string; start: () => Promise<{ hub: TestHub; stop: () => Promise<void> }> }[] = [
  {
    name: "embedded store (dynalite)",
    async start() {
      const hub = await startTestHub();
      return { hub, stop: () => hub.stop() };
    },
  },
  {
    name: "DynamoDB Local",
    async start() {
      const dynamodb: DynamoDBLocal = await startDynamoDBLocal();
      const hub = await startTestHub({ dynamodbEndpoint: dynamodb.endpoint });
      return {
        hub,
        async stop() {
          await hub.stop();
          await dynamodb.stop();
        },
      };
    },
  },
];

/** Everything the inventory holds, for asserting that a refused request changed nothing. */
async function snapshot(hub: TestHub): Promise<unknown[]> {
  const items: unknown[] = [];
  let pageToken: string | null = null;
  do {
    const { body } = await hub.api("GET", `/v1/clusters?limit=500${pageToken ? `&pageToken=${pageToken}` : ""}`);
    const page = ClusterList.parse(body);
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Requests the cluster API refuses, each with the error it must name; none may change the inventory. */
const BAD_INPUT: {
  name: string;
  method?: string;
  path?: string;
  body?: unknown;
  rawBody?: string;
  status: number;
  code: string;
  message: RegExp;
  token?: string | null;
  agentToken?: boolean;
}[] = [
  { name: "uppercase name", body: { name: "Prod" }, status: 400, code: "validation_failed", message: /name: must be a DNS-1123 label/ },
  { name: "64-character name", body: { name: "a".repeat(64) }, status: 400, code: "validation_failed", message: /name: must be at most 63 characters/ },
  { name: "leading dash", body: { name: "-prod" }, status: 400, code: "validation_failed", message: /name: must be a DNS-1123 label/ },
  { name: "path trick in name", body: { name: "../x" }, status: 400, code: "validation_failed", message: /name: must be a DNS-1123 label/ },
  { name: "empty name", body: { name: "" }, status: 400, code: "validation_failed", message: /name: must not be empty/ },
  { name: "path trick in the URL", method: "GET", path: "/v1/clusters/..%2Fetc", status: 400, code: "validation_failed", message: /cluster name.*"\.\.\/etc"/ },
  {
    name: "bad label prefix",
    body: { name: "ok-1", labels: { "Bad_Prefix/x": "1" } },
    status: 400,
    code: "validation_failed",
    message: /prefix "Bad_Prefix" must be a DNS-1123 subdomain/,
  },
  {
    name: "64-character label name part",
    body: { name: "ok-1", labels: { ["k".repeat(64)]: "1" } },
    status: 400,
    code: "validation_failed",
    message: /name part must be at most 63/,
  },
  {
    name: "bad label value characters",
    body: { name: "ok-1", labels: { env: "pr od" } },
    status: 400,
    code: "validation_failed",
    message: /labels\.env: label "env": value "pr od"/,
  },
  { name: "unknown field", body: { name: "ok-1", lables: {} }, status: 400, code: "validation_failed", message: /Unrecognized key: "lables"/ },
  { name: "wrong JSON type", body: { name: "ok-1", labels: ["env=prod"] }, status: 400, code: "validation_failed", message: /labels: .*expected record/i },
  { name: "not JSON", rawBody: "{name: ok-1", status: 400, code: "bad_request", message: /not valid JSON/ },
  {
    name: "body over 64 KiB",
    rawBody: JSON.stringify({ name: "ok-1", annotations: { big: "x".repeat(70_000) } }),
    status: 413,
    code: "payload_too_large",
    message: /over the limit of 65536 bytes/,
  },
  {
    name: "malformed selector",
    method: "GET",
    path: "/v1/clusters?selector=env%3Dprod%2C",
    status: 400,
    code: "validation_failed",
    message: /invalid selector "env=prod,": at position 9/,
  },
  {
    name: "malformed ARN",
    body: { name: "ok-1", eksClusterArn: "arn:aws:eks:eu-west-1:123:cluster/x" },
    status: 400,
    code: "validation_failed",
    message: /eksClusterArn: must be an EKS cluster ARN/,
  },
  {
    name: "bad page token",
    method: "GET",
    path: "/v1/clusters?pageToken=garbage",
    status: 400,
    code: "validation_failed",
    message: /pageToken is not one this hub issued/,
  },
  { name: "missing admin token", body: { name: "ok-1" }, token: null, status: 401, code: "unauthorized", message: /missing credentials/ },
  { name: "wrong admin token", body: { name: "ok-1" }, token: "not-the-admin-token", status: 401, code: "unauthorized", message: /not the admin token/ },
  {
    name: "agent token used as admin token",
    body: { name: "ok-1" },
    agentToken: true,
    status: 401,
    code: "unauthorized",
    message: /agent token cannot call operator APIs/,
  },
  {
    name: "labels patch with a bad key",
    method: "PATCH",
    path: "/v1/clusters/prod-eu-1",
    body: { labels: { "-x": "1" } },
    status: 400,
    code: "validation_failed",
    message: /label key "-x"/,
  },
  {
    name: "malformed If-Match",
    method: "PATCH",
    path: "/v1/clusters/prod-eu-1",
    body: { labels: { a: "1" } },
    status: 400,
    code: "bad_request",
    message: /If-Match/,
  },
];

/** Registers 30 clusters over three label dimensions, then pages through a selector three at a time. */
async function selectorsAcrossPages(hub: TestHub): Promise<void> {
  const envs = ["prod", "staging", "dev"];
  const tiers = ["web", "api", "batch"];
  for (let i = 0; i < 30; i++) {
    const labels: Record<string, string> = { env: envs[i % 3]!, tier: tiers[Math.floor(i / 3) % 3]! };
    if (i % 5 === 0) labels.canary = "true";
    const response = await hub.api("POST", "/v1/clusters", { body: { name: `c-${String(i).padStart(2, "0")}`, labels } });
    assert.equal(response.status, 201);
  }
  const all = (await snapshot(hub)) as Cluster[];
  assert.equal(all.length, 31);
  const expected = all
    .filter((c) => c.labels.env === "prod" && ["web", "api"].includes(c.labels.tier!) && !("canary" in c.labels))
    .map((c) => c.name)
    .sort();
  assert.ok(expected.length > 3);
  const seen: string[] = [];
  let pageToken: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ selector: "env=prod,tier in (web,api),!canary", limit: "3", ...(pageToken ? { pageToken } : {}) });
    const response = await hub.api("GET", `/v1/clusters?${query}`);
    assert.equal(response.status, 200);
    const page = ClusterList.parse(response.body);
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((c) => c.name));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken);
  assert.deepEqual(seen.sort(), expected);
  assert.ok(pages >= 2);
}

for (const store of stores) {
  describe(`cluster API on the ${store.name}`, () => {
    let hub: TestHub;
    let stop: () => Promise<void>;
    let agentToken: string;

    before(async () => {
      ({ hub, stop } = await store.start());
    });
    after(() => stop());

    test("register returns the cluster, a one-time token and a bootstrap manifest", async () => {
      const response = await hub.api("POST", "/v1/clusters", {
        body: {
          name: "prod-eu-1",
          labels: { env: "prod", tier: "web", "topology.kubernetes.io/region": "eu-west-1" },
          annotations: { owner: "team-a" },
          server: "https://10.0.0.1:6443",
        },
      });
      assert.equal(response.status, 201);
      const registered = RegisterClusterResponse.parse(response.body);
      assert.equal(response.headers.get("location"), "/v1/clusters/prod-eu-1");
      assert.equal(registered.cluster.resourceVersion, "1");
      assert.deepEqual(registered.cluster.labels, { env: "prod", tier: "web", "topology.kubernetes.io/region": "eu-west-1" });
      assert.match(registered.token, /^rdl_agent_[A-Za-z0-9_-]{43}$/, "256 bits, base64url");
      agentToken = registered.token;
      const documents = parseAllDocuments(registered.bootstrap).map((d) => d.toJS() as { kind: string; stringData?: { token: string } });
      assert.deepEqual(
        documents.map((d) => d.kind),
        ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Secret", "Deployment"],
      );
      assert.equal(documents[4]!.stringData!.token, registered.token);

      const got = await hub.api("GET", "/v1/clusters/prod-eu-1");
      assert.equal(got.status, 200);
      assert.deepEqual(Cluster.parse(got.body), registered.cluster);
      assert.equal(got.headers.get("etag"), '"1"');
      assert.ok(!JSON.stringify(got.body).includes(registered.token), "the token is never shown again");
    });

    test("a taken name gets 409 and the stored cluster is untouched", async () => {
      const before = await snapshot(hub);
      const response = await hub.api("POST", "/v1/clusters", { body: { name: "prod-eu-1", labels: { env: "dev" } } });
      assert.equal(response.status, 409);
      assert.equal(ApiError.parse(response.body).error.code, "conflict");
      assert.match(errorOf(response).message, /already registered/);
      assert.deepEqual(await snapshot(hub), before);
    });

    test("selectors list exactly the matching clusters, across pages", () => selectorsAcrossPages(hub));

    test("PATCH merges labels, honours If-Match, and concurrent editors keep each other's changes", async () => {
      const patched = await hub.api("PATCH", "/v1/clusters/prod-eu-1", { body: { labels: { tier: null, zone: "a" } }, headers: { "if-match": '"1"' } });
      assert.equal(patched.status, 200);
      const patchedCluster = Cluster.parse(patched.body);
      assert.deepEqual(patchedCluster.labels, { env: "prod", "topology.kubernetes.io/region": "eu-west-1", zone: "a" });
      assert.equal(patchedCluster.resourceVersion, "2");

      const stale = await hub.api("PATCH", "/v1/clusters/prod-eu-1", { body: { labels: { zone: "b" } }, headers: { "if-match": '"1"' } });
      assert.equal(stale.status, 412);
      assert.equal(errorOf(stale).code, "precondition_failed");
      assert.equal(Cluster.parse((await hub.api("GET", "/v1/clusters/prod-eu-1")).body).labels.zone, "a");

      const editors = await Promise.all(
        Array.from({ length: 6 }, (_, i) => hub.api("PATCH", "/v1/clusters/prod-eu-1", { body: { labels: { [`editor-${i}`]: "yes" } } })),
      );
      assert.deepEqual(
        editors.map((e) => e.status),
        [200, 200, 200, 200, 200, 200],
      );
      const final = Cluster.parse((await hub.api("GET", "/v1/clusters/prod-eu-1")).body);
      for (let i = 0; i < 6; i++) assert.equal(final.labels[`editor-${i}`], "yes", `editor ${i}'s label survived`);
      assert.equal(final.resourceVersion, "8");
    });

    test("rotate-token returns a new token and bootstrap; the old token stays valid for the grace period", async () => {
      const response = await hub.api("POST", "/v1/clusters/prod-eu-1/token");
      assert.equal(response.status, 200);
      const rotated = RotateTokenResponse.parse(response.body);
      assert.notEqual(rotated.token, agentToken);
      assert.ok(rotated.bootstrap.includes(rotated.token));
      const grace = Date.parse(rotated.previousTokenValidUntil) - Date.now();
      assert.ok(grace > 3500_000 && grace <= 3600_000, `grace of one hour, got ${grace} ms`);
    });

    test("DELETE removes the cluster; a second DELETE is 404", async () => {
      assert.equal((await hub.api("DELETE", "/v1/clusters/c-29")).status, 204);
      assert.equal((await hub.api("GET", "/v1/clusters/c-29")).status, 404);
      const again = await hub.api("DELETE", "/v1/clusters/c-29");
      assert.equal(again.status, 404);
      assert.equal(errorOf(again).code, "not_found");
    });

    describe("bad input gets a precise error and changes nothing", () => {
      for (const c of BAD_INPUT) {
        test(c.name, async () => {
          const before = await snapshot(hub);
          const response = await hub.api(c.method ?? "POST", c.path ?? "/v1/clusters", {
            ...(c.body !== undefined ? { body: c.body } : {}),
            ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : {}),
            ...(c.token !== undefined ? { token: c.token } : {}),
            ...(c.agentToken ? { token: agentToken } : {}),
            ...(c.name === "malformed If-Match" ? { headers: { "if-match": "yesterday" } } : {}),
          });
          assert.equal(response.status, c.status, JSON.stringify(response.body));
          const error = ApiError.parse(response.body).error;
          assert.equal(error.code, c.code);
          assert.match(error.message, c.message);
          assert.deepEqual(await snapshot(hub), before);
        });
      }
    });
  });
}
