// After its own push the hub knows every new head: the next report is answered with it (no wait
// for the deploy-branch listing's TTL), and an agent waiting on GET /v1/agent/revision hears of it,
// in the process that pushed and, through the table, in any other (as on AWS). Real git
// http-backend, the embedded DynamoDB, the hub's own composition.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { AgentWaitReply } from "../../contract/agent-wait.js";
import { RegisterClusterResponse, type StatusReport } from "../../contract/index.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { createHub } from "../../lambdas/composition.js";
import { generationRunner } from "../../lambdas/generation-runner.js";
import type { HubContext } from "../../lambdas/hub-context.js";
import { startEmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { agentWaitSeconds } from "../../lambdas/status/deploy-heads.js";
import { startGitServer } from "../engines/git-server.js";
import { waitFor } from "../engines/process.js";
import { errorOf, startTestHub, type TestHub } from "../hub/harness.js";
import { webFleet } from "../fixtures/web-fleet.js";

const author = { name: "Fleet Owner", email: "owner@radial.invalid" };
const BRANCH = "radial/clusters/edge-1";

const report = (revision: string | null): StatusReport => ({
  cluster: "edge-1",
  agentVersion: "test",
  heartbeatAt: new Date().toISOString(),
  revision,
  conditions: [],
  applications: [],
  driftEvents: [],
});

/** A fleet repo, the embedded DynamoDB, and `hub()` building hub processes over both (one table, as several Lambdas share one). */
async function setup(t: TestContext) {
  const git = await startGitServer();
  t.after(() => git.stop());
  const scratch = await mkdtemp(join(tmpdir(), "radial-deploy-heads-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const dynamo = await startEmbeddedDynamoDB(scratch);
  t.after(() => dynamo.close());
  const url = await git.createRepo("fleet");
  const fleet = new GitRepository({ url, dir: join(scratch, "owner") });
  await fleet.writeBranches([{ branch: "main", files: webFleet(url), message: "seed" }], { author, now: new Date() });
  let processes = 0;
  const hub = async (): Promise<HubContext> => {
    const n = ++processes;
    const created = createHub({
      inventory: {
        tableName: "radial",
        client: { endpoint: dynamo.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
      },
      hubUrl: "http://hub.invalid",
      adminTokenHash: "unused",
      env: { RADIAL_REPO_URL: url, RADIAL_GENERATE_ON_CHANGE: "false" },
      workDir: join(scratch, `hub-${n}`),
      runner: generationRunner,
    });
    t.after(async () => {
      await created.context.generation?.idle();
      created.close();
    });
    if (n === 1) {
      await created.ensureInventory();
      await created.context.registry.register({ name: "edge-1", labels: {} });
    }
    return created.context;
  };
  const change = (color: string) =>
    fleet.writeBranches([{ branch: "main", files: webFleet(url, { configMaps: { web: color } }), message: color }], { author, now: new Date() });
  const head = async () => (await fleet.remoteBranches(BRANCH)).get(BRANCH) ?? null;
  const writeDeployBranch = async (files: Record<string, string>) =>
    (await fleet.writeBranches([{ branch: BRANCH, files, message: "by hand" }], { author, now: new Date() }))[0]!.commit!;
  return { hub, change, head, writeDeployBranch };
}

const generate = (context: HubContext) => context.generation!.run({ trigger: "api", dryRun: false, force: false });

test("RADIAL_AGENT_WAIT_SECONDS: default and most 25 (API Gateway's 30 s), 0 for none", () => {
  assert.equal(agentWaitSeconds({}), 25);
  assert.equal(agentWaitSeconds({ RADIAL_AGENT_WAIT_SECONDS: "0" }), 0);
  assert.equal(agentWaitSeconds({ RADIAL_AGENT_WAIT_SECONDS: "10" }), 10);
  assert.throws(
    () => agentWaitSeconds({ RADIAL_AGENT_WAIT_SECONDS: "26" }),
    /RADIAL_AGENT_WAIT_SECONDS must be a whole number of seconds from 0 \(agents poll\) to 25/,
  );
  assert.throws(() => agentWaitSeconds({ RADIAL_AGENT_WAIT_SECONDS: "1.5" }), /RADIAL_AGENT_WAIT_SECONDS/);
});

test("the report right after the hub's push is answered with the new head, though the listing is cached", async (t) => {
  const s = await setup(t);
  const context = await s.hub();
  await generate(context);
  const first = await s.head();
  // This report lists the deploy branches: the listing is kept 10 s.
  assert.equal((await context.status.accept(report(null))).revision, first);
  await s.change("red");
  await generate(context);
  const second = await s.head();
  assert.notEqual(second, first);
  assert.equal((await context.status.accept(report(first))).revision, second, "the pushed head, not the listing's");
});

test("a push the hub did not make is answered from the listing that saw it", async (t) => {
  const s = await setup(t);
  const context = await s.hub();
  await generate(context);
  const pushed = await s.head();
  assert.equal((await context.status.accept(report(null))).revision, pushed);
  // Someone else writes the branch after the hub: a listing started later has seen it, and wins over the stored head.
  const foreign = await s.writeDeployBranch({ "clusters/edge-1/README.md": "written by hand\n" });
  const fresh = await s.hub();
  assert.equal(await fresh.deployHeads.revisionOf("edge-1"), foreign);
});

test("a wait in another process (as another Lambda) hears of the push through the table", async (t) => {
  const s = await setup(t);
  const writer = await s.hub();
  await generate(writer);
  const first = await s.head();
  const waiter = await s.hub();
  const waiting = waiter.deployHeads.waitForChange("edge-1", first);
  await s.change("red");
  await generate(writer);
  const second = await s.head();
  assert.notEqual(second, first);
  assert.equal(await waiting, second);
});

async function waitingHub(
  t: TestContext,
  env: NodeJS.ProcessEnv = {},
): Promise<{ hub: TestHub; token: string; change: (color: string) => Promise<unknown>; head: () => Promise<string | null> }> {
  const git = await startGitServer();
  t.after(() => git.stop());
  const url = await git.createRepo("fleet");
  const scratch = await mkdtemp(join(tmpdir(), "radial-deploy-heads-hub-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const fleet = new GitRepository({ url, dir: scratch });
  await fleet.writeBranches([{ branch: "main", files: webFleet(url), message: "seed" }], { author, now: new Date() });
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_GENERATE_INTERVAL: "0", RADIAL_SOURCE_POLL_INTERVAL: "1", ...env } });
  t.after(() => hub.stop());
  // Registering starts the first run (RADIAL_GENERATE_ON_CHANGE).
  const { token } = RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "edge-1" } })).body);
  const head = async () => (await fleet.remoteBranches(BRANCH)).get(BRANCH) ?? null;
  await waitFor("the first run's deploy branch", async () => (await head()) !== null, { timeoutMs: 60_000, intervalMs: 200 });
  const change = (color: string) =>
    fleet.writeBranches([{ branch: "main", files: webFleet(url, { configMaps: { web: color } }), message: color }], { author, now: new Date() });
  return { hub, token, change, head };
}

