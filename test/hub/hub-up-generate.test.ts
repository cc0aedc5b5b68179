// The quick start as a user follows it: `radial hub up` (what `npm start` runs) with only
// RADIAL_REPO_URL set hydrates a kustomize source with the kustomize the project pins (no
// RADIAL_KUSTOMIZE, none on PATH), and logs each generation run as one structured line.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { radial } from "../cli/radial-cli.js";
import { startGitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { waitFor } from "../engines/process.js";
import { webFleet } from "../fixtures/web-fleet.js";

/** `radial hub up` as its own process; its stdout (JSON log lines) and stderr are kept. */
async function hubUp(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; logs: () => Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ["bin/radial.js", "hub", "up"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the hub did not print its URL in 60 s:\n${stderr}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Radial hub listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`the hub exited with ${code}:\n${stderr}`)));
  });
  const logs = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, url, logs };
}

test("radial hub up hydrates kustomize sources with the pinned kustomize, no setting needed, and logs every run", async (t) => {
  await installKustomize(); // the tool cache the hub looks in, as `npm test` leaves it
  const git = await startGitServer();
  t.after(() => git.stop());
  const url = `${git.url}/fleet.git`;
  await git.createRepo("fleet", { seed: { ...webFleet(url), "apps/web/kustomization.yaml": "namePrefix: kustomized-\nresources: [web.yaml]\n" } });
  const dataDir = await mkdtemp(join(tmpdir(), "radial-hub-up-"));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const { RADIAL_KUSTOMIZE: _ignored, ...inherited } = process.env;
  const env = { ...inherited, PORT: "0", RADIAL_DATA_DIR: dataDir, RADIAL_REPO_URL: url, RADIAL_GENERATE_INTERVAL: "0", RADIAL_GENERATE_ON_CHANGE: "false" };
  const hub = await hubUp(env);
  t.after(() => {
    hub.child.kill("SIGTERM");
  });
  const admin = { RADIAL_HUB: hub.url, RADIAL_TOKEN: (await readFile(join(dataDir, "admin-token"), "utf8")).trim() };

  assert.equal((await radial(["cluster", "register", "edge-1", "--allow-loopback"], { env: admin })).status, 0);
  const run = await radial(["generate"], { env: admin });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /1 of 1 clusters changed/);
  const reader = new GitRepository({ url, dir: join(dataDir, "reader") });
  const head = await reader.fetch("radial/clusters/edge-1");
  const manifests = new TextDecoder().decode(await reader.readFile(url, head, "clusters/edge-1/web/manifests.yaml"));
  assert.match(manifests, /name: kustomized-web/, "kustomize built the source");

  await waitFor("the run's log line", () => Promise.resolve(hub.logs().some((l) => String(l.message).startsWith("generation run"))), {
    timeoutMs: 10_000,
    intervalMs: 100,
  });
  const line = hub.logs().find((l) => String(l.message).startsWith("generation run"))!;
  assert.equal(line.message, "generation run finished");
  assert.equal(line.level, "INFO");
  assert.equal(line.trigger, "api");
  assert.equal(line.dryRun, false);
  assert.match(String(line.revision), /^[0-9a-f]{40}$/);
  assert.equal(line.clustersChanged, 1);
  assert.deepEqual(line.applications, { added: 1, changed: 0, removed: 0 });
  assert.equal(line.errorCount, 0);
  assert.deepEqual(line.errors, []);
  assert.equal(typeof line.durationMs, "number");
});
