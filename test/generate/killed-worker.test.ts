// A generation worker killed mid-run (as Lambda ends one at its timeout): it leaves no deploy
// branch half-written and nothing in the history; once its lease is gone, the next run writes
// every branch whole.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { engines, type Engine } from "./engines.js";
import { startFleet } from "./fleet.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const engine = engines[0]!;
let db: Engine;

before(async () => {
  db = await engine.start();
});
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
after(() => db?.stop());

/** The worker as the Lambda handler builds it (createHub), in its own process, working one scheduled trigger. */
const WORKER = `
import { createHub } from "./lambdas/composition.ts";
import { generationRunner } from "./lambdas/generation-runner.ts";
const env = process.env;
const hub = createHub({
  inventory: { tableName: env.TABLE, client: { endpoint: env.ENDPOINT, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } } },
  hubUrl: "https://hub.radial.test",
  adminTokenHash: "",
  env,
  workDir: env.WORK_DIR,
  runner: generationRunner,
});
await hub.context.generation.process({ trigger: "schedule" });
`;

test("a worker killed mid-run leaves no half-written branch and no record; the next run writes every branch whole", { timeout: 5 * 60_000 }, async (t) => {
  const fleet = await startFleet(t, db);
  for (const name of ["edge-1", "edge-2", "edge-3"]) await fleet.register(name);
  const scratch = await mkdtemp(join(tmpdir(), "radial-killed-worker-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  // Its kustomize says it started, then hangs: the run is mid-way when the worker is killed.
  const started = join(scratch, "started");
  const kustomize = join(scratch, "kustomize");
  await writeFile(kustomize, `#!/bin/sh\ntouch '${started}'\nexec sleep 600\n`);
  await chmod(kustomize, 0o755);
  const endpoint = await db.client.config.endpoint!();
  const env = {
    ...process.env,
    TABLE: fleet.table,
    ENDPOINT: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`,
    WORK_DIR: scratch,
    RADIAL_REPO_URL: fleet.url,
    RADIAL_KUSTOMIZE: kustomize,
    RADIAL_GENERATE_ON_CHANGE: "false",
  };
  const worker = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", WORKER], { cwd: ROOT, env, stdio: "ignore", detached: true });
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  while (!existsSync(started)) await sleep(50);
  // The whole group: the worker and the kustomize it is waiting on.
  process.kill(-worker.pid!, "SIGKILL");
  await exited;

  assert.deepEqual(await fleet.deployBranches(), [], "the killed run wrote no branch");
  assert.deepEqual((await fleet.history.list(10)).records, [], "and recorded nothing");
  const dead = await fleet.lease.current(new Date());
  assert.ok(dead, "its lease is still held, until it expires");

  // Its lease expires (released here rather than waited for); the next run repairs.
  assert.deepEqual(await fleet.lease.release(dead.holder), { released: true, pending: undefined });
  const next = await fleet.service().run({ trigger: "schedule", dryRun: false, force: false });
  assert.deepEqual(next.errors, []);
  assert.deepEqual(await fleet.deployBranches(), ["radial/clusters/edge-1", "radial/clusters/edge-2", "radial/clusters/edge-3"]);
  const reader = new GitRepository({ url: fleet.url, dir: join(scratch, "reader") });
  for (const cluster of ["edge-1", "edge-2", "edge-3"]) {
    const head = await reader.fetch(`radial/clusters/${cluster}`);
    const files = await reader.listFiles(fleet.url, head);
    assert.deepEqual(
      files,
      [`clusters/${cluster}/web-${cluster}/application.yaml`, `clusters/${cluster}/web-${cluster}/manifests.yaml`],
      `${cluster}'s branch is whole`,
    );
  }
});