const wait = (hub: TestHub, token: string, query: string, cluster = "edge-1") =>
  hub.api("GET", `/v1/agent/revision${query}`, { token, headers: { "x-radial-cluster": cluster } });

test("GET /v1/agent/revision holds until the hub pushes a new head, then answers with it", { timeout: 120_000 }, async (t) => {
  const { hub, token, change, head } = await waitingHub(t);
  const first = (await head())!;
  const waiting = wait(hub, token, `?known=${first}`);
  await change("red"); // no webhook: the source poll notices, the run pushes, the wait answers
  const answer = await waiting;
  assert.equal(answer.status, 200);
  let reply = AgentWaitReply.parse(answer.body);
  // On a loaded machine the poll and the run can outlast one hold (25 s), which then answers with the known head; an agent waits again.
  while (reply.revision === first) reply = AgentWaitReply.parse((await wait(hub, token, `?known=${first}`)).body);
  assert.equal(reply.waitSeconds, 25);
  assert.notEqual(reply.revision, first);
  assert.equal(reply.revision, await head());

  // A known head other than the current one is answered at once.
  assert.deepEqual(AgentWaitReply.parse((await wait(hub, token, "")).body), { revision: reply.revision, waitSeconds: 25 });
});

test("GET /v1/agent/revision: a hub that does not wait says so; bad input and credentials are refused by name", { timeout: 120_000 }, async (t) => {
  const { hub, token, head } = await waitingHub(t, { RADIAL_AGENT_WAIT_SECONDS: "0" });
  const current = await head();
  assert.deepEqual(AgentWaitReply.parse((await wait(hub, token, `?known=${current}`)).body), { revision: current, waitSeconds: 0 });

  const bad = await wait(hub, token, "?known=main");
  assert.equal(bad.status, 400);
  assert.match(errorOf(bad).message, /known/);
  assert.equal((await wait(hub, token, "?since=1")).status, 400, "an unknown parameter is refused");
  const admin = await wait(hub, hub.adminToken, "");
  assert.equal(admin.status, 401);
  assert.match(errorOf(admin).message, /agent token \(rdl_agent_\.\.\.\), not an operator token/);
  const other = await wait(hub, token, "", "edge-2");
  assert.equal(other.status, 401);
  assert.match(errorOf(other).message, /not valid for cluster edge-2/);
  const anonymous = await hub.api("GET", "/v1/agent/revision", { token: null, headers: { "x-radial-cluster": "edge-1" } });
  assert.equal(anonymous.status, 401);
});
