// The write stage alone, against a real git server: built branches go out in one write, each
// written commit is remembered with the digest of its inputs, and an aborted run pushes nothing.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { GitRepository } from "../../../lambdas/adapters/git/repository.js";
import { GenerationCaches } from "../../../lambdas/generate/caches.js";
import type { BuiltBranch } from "../../../lambdas/generate/pipeline/build.js";
import { writeBranches } from "../../../lambdas/generate/pipeline/write.js";
import { startGitServer } from "../../engines/git-server.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const now = new Date("2026-01-02T03:04:05Z");

async function deployRepo(t: TestContext): Promise<GitRepository> {
  const server = await startGitServer();
  t.after(() => server.stop());
  const dir = await mkdtemp(join(tmpdir(), "radial-write-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: { "README.md": "fleet\n" } });
  return new GitRepository({ url, dir: join(dir, "hub") });
}

function built(cluster: string, content: string): BuiltBranch {
  const result = { name: cluster, commit: null, added: ["web"], changed: [], removed: [] };
  return {
    work: { result, apps: new Map(), before: undefined, digest: `digest-${cluster}` },
    update: { branch: `radial/clusters/${cluster}`, files: { [`clusters/${cluster}/web/application.yaml`]: content }, message: `generate ${cluster}` },
    state: { commit: "", tree: "", apps: new Map(), tombstones: new Map() },
  };
}

test("writes every built branch, fills each result's commit and remembers it with its digest", async (t) => {
  const deploy = await deployRepo(t);
  const caches = new GenerationCaches();
  const branches = [built("a", "a: 1\n"), built("b", "b: 1\n")];
  const errors = await writeBranches(branches, { deploy, author, now, caches });
  assert.deepEqual(errors, []);
  const heads = await deploy.remoteBranches("radial/clusters/");
  for (const { work } of branches) {
    const commit = work.result.commit;
    assert.ok(commit);
    assert.equal(heads.get(`radial/clusters/${work.result.name}`), commit);
    assert.equal(caches.branches.inputDigestOf(commit), work.digest);
  }
});

test("an aborted run writes nothing", async (t) => {
  const deploy = await deployRepo(t);
  const controller = new AbortController();
  controller.abort(new Error("lease lost"));
  await assert.rejects(writeBranches([built("a", "a: 1\n")], { deploy, author, now, caches: new GenerationCaches(), signal: controller.signal }), /lease lost/);
  assert.equal((await deploy.remoteBranches("radial/clusters/")).size, 0);
});

test("a write the repository refuses is reported on each of its branches, and nothing is remembered", async (t) => {
  const deploy = await deployRepo(t);
  const caches = new GenerationCaches();
  const bad = built("a", "a: 1\n");
  bad.update.branch = "radial/clusters/a..b";
  const errors = await writeBranches([bad, built("b", "b: 1\n")], { deploy, author, now, caches });
  assert.deepEqual(
    errors.map((e) => [e.file, e.cluster]),
    [
      ["(deploy)", "a"],
      ["(deploy)", "b"],
    ],
  );
  assert.match(errors[0]!.message, /writing radial\/clusters\/a\.\.b failed/);
  assert.equal(caches.branches.size, 0);
});
