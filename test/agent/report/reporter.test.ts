import { Logger } from "@aws-lambda-powertools/logger";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ClusterStatus, RegisterClusterResponse, RotateTokenResponse, type HubReply } from "../../../contract/index.js";
import { buildReport, Conditions, type ApplicationState } from "../../../agent/report/build.js";
import { Reporter, type ReportOutcome } from "../../../agent/report/reporter.js";
import { waitFor } from "../../engines/process.js";
import { restartableHub, type RestartableHub } from "../runtime/restartable-hub.js";

const silent = new Logger({ serviceName: "radial-agent-test", logLevel: "SILENT" });
let hub: RestartableHub;

before(async () => {
  hub = await restartableHub({ RADIAL_POLL_INTERVAL_SECONDS: "5", RADIAL_TOKEN_GRACE_SECONDS: "0" });
});
after(() => hub.close());

const status = async (cluster: string): Promise<ClusterStatus> => ClusterStatus.parse(await hub.api("GET", `/v1/clusters/${cluster}/status`));

/** A reporter for one registered cluster whose application state the test changes. */
async function reporterFor(cluster: string) {
  const { token } = RegisterClusterResponse.parse(await hub.api("POST", "/v1/clusters", { name: cluster, labels: {} }));
  const state = { token, health: "Healthy" as ApplicationState["health"], tokenReads: 0 };
  const conditions = new Conditions();
  conditions.set("Ready", "True", "Succeeded", "all good");
  const outcomes: ReportOutcome[] = [];
  const replies: HubReply[] = [];
  const reporter = new Reporter({
    hubUrl: hub.url,
    token: () => {
      state.tokenReads++;
      return state.token;
    },
    heartbeatSeconds: 5,
    logger: silent,
    debounceMs: 50,
    maxBackoffMs: 300,
    build: (driftEvents) =>
      buildReport({
        cluster,
        agentVersion: "test",
        now: new Date(),
        revision: null,
        conditions: conditions.list(),
        applications: [{ name: "web", revision: null, sync: "Synced", health: state.health, resources: [] }],
        driftEvents,
      }),
    onReply: (reply) => replies.push(reply),
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  return { reporter, state, outcomes, replies };
}

test("reports at start, and again shortly after a change, with drift events delivered once", async (t) => {
  const { reporter, state, replies } = await reporterFor("rep-1");
  t.after(() => reporter.stop(false));
  reporter.start();
  await waitFor("first report", async () => (await status("rep-1")).reported);
  assert.deepEqual(replies[0], { revision: null, pollIntervalSeconds: 5, capabilitiesDigest: null });

  state.health = "Degraded";
  reporter.addDriftEvent({
    at: new Date().toISOString(),
    application: "web",
    resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
    fields: ["spec.replicas"],
    manager: "kubectl-scale",
    action: "Detected",
  });
  await waitFor("changed report", async () => (await status("rep-1")).health === "Degraded", { timeoutMs: 4000 });
  const seen = await status("rep-1");
  assert.deepEqual(
    seen.driftEvents.map((e) => [e.resource.name, e.fields, e.manager]),
    [["web", ["spec.replicas"], "kubectl-scale"]],
  );
});

test("hub down: reconciling state keeps changing, only the latest report is sent once the hub is back", async (t) => {
  const { reporter, state, outcomes } = await reporterFor("rep-2");
  t.after(() => reporter.stop(false));
  reporter.start();
  await waitFor("first report", async () => (await status("rep-2")).reported);

  await hub.stop();
  state.health = "Progressing";
  reporter.changed();
  await waitFor("a failed attempt", () => Promise.resolve(outcomes.includes("failed")));
  state.health = "Degraded";
  reporter.changed();
  await waitFor("another failed attempt", () => Promise.resolve(outcomes.filter((o) => o === "failed").length >= 2));

  await hub.start();
  await waitFor("reports resume", async () => (await status("rep-2")).health === "Degraded", { timeoutMs: 10_000 });
  assert.equal(outcomes.at(-1), "ok");
});

test("a revoked token stops reporting (logged, not retried in a loop) and a new token resumes it", async (t) => {
  const { reporter, state, outcomes } = await reporterFor("rep-3");
  t.after(() => reporter.stop(false));
  reporter.start();
  await waitFor("first report", async () => (await status("rep-3")).reported);

  const { token } = RotateTokenResponse.parse(await hub.api("POST", "/v1/clusters/rep-3/token"));
  state.health = "Degraded";
  reporter.changed();
  await waitFor("refused", () => Promise.resolve(reporter.unauthorized));
  assert.equal(outcomes.at(-1), "unauthorized");
  const refusals = outcomes.length;
  const reads = state.tokenReads;
  reporter.changed();
  // The reporter reads the token before each post: once it has, the post was made or not.
  await waitFor("the next post considered", () => Promise.resolve(state.tokenReads > reads));
  state.token = token;
  await waitFor("resumed with the new token", async () => (await status("rep-3")).health === "Degraded", { timeoutMs: 10_000 });
  assert.deepEqual(outcomes.slice(refusals), ["ok"], "no post with the refused token, then the new token's");
  assert.equal(reporter.unauthorized, false);
});
