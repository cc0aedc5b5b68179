import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { signWebhookBody } from "../../lambdas/generation/webhook-signature.js";
import { GitRepository } from "../../lambdas/git/index.js";
import { startGitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { startTestHub, type TestHub } from "./harness.js";

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
  /** Deploy branches on the git server (short name → commit), read over smart HTTP (async). */
  heads(): Promise<Map<string, string>>;
  files(cluster: string): Promise<string[]>;
}

async function setup(t: TestContext, env: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: fleetSeed(url) });
  const scratch = await mkdtemp(join(tmpdir(), "radial-generation-api-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_KUSTOMIZE: await installKustomize(), RADIAL_WEBHOOK_SECRET: SECRET, ...env } });
  t.after(() => hub.stop());
  const reader = new GitRepository({ url, dir: join(scratch, "reader") });
  return {
    hub,
    heads: () => reader.remoteBranches("radial/clusters/"),
    async files(cluster) {
      const commit = await reader.fetch(`radial/clusters/${cluster}`);
      return (await reader.listFiles(url, commit)).sort();
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

const history = async (hub: TestHub): Promise<any[]> => {
  const { status, body } = await hub.api("GET", "/v1/generations?limit=100");
  assert.equal(status, 200, JSON.stringify(body));
  return body.items;
};

test("explicit runs: a dry run writes nothing, a run writes the deploy branches, history lists both, webhooks need a good signature", async (t) => {
  const { hub, heads, files } = await setup(t, { RADIAL_GENERATE_ON_CHANGE: "false" });
  await register(hub, "prod-a", "prod");
  await register(hub, "prod-b", "prod");
  await register(hub, "dev-c", "dev");

  const dry = await hub.api("POST", "/v1/generate?dryRun=true");
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.dryRun, true);
  assert.deepEqual(dry.body.errors, []);
  const added = Object.fromEntries(dry.body.clusters.map((c: any) => [c.name, c.added]));
  assert.deepEqual(added["prod-a"], ["web-prod-a"]);
  assert.deepEqual(added["prod-b"], ["web-prod-b"]);
  assert.equal((await heads()).size, 0, "a dry run writes no branch");

  const real = await hub.api("POST", "/v1/generate");
  assert.equal(real.status, 200, JSON.stringify(real.body));
  assert.deepEqual(real.body.errors, []);
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
  assert.equal(missing.body.error.code, "unauthorized");
  assert.match(missing.body.error.message, /missing X-Hub-Signature-256/);
  const bad = await hub.api("POST", "/v1/webhooks/git", { rawBody: payload, token: null, headers: { "x-hub-signature-256": signWebhookBody("wrong", payload) } });
  assert.equal(bad.status, 401);
  assert.match(bad.body.error.message, /does not match/);
  await sleep(300);
  assert.equal((await history(hub)).length, 2, "a refused webhook starts nothing");

  const good = await hub.api("POST", "/v1/webhooks/git", { rawBody: payload, token: null, headers: { "x-hub-signature-256": signWebhookBody(SECRET, payload) } });
  assert.equal(good.status, 202, JSON.stringify(good.body));
  const webhookRun = await until("the webhook's run", async () => (await history(hub)).find((r) => r.trigger === "webhook"));
  assert.equal(webhookRun.clustersChanged, 0, "nothing changed since the last run");

  const cliDry = await radial(hub, "generate", "--dry-run");
  assert.equal(cliDry.status, 0, cliDry.stderr);
  assert.match(cliDry.stdout, /^Dry run \(nothing written\) at [0-9a-f]{8} in \d+ ms: 0 of 3 clusters would change/);
  const cliHistory = await radial(hub, "generate", "--history");
  assert.equal(cliHistory.status, 0, cliHistory.stderr);
  const lines = cliHistory.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^TIME\s+TRIGGER\s+REVISION\s+CLUSTERS\s+APPS\s+ERRORS$/);
  assert.equal(lines.length, 5);
  assert.ok(lines.some((line) => /api\s+[0-9a-f]{8}\s+2\s+\+2 ~0 -0\s+0$/.test(line)), cliHistory.stdout);
  const cliJson = await radial(hub, "generate", "--history", "-o", "json");
  assert.equal(JSON.parse(cliJson.stdout).length, 4);

  assert.equal((await hub.api("POST", "/v1/generate?dryRun=maybe")).status, 400);
  assert.equal((await hub.api("POST", "/v1/generate", { token: null })).status, 401);
});

test("inventory changes trigger runs in the background", async (t) => {
  const { hub, heads, files } = await setup(t);
  await register(hub, "prod-a", "prod");
  await register(hub, "prod-b", "prod");
  await until("both deploy branches", async () => ((await heads()).size === 2 ? true : undefined));
  assert.deepEqual(await files("prod-b"), ["clusters/prod-b/web-prod-b/application.yaml", "clusters/prod-b/web-prod-b/manifests.yaml"]);
  const runs = await history(hub);
  assert.ok(runs.length >= 1 && runs.every((r) => r.trigger === "inventory" && r.dryRun === false), JSON.stringify(runs));
});

test("without RADIAL_REPO_URL, generation answers 503 and says what to set", async (t) => {
  const hub = await startTestHub();
  t.after(() => hub.stop());
  const { status, body } = await hub.api("POST", "/v1/generate");
  assert.equal(status, 503);
  assert.equal(body.error.code, "unavailable");
  assert.match(body.error.message, /RADIAL_REPO_URL/);
  assert.equal((await hub.api("GET", "/v1/generations")).status, 503);
});
