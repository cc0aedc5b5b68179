// The source poll against a real git http-backend and the hub's real generation service (on the
// embedded DynamoDB): each poll is called and awaited, so "nothing moved" is an answer, not a wait.
import assert from "node:assert/strict";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { GenerationHistoryPage } from "../../contract/index.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { createHub } from "../../lambdas/composition.js";
import { generationRunner } from "../../lambdas/generation-runner.js";
import type { HubContext } from "../../lambdas/hub-context.js";
import { startEmbeddedDynamoDB } from "../../lambdas/local/embedded-dynamodb.js";
import { sourcePollIntervalSeconds } from "../../lambdas/generate/source-poll.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { waitFor } from "../engines/process.js";
import { startTestHub } from "../hub/harness.js";

const author = { name: "Fleet Owner", email: "owner@radial.invalid" };

function generator(repoURL: string, targetRevision: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters: {}
  template:
    metadata:
      name: web
    spec:
      project: default
      source: { repoURL: ${repoURL}, targetRevision: ${targetRevision}, path: web }
      destination: { name: '{{name}}', namespace: web }
`;
}

const configMap = (color: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: ${color}\n`;

interface Setup {
  git: GitServer;
  fleet: GitRepository;
  apps: GitRepository;
  /** A hub process over the same table and work dir: a second call is a restarted hub. */
  hub(): Promise<{ context: HubContext; logs: { message: string; fields: Record<string, unknown> }[] }>;
}

/** A fleet repo whose generator reads `web/` from a second repository `apps` at its branch main. */
async function setup(t: TestContext): Promise<Setup> {
  const git = await startGitServer();
  t.after(() => git.stop());
  const scratch = await mkdtemp(join(tmpdir(), "radial-source-poll-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const dynamo = await startEmbeddedDynamoDB(scratch);
  t.after(() => dynamo.close());
  const appsUrl = await git.createRepo("apps", { seed: { "web/cm.yaml": configMap("blue") } });
  const fleetUrl = await git.createRepo("fleet", { seed: { "generators/web.yaml": generator(appsUrl, "main") } });
  let first = true;
  return {
    git,
    fleet: new GitRepository({ url: fleetUrl, dir: join(scratch, "owner-fleet") }),
    apps: new GitRepository({ url: appsUrl, dir: join(scratch, "owner-apps") }),
    async hub() {
      const logs: { message: string; fields: Record<string, unknown> }[] = [];
      const record = (message: string, fields: Record<string, unknown>) => logs.push({ message, fields });
      const hub = createHub({
        inventory: {
          tableName: "radial",
          client: { endpoint: dynamo.endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
        },
        hubUrl: "http://hub.invalid",
        adminTokenHash: "unused",
        env: { RADIAL_REPO_URL: fleetUrl, RADIAL_GENERATE_ON_CHANGE: "false" },
        workDir: join(scratch, "hub"),
        logger: { info: record, error: record },
        runner: generationRunner,
      });
      t.after(async () => {
        await hub.context.generation?.idle();
        hub.close();
      });
      if (first) {
        await hub.ensureInventory();
        await hub.context.registry.register({ name: "edge-1", labels: {} });
        first = false;
      }
      return { context: hub.context, logs };
    },
  };
}

async function commit(repo: GitRepository, branch: string, files: Record<string, string>): Promise<string> {
  const [result] = await repo.writeBranches([{ branch, files, message: `change ${branch}` }], { author, now: new Date() });
  return result!.commit!;
}

const poll = (context: HubContext) => context.sourcePoll!.poll();

test("RADIAL_SOURCE_POLL_INTERVAL: seconds, default 10, 0 turns the poll off", () => {
  assert.equal(sourcePollIntervalSeconds({}), 10);
  assert.equal(sourcePollIntervalSeconds({ RADIAL_SOURCE_POLL_INTERVAL: "0" }), 0);
  assert.equal(sourcePollIntervalSeconds({ RADIAL_SOURCE_POLL_INTERVAL: "3" }), 3);
  assert.throws(() => sourcePollIntervalSeconds({ RADIAL_SOURCE_POLL_INTERVAL: "2.5" }), /RADIAL_SOURCE_POLL_INTERVAL must be a whole number/);
  assert.throws(() => sourcePollIntervalSeconds({ RADIAL_SOURCE_POLL_INTERVAL: "-1" }), /RADIAL_SOURCE_POLL_INTERVAL must be a whole number/);
});

test("a moved source branch asks for one run; an unmoved head, or a push nobody reads, asks for none", async (t) => {
  const s = await setup(t);
  const { context } = await s.hub();
  assert.deepEqual(await poll(context), { moved: false, reason: "no run recorded yet: the current head is the baseline" });
  await context.generation!.run({ trigger: "api", dryRun: false, force: false });
  assert.equal((await poll(context)).moved, false, "nothing moved since the run");

  // A branch no run reads is no move; the sentinel (a commit to main) shows the poll does see moves.
  await commit(s.fleet, "unrelated", { "README.md": "not read by the hub\n" });
  assert.deepEqual(await poll(context), { moved: false, reason: "no head moved" });
  const sentinel = await commit(s.fleet, "main", { "generators/web.yaml": generator(s.apps.url, "main"), "README.md": "moved\n" });
  const moved = await poll(context);
  assert.equal(moved.moved, true);
  assert.match(moved.reason, new RegExp(`fleet\\.git refs/heads/main moved from [0-9a-f]{12} to ${sentinel.slice(0, 12)}`));

  // Asked for once: not again until a run that started since has finished.
  assert.deepEqual(await poll(context), { moved: false, reason: "a run for these heads was asked for and has not finished yet" });
  await context.generation!.drain("poll");
  const [last] = (await context.generation!.history(1)).records;
  assert.equal(last?.trigger, "poll");
  assert.equal(last.sourceRevision, sentinel);
  assert.deepEqual(await poll(context), { moved: false, reason: "no head moved" });
});

test("a ref an Application source read in another repository is polled too", async (t) => {
  const s = await setup(t);
  const { context } = await s.hub();
  await context.generation!.run({ trigger: "api", dryRun: false, force: false });
  assert.equal((await poll(context)).moved, false);
  const pushed = await commit(s.apps, "main", { "web/cm.yaml": configMap("red") });
  const moved = await poll(context);
  assert.equal(moved.moved, true);
  assert.match(moved.reason, new RegExp(`apps\\.git refs/heads/main moved from [0-9a-f]{12} to ${pushed.slice(0, 12)}`));
});

test("a failing ref lookup is logged and retried at the next poll, and asks for no run", async (t) => {
  const s = await setup(t);
  const { context, logs } = await s.hub();
  await context.generation!.run({ trigger: "api", dryRun: false, force: false });
  await commit(s.fleet, "main", { "generators/web.yaml": generator(s.apps.url, "main"), "README.md": "moved\n" });
  // The fleet repo is gone from the server for a while: its lookup fails, the apps repo's still answers.
  const path = s.git.repoPath("fleet");
  await rename(path, `${path}.away`);
  const failed = await poll(context);
  assert.equal(failed.moved, false, "a failed lookup asks for no run");
  assert.match(failed.reason, /^lookup failed: .*fleet\.git refs\/heads\/main$/);
  const logged = logs.find((l) => l.message.startsWith("source poll: ref lookup failed"));
  assert.ok(logged, "the failure is logged");
  assert.match(String(logged.fields.url), /fleet\.git$/);
  assert.equal(logged.fields.ref, "refs/heads/main");
  assert.ok(String(logged.fields.error).length > 0, "with its cause");

  await rename(`${path}.away`, path);
  assert.equal((await poll(context)).moved, true, "the next poll retries and sees the move");
});

test("a restarted hub compares with the newest run in the history: a commit made while it was down is noticed", async (t) => {
  const s = await setup(t);
  const before = await s.hub();
  await before.context.generation!.run({ trigger: "api", dryRun: false, force: false });
  await before.context.generation!.run({ trigger: "api", dryRun: true, force: false });
  await commit(s.fleet, "main", { "generators/web.yaml": generator(s.apps.url, "main"), "README.md": "while down\n" });
  const { context } = await s.hub();
  const moved = await poll(context);
  assert.equal(moved.moved, true, "the dry run newest in the history is not taken as what was generated");
  assert.match(moved.reason, /fleet\.git refs\/heads\/main moved/);
});

test("the embedded hub polls on its own: a push with no webhook is generated", { timeout: 120_000 }, async (t) => {
  const git = await startGitServer();
  t.after(() => git.stop());
  const appsUrl = await git.createRepo("apps", { seed: { "web/cm.yaml": configMap("blue") } });
  const url = await git.createRepo("fleet", { seed: { "generators/web.yaml": generator(appsUrl, "main") } });
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_GENERATE_INTERVAL: "0", RADIAL_SOURCE_POLL_INTERVAL: "1" } });
  t.after(() => hub.stop());
  const runs = async () => GenerationHistoryPage.parse((await hub.api("GET", "/v1/generations")).body).items;
  const wait = { timeoutMs: 60_000, intervalMs: 200 };
  // Registering starts the first run (RADIAL_GENERATE_ON_CHANGE); the push comes after it.
  assert.equal((await hub.api("POST", "/v1/clusters", { body: { name: "edge-1" } })).status, 201);
  await waitFor("the run the registration started", async () => (await runs()).some((r) => r.trigger === "inventory"), wait);
  const scratch = await mkdtemp(join(tmpdir(), "radial-source-poll-hub-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const fleet = new GitRepository({ url, dir: scratch });
  const pushed = await commit(fleet, "main", { "generators/web.yaml": generator(appsUrl, "main"), "README.md": "no webhook\n" });
  await waitFor(
    "a run started by the poll at the pushed commit",
    async () => (await runs()).some((r) => r.trigger === "poll" && r.sourceRevision === pushed),
    wait,
  );
});

test("a process that runs no generation (the schedule function on AWS) compares with the history at every poll: a run elsewhere moves its baseline", async (t) => {
  const s = await setup(t);
  const worker = await s.hub();
  await worker.context.generation!.run({ trigger: "api", dryRun: false, force: false });
  const { context: poller } = await s.hub();
  assert.deepEqual(await poll(poller), { moved: false, reason: "no head moved" });
  const pushed = await commit(s.fleet, "main", { "generators/web.yaml": generator(s.apps.url, "main"), "README.md": "moved\n" });
  assert.equal((await poll(poller)).moved, true);
  await worker.context.generation!.drain("poll");
  assert.equal((await worker.context.generation!.history(1)).records[0]?.sourceRevision, pushed);
  assert.deepEqual(await poll(poller), { moved: false, reason: "no head moved" }, "the other process's run is the baseline now");
  const again = await commit(s.fleet, "main", { "generators/web.yaml": generator(s.apps.url, "main"), "README.md": "moved again\n" });
  const moved = await poll(poller);
  assert.equal(moved.moved, true);
  assert.match(moved.reason, new RegExp(`moved from ${pushed.slice(0, 12)} to ${again.slice(0, 12)}`));
});
