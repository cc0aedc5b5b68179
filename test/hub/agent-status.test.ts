import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import {
  ClusterStatus,
  HubReply,
  REPORT_LIMITS,
  RegisterClusterResponse,
  RotateTokenResponse,
  type ApplicationStatus,
  type StatusReport,
} from "../../contract/index.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

const stores: { name: string; start: () => Promise<{ hub: TestHub; stop: () => Promise<void> }> }[] = [
  {
    name: "embedded store (dynalite)",
    async start() {
      const hub = await startTestHub({ env: { RADIAL_TOKEN_GRACE_SECONDS: "0" } });
      return { hub, stop: () => hub.stop() };
    },
  },
  {
    name: "DynamoDB Local",
    async start() {
      const dynamodb = await startDynamoDBLocal();
      const hub = await startTestHub({ dynamodbEndpoint: dynamodb.endpoint, env: { RADIAL_TOKEN_GRACE_SECONDS: "0" } });
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

const app = (name: string, overrides: Partial<ApplicationStatus> = {}): ApplicationStatus => ({
  name,
  revision: null,
  sync: "Synced",
  health: "Healthy",
  resourceCount: 1,
  resources: [],
  ...overrides,
});

function report(cluster: string, applications: ApplicationStatus[], overrides: Partial<StatusReport> = {}): StatusReport {
  return { cluster, agentVersion: "0.1.0", heartbeatAt: new Date().toISOString(), revision: null, conditions: [], applications, driftEvents: [], ...overrides };
}

async function register(hub: TestHub, name: string): Promise<string> {
  const response = await hub.api("POST", "/v1/clusters", { body: { name } });
  assert.equal(response.status, 201);
  return RegisterClusterResponse.parse(response.body).token;
}

/** The value at `keys` in a JSON document, failing the test where the path stops. */
function at(value: unknown, ...keys: string[]): unknown {
  let here = value;
  for (const [i, key] of keys.entries()) {
    assert.ok(here !== null && typeof here === "object" && key in here, `no ${keys.slice(0, i + 1).join(" → ")}`);
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

async function status(hub: TestHub, name: string): Promise<ClusterStatus> {
  const response = await hub.api("GET", `/v1/clusters/${name}/status`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return ClusterStatus.parse(response.body);
}

/** A report with an application out of sync and a drift event, from an agent whose clock is behind, then read back. */
async function reportAndReadBack(hub: TestHub, token: string): Promise<void> {
  const sent = report("edge-1", [app("web"), app("api", { sync: "OutOfSync", health: "Degraded", message: "ImagePullBackOff" }), app("db")], {
    // An agent whose clock is an hour behind: staleness goes by the hub's clock.
    heartbeatAt: new Date(Date.now() - 3_600_000).toISOString(),
    driftEvents: [
      {
        at: new Date().toISOString(),
        application: "web",
        resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
        fields: ["spec.replicas"],
        manager: "kubectl-edit",
        action: "Healed",
      },
    ],
  });
  const response = await hub.api("POST", "/v1/agent/status", { body: sent, token });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.deepEqual(HubReply.parse(response.body), { revision: null, pollIntervalSeconds: 30, capabilitiesDigest: null }, "no fleet repo: no revision");

  const got = await status(hub, "edge-1");
  assert.equal(got.reported, true);
  assert.equal(got.stale, false, "received just now, whatever heartbeatAt says");
  assert.equal(got.heartbeatAt, sent.heartbeatAt);
  assert.equal(got.agentVersion, "0.1.0");
  assert.equal(got.sync, "OutOfSync");
  assert.equal(got.health, "Degraded");
  assert.deepEqual(
    got.applications.map((a) => [a.name, a.sync, a.health, a.message]),
    [
      ["api", "OutOfSync", "Degraded", "ImagePullBackOff"],
      ["db", "Synced", "Healthy", undefined],
      ["web", "Synced", "Healthy", undefined],
    ],
  );
  assert.deepEqual(
    got.driftEvents.map((e) => [e.application, e.action, e.fields]),
    [["web", "Healed", ["spec.replicas"]]],
  );
}

for (const store of stores) {
  describe(`agent status intake on the ${store.name}`, () => {
    let hub: TestHub;
    let stop: () => Promise<void>;
    let token: string;

    before(async () => {
      ({ hub, stop } = await store.start());
      token = await register(hub, "edge-1");
    });
    after(() => stop());

    test("a registered cluster that never reported is shown as such; an unknown one is 404", async () => {
      const quiet = await status(hub, "edge-1");
      assert.equal(quiet.reported, false);
      assert.equal(quiet.stale, false);
      assert.deepEqual(quiet.applications, []);
      const unknown = await hub.api("GET", "/v1/clusters/nope/status");
      assert.equal(unknown.status, 404);
      assert.match(errorOf(unknown).message, /cluster nope is not registered/);
    });

    test("a report is stored and answered with the revision to run and the poll interval", () => reportAndReadBack(hub, token));

    test("the next report replaces the applications: one that left the report leaves the hub", async () => {
      const response = await hub.api("POST", "/v1/agent/status", { body: report("edge-1", [app("web"), app("api")]), token });
      assert.equal(response.status, 200);
      const got = await status(hub, "edge-1");
      assert.deepEqual(
        got.applications.map((a) => a.name),
        ["api", "web"],
      );
      assert.equal(got.sync, "Synced");
      assert.equal(got.driftEvents.length, 1, "the drift history outlives the report that carried it");
    });

    test("bad reports are refused naming what is wrong, and the stored status is untouched", async () => {
      const before = await status(hub, "edge-1");
      const cases: { name: string; rawBody: string; status: number; message: RegExp }[] = [
        {
          name: "unknown field",
          rawBody: JSON.stringify({ ...report("edge-1", [{ ...app("web"), replicas: 3 } as ApplicationStatus]) }),
          status: 400,
          message: /applications\[0\].*"replicas"/,
        },
        {
          name: "bad value",
          rawBody: JSON.stringify(report("edge-1", [app("web", { health: "Fine" as "Healthy" })])),
          status: 400,
          message: /applications\[0\]\.health/,
        },
        { name: "not JSON", rawBody: "{not json", status: 400, message: /not JSON/ },
        {
          name: "over the size limit",
          rawBody: JSON.stringify(report("edge-1", [app("web", { message: "x".repeat(REPORT_LIMITS.maxBytes) })])),
          status: 413,
          message: /over the limit of 1048576/,
        },
        {
          name: "one application twice",
          rawBody: JSON.stringify(report("edge-1", [app("web"), app("web")])),
          status: 400,
          message: /applications\[1\]\.name: "web" is reported twice/,
        },
      ];
      for (const c of cases) {
        const response = await hub.api("POST", "/v1/agent/status", { rawBody: c.rawBody, token });
        assert.equal(response.status, c.status, `${c.name}: ${JSON.stringify(response.body)}`);
        assert.match(errorOf(response).message, c.message, c.name);
      }
      const after = await status(hub, "edge-1");
      assert.deepEqual({ ...after, staleAt: null }, { ...before, staleAt: null });
      assert.equal(after.receivedAt, before.receivedAt);
    });

    test("only the cluster's own, current agent token is accepted", async () => {
      const otherToken = await register(hub, "edge-2");
      const before = await status(hub, "edge-1");
      const refusals: { token: string | null; body: StatusReport; message: RegExp }[] = [
        { token: otherToken, body: report("edge-1", []), message: /not valid for cluster edge-1/ },
        { token: null, body: report("edge-1", []), message: /missing credentials/ },
        { token: hub.adminToken, body: report("edge-1", []), message: /agent token \(rdl_agent_\.\.\.\), not an operator token/ },
        { token: `${token}x`, body: report("edge-1", []), message: /not valid for cluster edge-1/ },
      ];
      for (const r of refusals) {
        const response = await hub.api("POST", "/v1/agent/status", { body: r.body, token: r.token });
        assert.equal(response.status, 401);
        assert.match(errorOf(response).message, r.message);
      }
      assert.deepEqual((await status(hub, "edge-1")).applications, before.applications);

      // The grace period is 0 s in this hub: a rotated-out token stops at once.
      const rotated = await hub.api("POST", "/v1/clusters/edge-2/token");
      assert.equal(rotated.status, 200);
      const rotatedToken = RotateTokenResponse.parse(rotated.body).token;
      assert.equal((await hub.api("POST", "/v1/agent/status", { body: report("edge-2", []), token: otherToken })).status, 401);
      assert.equal((await hub.api("POST", "/v1/agent/status", { body: report("edge-2", [app("web")]), token: rotatedToken })).status, 200);
      assert.equal((await status(hub, "edge-2")).reported, true);

      // Deleting the cluster revokes its token and removes its status with it.
      assert.equal((await hub.api("DELETE", "/v1/clusters/edge-2")).status, 204);
      const afterDelete = await hub.api("POST", "/v1/agent/status", { body: report("edge-2", []), token: rotatedToken });
      assert.equal(afterDelete.status, 401);
      assert.match(errorOf(afterDelete).message, /not valid for cluster edge-2/);
      assert.equal((await hub.api("GET", "/v1/clusters/edge-2/status")).status, 404);
      await register(hub, "edge-2");
      assert.equal((await status(hub, "edge-2")).reported, false, "a cluster registered again under the name starts with no status");
    });

    test("reports are counted by outcome in /metrics, and the API description covers the status endpoints", async () => {
      const metrics = await fetch(`${hub.url}/metrics`).then((r) => r.text());
      assert.match(metrics, /radial_status_reports_total\{outcome="accepted"\} [1-9]/);
      assert.match(metrics, /radial_status_reports_total\{outcome="unauthorized"\} [1-9]/);
      assert.match(metrics, /radial_status_reports_total\{outcome="too_large"\} 1/);
      const openapi = (await hub.api("GET", "/v1/openapi.json", { token: null })).body;
      const post = at(openapi, "paths", "/v1/agent/status", "post");
      assert.ok(at(post, "requestBody", "content", "application/json", "schema", "properties", "driftEvents"));
      assert.ok(at(post, "responses", "200", "content", "application/json", "schema", "properties", "pollIntervalSeconds"));
      assert.ok(at(openapi, "paths", "/v1/clusters/{name}/status", "get", "responses", "200", "content", "application/json", "schema", "properties", "stale"));
    });
  });
}

describe("the reply's revision with a fleet repo", () => {
  let git: GitServer;
  let hub: TestHub;

  before(async () => {
    git = await startGitServer();
    await git.createRepo("fleet", { seed: { "clusters/edge-1/web/manifests.yaml": "kind: ConfigMap\n" }, branch: "radial/clusters/edge-1" });
    hub = await startTestHub({ env: { RADIAL_REPO_URL: `${git.url}/fleet.git`, RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_POLL_INTERVAL_SECONDS: "15" } });
  });
  after(async () => {
    await hub.stop();
    await git.stop();
  });

  test("is the head of the cluster's deploy branch, and null for a cluster with none yet", async () => {
    const head = execFileSync("git", ["-C", git.repoPath("fleet"), "rev-parse", "refs/heads/radial/clusters/edge-1"], { encoding: "utf8" }).trim();
    const withBranch = await register(hub, "edge-1");
    const withoutBranch = await register(hub, "edge-9");
    const one = await hub.api("POST", "/v1/agent/status", { body: report("edge-1", []), token: withBranch });
    // With the fleet repo and the branch, for an agent installed before the hub had a repo (test/agent/runtime/repo-from-hub.test.ts).
    assert.deepEqual(one.body, {
      revision: head,
      pollIntervalSeconds: 15,
      repoUrl: `${git.url}/fleet.git`,
      branch: "radial/clusters/edge-1",
      capabilitiesDigest: null,
    });
    const nine = await hub.api("POST", "/v1/agent/status", { body: report("edge-9", []), token: withoutBranch });
    assert.deepEqual(nine.body, {
      revision: null,
      pollIntervalSeconds: 15,
      repoUrl: `${git.url}/fleet.git`,
      branch: "radial/clusters/edge-9",
      capabilitiesDigest: null,
    });
  });
});
