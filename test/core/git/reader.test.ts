import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { join } from "node:path";
import { GitReader, UnsafePathError } from "../../../core/git/index.js";
import { bareGit, startGitServer } from "../../engines/git-server.js";
import { scratchDir } from "../../scratch.js";

// The core reader alone, as the agent and the hub's source repositories use it; writing deploy
// branches is tested with the hub's GitRepository (test/hub/git-repository.test.ts).
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
  const repo = new GitReader({ url, dir: join(await scratchDir(t), "store") });

  const commit = await repo.fetch("main");
  assert.equal(commit, await bareGit(server, "fleet", "rev-parse", "main"));
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
  const cold = new GitReader({ url, dir: join(await scratchDir(t), "store") });
  assert.deepEqual(await cold.listFiles(url, "main"), expected);
  assert.ok(cold.stats.bytesReceived > 0);
});
