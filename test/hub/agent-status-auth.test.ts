import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AGENT_CLUSTER_HEADER, ClusterStatus, RegisterClusterResponse, type StatusReport } from "../../contract/index.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

const FORGED = `rdl_agent_${"A".repeat(43)}`;

function report(cluster: string): StatusReport {
  return { cluster, agentVersion: "0.1.0", heartbeatAt: new Date().toISOString(), revision: null, conditions: [], applications: [], driftEvents: [] };
}

/** Invalid in many places at once: before the fix, a forged token got all of them listed back. */
const INVALID = JSON.stringify({ cluster: "edge-1", applications: Array.from({ length: 50 }, () => ({ name: "UPPER", sync: "?" })), extra: true });

function post(hub: TestHub, token: string, rawBody: string, headers: Record<string, string> = {}) {
  return hub.api("POST", "/v1/agent/status", { rawBody, token, headers });
}

async function reportedAt(hub: TestHub): Promise<string | null> {
  return ClusterStatus.parse((await hub.api("GET", "/v1/clusters/edge-1/status")).body).receivedAt;
}

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
      const dynamodb = await startDynamoDBLocal();
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

for (const store of stores) {
  describe(`the agent route authenticates before it reads the body (issue 11, item 6), on ${store.name}`, () => {
    let hub: TestHub;
    let stop: () => Promise<void>;
    let token: string;
    before(async () => {
      ({ hub, stop } = await store.start());
      token = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "edge-1" } })).body).token;
    });
    after(() => stop());

    test("a forged agent token gets 401 without a word about the body, with or without the cluster header", async () => {
      const refusals = [
        await post(hub, FORGED, INVALID),
        await post(hub, FORGED, INVALID, { [AGENT_CLUSTER_HEADER]: "edge-1" }),
        await post(hub, FORGED, "x".repeat(1024 * 1024), { [AGENT_CLUSTER_HEADER]: "edge-1" }),
        await post(hub, FORGED, JSON.stringify(report("edge-1")), { [AGENT_CLUSTER_HEADER]: "edge-1", "content-type": "text/plain" }),
      ];
      for (const response of refusals) {
        assert.equal(response.status, 401, JSON.stringify(response.body).slice(0, 300));
        const error = errorOf(response);
        assert.equal(error.details, undefined, "no validation report");
        assert.match(error.message, /the agent token is not valid for cluster edge-1/);
      }
    });

    test("a cluster header that is no cluster name gets 401 naming the header", async () => {
      const response = await post(hub, FORGED, INVALID, { [AGENT_CLUSTER_HEADER]: "x".repeat(3000) });
      assert.equal(response.status, 401);
      assert.match(
        errorOf(response).message,
        /name the cluster whose agent token this is in the x-radial-cluster header, as a cluster name \(got "x{100}…" \(3000 characters\)\)/,
      );
    });

    test("once authenticated, the body must be declared JSON, as on every other route", async () => {
      const response = await post(hub, token, JSON.stringify(report("edge-1")), { [AGENT_CLUSTER_HEADER]: "edge-1", "content-type": "text/plain" });
      assert.equal(response.status, 415, JSON.stringify(response.body));
      assert.match(errorOf(response).message, /a status report must be sent as application\/json, not "text\/plain"/);
      assert.equal(await reportedAt(hub), null, "nothing was stored");
    });

    test("the report must be for the cluster the header names; the cluster's own token is then accepted, with or without the header", async () => {
      const other = await post(hub, token, JSON.stringify(report("edge-2")), { [AGENT_CLUSTER_HEADER]: "edge-1" });
      assert.equal(other.status, 400);
      assert.match(errorOf(other).message, /cluster is edge-2, but x-radial-cluster names edge-1/);
      const invalid = await post(hub, token, INVALID, { [AGENT_CLUSTER_HEADER]: "edge-1" });
      assert.equal(invalid.status, 400, "its own agent gets the validation report");
      assert.ok(errorOf(invalid).details);
      assert.equal(await reportedAt(hub), null);

      assert.equal((await post(hub, token, JSON.stringify(report("edge-1")), { [AGENT_CLUSTER_HEADER]: "edge-1" })).status, 200);
      const first = await reportedAt(hub);
      assert.ok(first);
      // An agent from before the header names its cluster in the report only.
      assert.equal((await post(hub, token, JSON.stringify(report("edge-1")))).status, 200);
    });
  });
}
