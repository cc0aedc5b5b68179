import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GitReader, UnsafePathError } from "../../../core/git/index.js";
import { startGitServer, type GitServer } from "../../engines/git-server.js";

// The core reader alone, as the agent and the hub's source repositories use it; writing deploy
// branches is tested with the hub's GitRepository (test/hub/git-repository.test.ts).
const execFileAsync = promisify(execFile);

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "radial-gitreader-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The git CLI on the bare folder on disk (never through the in-process server). */
async function bareGit(server: GitServer, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", ["--git-dir", server.repoPath("fleet"), ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", HOME: tmpdir() },
  });
  return stdout.trim();
}

const seed = {
  "README.md": "fleet\n",
  "generators/web.yaml": "kind: ApplicationSet\n",
  "apps/web/deployment.yaml": "kind: Deployment\n",
  "apps/web/nested/deep/config.yaml": "a: 1\n",
};

test("fetches one branch into a bare store and reads it as a RepoReader", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const repo = new GitReader({ url, dir: join(await scratch(t), "store") });

  const commit = await repo.fetch("main");
  assert.equal(commit, await bareGit(server, "rev-parse", "main"));
  assert.equal(await repo.resolve("main"), commit);
  assert.equal(fs.existsSync(join(repo.dir, "HEAD")), true, "the store is a bare repo");
  assert.equal(fs.existsSync(join(repo.dir, ".git")), false);

  const expected = Object.keys(seed).sort();
  assert.deepEqual(await repo.listFiles(url, commit), expected);
  assert.deepEqual(await repo.listFiles(`${url}/`, "main"), expected, "a branch name resolves to the fetched head");
  assert.equal(new TextDecoder().decode(await repo.readFile(url, commit, "apps/web/nested/deep/config.yaml")), "a: 1\n");
  await assert.rejects(repo.readFile(url, commit, "apps/missing.yaml"), /not found/);
  await assert.rejects(repo.readFile(url, commit, "../etc/passwd"), UnsafePathError);
  await assert.rejects(repo.listFiles("http://elsewhere.invalid/other.git", commit), /serves/);

  // A reader that never fetched fetches a branch on first use.
  const cold = new GitReader({ url, dir: join(await scratch(t), "store") });
  assert.deepEqual(await cold.listFiles(url, "main"), expected);
  assert.ok(cold.stats.bytesReceived > 0);
});
