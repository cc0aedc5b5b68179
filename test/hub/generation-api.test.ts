import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { signWebhookBody } from "../../lambdas/generate/webhook-signature.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { startGitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { GenerationHistoryPage, GenerationRun, WebhookAnswer, type GenerationRecord } from "../../contract/index.js";
import { followRun, generateAndWait } from "./generation-runs.js";
import { errorOf, startTestHub, type TestHub } from "./harness.js";

const SECRET = "webhook-secret-for-tests";

const fleetSeed = (url: string): Record<string, string> => ({
  "generators/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters:
        selector:
          matchLabels:
            env: prod
  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source:
        repoURL: ${url}
        targetRevision: HEAD
        path: apps/web
      destination:
        name: '{{name}}'
        namespace: web
`,
  "apps/web/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
});

interface Setup {
  hub: TestHub;
  url: string;
  /** Deploy branches on the git server (short name → commit), read over smart HTTP (async). */
  heads: () => Promise<Map<string, string>>;
  files: (cluster: string) => Promise<string[]>;
  read: (cluster: string, path: string) => Promise<string>;
}

async function setup(t: TestContext, env: NodeJS.ProcessEnv = {}, extraSeed: Record<string, string> = {}): Promise<Setup> {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: { ...fleetSeed(url), ...extraSeed } });
  const scratch = await mkdtemp(join(tmpdir(), "radial-generation-api-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_KUSTOMIZE: await installKustomize(), RADIAL_WEBHOOK_SECRET: SECRET, ...env } });
  t.after(() => hub.stop());
  const reader = new GitRepository({ url, dir: join(scratch, "reader") });
  return {
    hub,
    url,
    heads: () => reader.remoteBranches("radial/clusters/"),
    async files(cluster) {
      const commit = await reader.fetch(`radial/clusters/${cluster}`);
      return (await reader.listFiles(url, commit)).sort();
    },
    async read(cluster, path) {
      const commit = await reader.fetch(`radial/clusters/${cluster}`);
      return new TextDecoder().decode(await reader.readFile(url, commit, path));
    },
  };
}

/** The CLI as a child process, asynchronously (the hub and git server run in this process). */
function radial(hub: TestHub, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/radial.js", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RADIAL_HUB: hub.url, RADIAL_TOKEN: hub.adminToken },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

async function register(hub: TestHub, name: string, env: string): Promise<void> {
  const { status, body } = await hub.api("POST", "/v1/clusters", { body: { name, labels: { env } } });
  assert.equal(status, 201, JSON.stringify(body));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const history = async (hub: TestHub): Promise<GenerationRecord[]> => {
  const { status, body } = await hub.api("GET", "/v1/generations?limit=100");
  assert.equal(status, 200, JSON.stringify(body));
  return GenerationHistoryPage.parse(body).items;
};

const answerOf = (response: { body: unknown }) => WebhookAnswer.parse(response.body);

test("explicit runs: a dry run writes nothing, a run writes the deploy branches, history lists both, webhooks need a good signature", async (t) => {
  const { hub, heads, files, url: fleetUrl } = await setup(t, { RADIAL_GENERATE_ON_CHANGE: "false" });
  await register(hub, "prod-a", "prod");
  await register(hub, "prod-b", "prod");
  await register(hub, "dev-c", "dev");

  const dry = await hub.api("POST", "/v1/generate?dryRun=true");
  assert.equal(dry.status, 202, JSON.stringify(dry.body));
  const queued = GenerationRun.parse(dry.body);
  assert.deepEqual([queued.state, queued.dryRun, queued.result, dry.headers.get("location")], ["queued", true, null, `/v1/generations/${queued.id}`]);
  const call = (method: string, path: string) => hub.api(method, path).then((answer) => answer.body);
  const dryRun = await followRun(call, queued.id);
  assert.equal(dryRun.dryRun, true);
  assert.deepEqual(dryRun.errors, []);
  const added = Object.fromEntries(dryRun.clusters.map((c) => [c.name, c.added]));
  assert.deepEqual(added["prod-a"], ["web-prod-a"]);
  assert.deepEqual(added["prod-b"], ["web-prod-b"]);
  assert.equal((await heads()).size, 0, "a dry run writes no branch");

  assert.deepEqual((await generateAndWait(call)).errors, []);
  assert.deepEqual([...(await heads()).keys()].sort(), ["radial/clusters/prod-a", "radial/clusters/prod-b"]);
  assert.deepEqual(await files("prod-a"), ["clusters/prod-a/web-prod-a/application.yaml", "clusters/prod-a/web-prod-a/manifests.yaml"]);

  const runs = await history(hub);
  assert.equal(runs.length, 2);
  assert.deepEqual(
    runs.map((r) => [r.trigger, r.dryRun, r.applicationsAdded, r.clustersChanged]),
    [
      ["api", false, 2, 2],
      ["api", true, 2, 2],
    ],
  );

  const payload = JSON.stringify({ ref: "refs/heads/main" });
  const missing = await hub.api("POST", "/v1/webhooks/git", { rawBody: payload, token: null });
  assert.equal(missing.status, 401);
  assert.equal(errorOf(missing).code, "unauthorized");
  assert.match(errorOf(missing).message, /missing X-Hub-Signature-256/);
  const bad = await hub.api("POST", "/v1/webhooks/git", {
    rawBody: payload,
    token: null,
    headers: { "x-hub-signature-256": signWebhookBody("wrong", payload) },
  });
  assert.equal(bad.status, 401);
  assert.match(errorOf(bad).message, /does not match/);

  const good = await hub.api("POST", "/v1/webhooks/git", {
    rawBody: payload,
    token: null,
    headers: { "x-hub-signature-256": signWebhookBody(SECRET, payload) },
  });
  assert.equal(good.status, 202, JSON.stringify(good.body));
  assert.equal(answerOf(good).started, true);
  const webhookRun = await until("the webhook's run", async () => (await history(hub)).find((r) => r.trigger === "webhook"));
  assert.equal(webhookRun.clustersChanged, 0, "nothing changed since the last run");
  // The refused deliveries came before it: a run either had started would be listed too (or would have held the lease).
  assert.deepEqual(
    (await history(hub)).map((r) => r.trigger),
    ["webhook", "api", "api"],
    "a refused webhook starts nothing",
  );

  const deliver = (body: string, event = "push") =>
    hub.api("POST", "/v1/webhooks/git", {
      rawBody: body,
      token: null,
      headers: { "x-hub-signature-256": signWebhookBody(SECRET, body), "x-github-event": event },
    });
  const ping = await deliver(JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }), "ping");
  assert.deepEqual([ping.status, answerOf(ping).started], [200, false]);
  const issue = await deliver(JSON.stringify({ action: "opened" }), "issues");
  assert.equal(issue.status, 200);
  assert.match(answerOf(issue).reason, /issues events start nothing/);
  const fleetPush = (ref: string) => JSON.stringify({ ref, repository: { clone_url: fleetUrl, html_url: "https://example.invalid/acme/fleet" } });
  const feature = await deliver(fleetPush("refs/heads/feature"));
  assert.deepEqual([feature.status, answerOf(feature).started], [200, false], JSON.stringify(feature.body));
  assert.match(answerOf(feature).reason, /neither the source branch \(main\)/);
  const own = await deliver(fleetPush("refs/heads/radial/clusters/prod-a"));
  assert.deepEqual([own.status, answerOf(own).started], [200, false], "the hub's own pushes start nothing");
  const main = await deliver(fleetPush("refs/heads/main"));
  assert.deepEqual([main.status, answerOf(main).started], [202, true], JSON.stringify(main.body));
  const notJson = await deliver("ref=refs/heads/main");
  assert.equal(notJson.status, 400);
  const noRef = await deliver(JSON.stringify({ repository: {} }));
  assert.equal(noRef.status, 400);
  assert.match(errorOf(noRef).message, /ref/);
  await until("the second push's run", async () => ((await history(hub)).filter((r) => r.trigger === "webhook").length === 2 ? true : undefined));

  const cliDry = await radial(hub, "generate", "--dry-run");
  assert.equal(cliDry.status, 0, cliDry.stderr);
  assert.match(cliDry.stdout, /^Dry run \(nothing written\) at [0-9a-f]{8} in \d+ ms: 0 of 3 clusters would change/);
  const cliHistory = await radial(hub, "generate", "--history");
  assert.equal(cliHistory.status, 0, cliHistory.stderr);
  const lines = cliHistory.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^TIME\s+TRIGGER\s+REVISION\s+CLUSTERS\s+APPS\s+ERRORS$/);
  assert.equal(lines.length, 6);
  assert.ok(
    lines.some((line) => /api\s+[0-9a-f]{8}\s+2\s+\+2 ~0 -0\s+0$/.test(line)),
    cliHistory.stdout,
  );
  const cliJson = await radial(hub, "generate", "--history", "-o", "json");
  assert.equal(GenerationHistoryPage.shape.items.parse(JSON.parse(cliJson.stdout)).length, 5);

  assert.equal((await hub.api("POST", "/v1/generate?dryRun=maybe")).status, 400);
  const unknown = await hub.api("GET", "/v1/generations/no-such-run");
  assert.deepEqual([unknown.status, errorOf(unknown).code], [404, "not_found"]);
  assert.equal((await hub.api("POST", "/v1/generate", { token: null })).status, 401);
});

test("inventory changes trigger runs in the background", async (t) => {
  const { hub, heads, files } = await setup(t);
  await register(hub, "prod-a", "prod");
  await register(hub, "prod-b", "prod");
  await until("both deploy branches", async () => ((await heads()).size === 2 ? true : undefined));
  assert.deepEqual(await files("prod-b"), ["clusters/prod-b/web-prod-b/application.yaml", "clusters/prod-b/web-prod-b/manifests.yaml"]);
  const runs = await history(hub);
  assert.ok(runs.length >= 1 && runs.every((r) => r.trigger === "inventory" && !r.dryRun), JSON.stringify(runs));
});

test("without RADIAL_REPO_URL, generation answers 503 and says what to set", async (t) => {
  const hub = await startTestHub();
  t.after(() => hub.stop());
  const answer = await hub.api("POST", "/v1/generate");
  assert.equal(answer.status, 503);
  assert.equal(errorOf(answer).code, "unavailable");
  assert.match(errorOf(answer).message, /RADIAL_REPO_URL/);
  assert.equal((await hub.api("GET", "/v1/generations")).status, 503);
});

test("the embedded hub runs generation on its schedule", async (t) => {
  const { hub, heads } = await setup(t, { RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GENERATE_INTERVAL: "1" });
  await register(hub, "prod-a", "prod");
  const run = await until("a scheduled run", async () => (await history(hub)).find((r) => r.trigger === "schedule" && r.clustersChanged === 1));
  assert.equal(run.applicationsAdded, 1);
  assert.deepEqual([...(await heads()).keys()], ["radial/clusters/prod-a"]);
});

test("a bad RADIAL_GENERATE_INTERVAL stops the hub from starting", async () => {
  await assert.rejects(
    startTestHub({ env: { RADIAL_REPO_URL: "http://127.0.0.1:9/fleet.git", RADIAL_GENERATE_INTERVAL: "5m" } }),
    /RADIAL_GENERATE_INTERVAL must be a whole number of seconds/,
  );
});

test("sources in another repository, with its own credentials, at HEAD, a branch, a tag and a commit; its pushes start runs", async (t) => {
  const appsAuth = { username: "apps-reader", password: "apps-secret" };
  const appsServer = await startGitServer({ auth: appsAuth });
  t.after(() => appsServer.stop());
  const configMap = (color: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api\ndata:\n  color: ${color}\n`;
  const appsUrl = await appsServer.createRepo("team/apps", { seed: { "api/configmap.yaml": configMap("blue") } });
  const gitEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@radial.invalid",
  };
  const bare = (...args: string[]) => execFileSync("git", ["--git-dir", appsServer.repoPath("team/apps"), ...args], { env: gitEnv, encoding: "utf8" }).trim();
  const first = bare("rev-parse", "main");
  bare("tag", "-a", "v1", "-m", "release v1", "main");
  // The branch moves on after the tag: HEAD and main read green, v1 and the pinned commit blue.
  const scratch = await mkdtemp(join(tmpdir(), "radial-apps-writer-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const writer = new GitRepository({ url: appsUrl, dir: scratch, auth: appsAuth });
  await writer.writeBranches([{ branch: "main", files: { "api/configmap.yaml": configMap("green") }, message: "green\n" }], {
    author: { name: "t", email: "t@radial.invalid" },
    now: new Date(),
  });

  const generator = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: api
spec:
  generators:
    - list:
        elements:
          - {app: api-head, rev: HEAD}
          - {app: api-main, rev: main}
          - {app: api-v1, rev: v1}
          - {app: api-pinned, rev: ${first}}
          - {app: api-missing, rev: no-such-branch}
  template:
    metadata:
      name: '{{app}}'
    spec:
      project: default
      source:
        repoURL: ${appsUrl}
        targetRevision: '{{rev}}'
        path: api
      destination:
        name: prod-a
        namespace: api
`;
  const { hub, read } = await setup(
    t,
    { RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GIT_CREDENTIALS: JSON.stringify({ [appsServer.url]: appsAuth }) },
    { "generators/api.yaml": generator },
  );
  await register(hub, "prod-a", "prod");
  const { errors } = await generateAndWait((method, path) => hub.api(method, path).then((answer) => answer.body));
  assert.deepEqual(
    errors.map((e) => [e.application, e.field]),
    [["api-missing", "spec.source.targetRevision"]],
    JSON.stringify(errors),
  );
  assert.match(errors[0]!.message, /has no branch or tag "no-such-branch"/);
  const color = async (app: string) => /color: (\w+)/.exec(await read("prod-a", `clusters/prod-a/${app}/manifests.yaml`))?.[1];
  assert.equal(await color("api-head"), "green");
  assert.equal(await color("api-main"), "green");
  assert.equal(await color("api-v1"), "blue", "the annotated tag is peeled to its commit");
  assert.equal(await color("api-pinned"), "blue");
  assert.equal(await color("web-prod-a"), undefined, "the fleet repo's own app still renders (a Deployment)");

  const deliver = (ref: string) => {
    const body = JSON.stringify({ ref, repository: { clone_url: appsUrl } });
    return hub.api("POST", "/v1/webhooks/git", {
      rawBody: body,
      token: null,
      headers: { "x-hub-signature-256": signWebhookBody(SECRET, body), "x-github-event": "push" },
    });
  };
  const other = await deliver("refs/heads/experiment");
  assert.deepEqual([other.status, answerOf(other).started], [200, false], JSON.stringify(other.body));
  const tag = await deliver("refs/tags/v1");
  assert.deepEqual([tag.status, answerOf(tag).started], [202, true], JSON.stringify(tag.body));
  await until("the push's run", async () => (await history(hub)).find((r) => r.trigger === "webhook"));
});
