import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GenerationHistoryPage, WebhookAnswer } from "../../contract/index.js";
import { signWebhookBody } from "../../lambdas/generate/webhook-signature.js";
import { startGitServer } from "../engines/git-server.js";
import { generateAndWait } from "./generation-runs.js";
import { startTestHub, type TestHub } from "./harness.js";

const SECRET = "webhook-secret-for-tests";

const application = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - list:
        elements: [{ cluster: in-cluster }]
  template:
    metadata:
      name: web
    spec:
      project: default
      source: { repoURL: https://example.invalid/apps.git, path: web }
      destination: { name: in-cluster, namespace: web }
`;

function deliver(hub: TestHub, body: string, headers: Record<string, string>) {
  return hub.api("POST", "/v1/webhooks/git", { rawBody: body, token: null, headers: { "x-hub-signature-256": signWebhookBody(SECRET, body), ...headers } });
}

const answerOf = (response: { body: unknown }) => WebhookAnswer.parse(response.body);

async function webhookRuns(hub: TestHub): Promise<number> {
  const { body } = await hub.api("GET", "/v1/generations?limit=100");
  return GenerationHistoryPage.parse(body).items.filter((r) => r.trigger === "webhook").length;
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A requested run is queued after every run started before, so once it ends they have all been recorded. */
async function idle(hub: TestHub): Promise<void> {
  await generateAndWait((method, path) => hub.api(method, path).then((answer) => answer.body), "?dryRun=true");
}

test("a signed ping answers 200 on a hub without a fleet repo, and says pushes need one (issue 11, item 10)", async (t: TestContext) => {
  const hub = await startTestHub({ env: { RADIAL_WEBHOOK_SECRET: SECRET } });
  t.after(() => hub.stop());
  const ping = await deliver(hub, JSON.stringify({ zen: "Design for failure.", hook_id: 1 }), { "x-github-event": "ping" });
  assert.equal(ping.status, 200, JSON.stringify(ping.body));
  assert.equal(answerOf(ping).started, false);
  assert.match(answerOf(ping).reason, /signature is valid; generation is not configured .*RADIAL_REPO_URL/);
  const issue = await deliver(hub, JSON.stringify({ action: "opened" }), { "x-github-event": "issues" });
  assert.deepEqual([issue.status, answerOf(issue).started], [200, false]);
  const push = await deliver(hub, JSON.stringify({ ref: "refs/heads/main" }), { "x-github-event": "push" });
  assert.equal(push.status, 503, "a push still needs the fleet repo");
  const unsigned = await hub.api("POST", "/v1/webhooks/git", { rawBody: "{}", token: null, headers: { "x-github-event": "ping" } });
  assert.equal(unsigned.status, 401, "an unsigned ping is still refused");
});

test("a replayed delivery (same X-GitHub-Delivery) answers 200 started: false and starts no run; a failed one can be redelivered", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: { "generators/web.yaml": application } });
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_WEBHOOK_SECRET: SECRET, RADIAL_GENERATE_ON_CHANGE: "false" } });
  t.after(() => hub.stop());
  const push = JSON.stringify({ ref: "refs/heads/main", repository: { clone_url: url } });

  const first = await deliver(hub, push, { "x-github-event": "push", "x-github-delivery": "d-1" });
  assert.deepEqual([first.status, answerOf(first).started], [202, true], JSON.stringify(first.body));
  await until("the first delivery's run", async () => (await webhookRuns(hub)) === 1);
  await idle(hub);

  const replay = await deliver(hub, push, { "x-github-event": "push", "x-github-delivery": "d-1" });
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.equal(answerOf(replay).started, false);
  assert.match(answerOf(replay).reason, /delivery "d-1" was already received/);

  // A delivery refused for its signature is not remembered: its redelivery, correctly signed, runs.
  const forged = await hub.api("POST", "/v1/webhooks/git", {
    rawBody: push,
    token: null,
    headers: { "x-hub-signature-256": signWebhookBody("wrong", push), "x-github-event": "push", "x-github-delivery": "d-2" },
  });
  assert.equal(forged.status, 401);
  const second = await deliver(hub, push, { "x-github-event": "push", "x-github-delivery": "d-2" });
  assert.deepEqual([second.status, answerOf(second).started], [202, true], JSON.stringify(second.body));
  await until("the second delivery's run", async () => (await webhookRuns(hub)) >= 2);
  await idle(hub);
  assert.equal(await webhookRuns(hub), 2, "two deliveries, two runs: the replay started none");
});
