import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { Logger } from "@aws-lambda-powertools/logger";
import { ClusterList, ClusterStatus, GenerationHistoryPage, RegisterClusterResponse, type StatusReport } from "../../contract/index.js";
import { hashToken } from "../../lambdas/inventory/token.js";
import { startHub, type RunningHub } from "../../lambdas/local/hub.js";
import { startGitServer } from "../engines/git-server.js";
import { scratchDir } from "../scratch.js";
import { generateAndWait } from "./generation-runs.js";
import { ADMIN_TOKEN } from "./harness.js";

const FLEET = {
  "generators/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: web }
spec:
  generators: [{ list: { elements: [{ cluster: edge-a }] } }]
  template:
    metadata: { name: web }
    spec:
      project: default
      source: { repoURL: https://example.invalid/apps.git, path: web }
      destination: { name: edge-a, namespace: web }
`,
};

interface Hub {
  call: (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: unknown }>;
  stop: () => Promise<void>;
}

async function start(dataDir: string, repoUrl: string): Promise<Hub> {
  const hub: RunningHub = await startHub({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    logger: new Logger({ serviceName: "radial-backup-test", logLevel: "SILENT" }),
    env: {
      RADIAL_ADMIN_TOKEN: ADMIN_TOKEN,
      RADIAL_HUB_URL: "https://hub.radial.test",
      RADIAL_REPO_URL: repoUrl,
      RADIAL_GENERATE_ON_CHANGE: "false",
      RADIAL_GENERATE_INTERVAL: "0",
    },
  });
  return {
    async call(method, path, body, token = ADMIN_TOKEN) {
      const response = await fetch(`${hub.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    stop: () => hub.stop(),
  };
}

function radial(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["bin/radial.js", ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

/** What a backup must carry: the clusters, a cluster's status and drift events, the generation history. */
async function state(hub: Hub): Promise<unknown> {
  const clusters = ClusterList.parse((await hub.call("GET", "/v1/clusters")).body).items;
  const statusA = await hub.call("GET", "/v1/clusters/edge-a/status");
  const history = GenerationHistoryPage.parse((await hub.call("GET", "/v1/generations")).body).items;
  const status = statusA.status === 200 ? ClusterStatus.parse(statusA.body) : null;
  return { clusters, applications: status?.applications, driftEvents: status?.driftEvents, receivedAt: status?.receivedAt, history };
}

function report(cluster: string): StatusReport {
  const at = new Date().toISOString();
  return {
    cluster,
    agentVersion: "0.1.0",
    heartbeatAt: at,
    revision: null,
    conditions: [],
    applications: [{ name: "web", revision: null, sync: "OutOfSync", health: "Degraded", resourceCount: 1, resources: [] }],
    driftEvents: [
      {
        application: "web",
        resource: { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web" },
        action: "Healed",
        fields: ["spec.replicas"],
        at,
      },
    ],
  };
}

async function populate(hub: Hub): Promise<string> {
  const registered = await hub.call("POST", "/v1/clusters", { name: "edge-a", labels: { env: "edge" }, annotations: { owner: "team-a" } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const token = RegisterClusterResponse.parse(registered.body).token;
  assert.equal((await hub.call("POST", "/v1/clusters", { name: "edge-b", labels: { env: "prod" } })).status, 201);
  const reported = await hub.call("POST", "/v1/agent/status", report("edge-a"), token);
  assert.equal(reported.status, 200, JSON.stringify(reported.body));
  await generateAndWait((method, path) => hub.call(method, path).then((answer) => answer.body), "?dryRun=true");
  return token;
}

async function badFilesChangeNothing(dir: string, dataDir: string): Promise<void> {
  const good = await readFile(join(dir, "backup.json"), "utf8");
  const backup = JSON.parse(good) as { items: Record<string, unknown>[] };
  const bad: [string, string, RegExp][] = [
    ["truncated.json", good.slice(0, good.length / 2), /is not JSON .*truncated\?/],
    ["other.json", JSON.stringify({ format: "something-else", items: [] }), /invalid backup .*other\.json: format/],
    ["no-key.json", JSON.stringify({ ...backup, items: [{ ...backup.items[0], pk: undefined }] }), /items\[0\]\.pk/],
    ["twice.json", JSON.stringify({ ...backup, items: [backup.items[0], backup.items[0]] }), /items\[1\] repeats the key/],
    ["missing.json", "", /cannot read the backup/],
  ];
  for (const [name, text, message] of bad) {
    if (name !== "missing.json") await writeFile(join(dir, name), text);
    const refused = await radial("hub", "restore", join(dir, name), "--data-dir", dataDir);
    assert.equal(refused.code, 2, `${name}: ${refused.stderr}`);
    assert.match(refused.stderr, message, name);
    assert.match(refused.stderr, /nothing was changed/i, name);
  }
  assert.deepEqual(
    (await readdir(dataDir)).filter((entry) => entry.startsWith("inventory")),
    ["inventory"],
    "no staging store left behind, the live one in place",
  );
}

test("radial hub backup and restore: everything but the lease, no token, refused while the hub runs, a bad file changes nothing", async (t: TestContext) => {
  const dir = await scratchDir(t);
  const dataDir = join(dir, "data");
  const server = await startGitServer();
  t.after(() => server.stop());
  await server.createRepo("fleet", { seed: FLEET });
  const repoUrl = `${server.url}/fleet.git`;
  const file = join(dir, "backup.json");

  let hub = await start(dataDir, repoUrl);
  const token = await populate(hub);
  const backedUp = await state(hub);
  assert.equal((backedUp as { history: unknown[] }).history.length, 1, "the dry run is in the history");
  const running = await radial("hub", "backup", file, "--data-dir", dataDir);
  assert.equal(running.code, 2, running.stderr);
  assert.match(running.stderr, /is in use by another process \(a hub running on data dir .+\?\): stop that hub first/);
  await hub.stop();

  const done = await radial("hub", "backup", file, "--data-dir", dataDir);
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stderr, /Backed up \d+ items \(2 clusters/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, "utf8");
  assert.ok(!text.includes(token), "no token plaintext");
  assert.ok(text.includes(hashToken(token)), "the token's hash, so agents keep reporting after a restore");
  assert.ok(!text.includes("LEASE#"), "no generation lease");

  hub = await start(dataDir, repoUrl);
  assert.equal((await hub.call("DELETE", "/v1/clusters/edge-a")).status, 204);
  assert.equal((await hub.call("POST", "/v1/clusters", { name: "edge-c" })).status, 201);
  const changed = await state(hub);
  const intoRunning = await radial("hub", "restore", file, "--data-dir", dataDir);
  assert.equal(intoRunning.code, 2, intoRunning.stderr);
  assert.match(intoRunning.stderr, /in use by another process/);
  await hub.stop();

  await badFilesChangeNothing(dir, dataDir);
  hub = await start(dataDir, repoUrl);
  assert.deepEqual(await state(hub), changed, "refused restores changed nothing");
  await hub.stop();

  const restored = await radial("hub", "restore", file, "--data-dir", dataDir);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stderr, /the inventory it replaced is kept in .+inventory\.before-restore-/);
  hub = await start(dataDir, repoUrl);
  t.after(() => hub.stop());
  assert.deepEqual(await state(hub), backedUp);
  assert.equal((await hub.call("POST", "/v1/agent/status", report("edge-a"), token)).status, 200, "the restored cluster's agent token still works");

  // On a new machine: a data dir that does not exist yet.
  const fresh = join(dir, "new-machine", "data");
  const moved = await radial("hub", "restore", file, "--data-dir", fresh);
  assert.equal(moved.code, 0, moved.stderr);
  const elsewhere = await start(fresh, repoUrl);
  t.after(() => elsewhere.stop());
  assert.deepEqual(await state(elsewhere), backedUp);
});
