import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { CachedDeployRevisions, type BranchLister } from "../../lambdas/status/deploy-revisions.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";

let server: GitServer;
let scratch: string;
let head: string;
let fleet: GitRepository;
let missing: GitRepository;

const gitIn = (repo: string, ...args: string[]) => execFileSync("git", ["-C", server.repoPath(repo), ...args], { encoding: "utf8" }).trim();

before(async () => {
  server = await startGitServer();
  scratch = await mkdtemp(join(tmpdir(), "radial-revisions-"));
  await server.createRepo("fleet", { seed: { "clusters/a/web/manifests.yaml": "kind: ConfigMap\n" }, branch: "radial/clusters/a" });
  head = gitIn("fleet", "rev-parse", "refs/heads/radial/clusters/a");
  fleet = new GitRepository({ url: `${server.url}/fleet.git`, dir: join(scratch, "fleet") });
  missing = new GitRepository({ url: `${server.url}/missing.git`, dir: join(scratch, "missing") });
});
after(async () => {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** The real repository, with a count of the ls-refs round trips made through it and a switch to a repo that does not exist. */
function counted(): BranchLister & { calls: number; broken: boolean } {
  return {
    calls: 0,
    broken: false,
    remoteBranches(prefix) {
      this.calls++;
      return (this.broken ? missing : fleet).remoteBranches(prefix);
    },
  };
}

test("the revision is the head of the cluster's deploy branch, null for a cluster without one", async () => {
  const revisions = new CachedDeployRevisions(fleet);
  assert.equal(await revisions.revisionOf("a"), head);
  assert.equal(await revisions.revisionOf("b"), null);
});

test("many agents at once cost one ls-refs per TTL, and a new branch shows once the TTL has passed", async () => {
  let now = Date.parse("2026-11-23T12:00:00Z");
  const git = counted();
  const revisions = new CachedDeployRevisions(git, { ttlMs: 10_000, clock: () => new Date(now) });
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => revisions.revisionOf(i % 2 ? "a" : "b")));
  assert.deepEqual(new Set(answers), new Set([head, null]));
  assert.equal(git.calls, 1, "concurrent callers share one listing");

  gitIn("fleet", "update-ref", "refs/heads/radial/clusters/b", head);
  now += 9_999;
  assert.equal(await revisions.revisionOf("b"), null, "still within the TTL");
  assert.equal(git.calls, 1);
  now += 1;
  assert.equal(await revisions.revisionOf("b"), head);
  assert.equal(git.calls, 2);
  gitIn("fleet", "update-ref", "-d", "refs/heads/radial/clusters/b");
});

test("a failed listing answers with the last known heads, is reported, and is retried by the next caller", async () => {
  let now = Date.parse("2026-11-23T12:00:00Z");
  const errors: unknown[] = [];
  const git = counted();
  const revisions = new CachedDeployRevisions(git, { ttlMs: 10_000, clock: () => new Date(now), onError: (error) => errors.push(error) });
  assert.equal(await revisions.revisionOf("a"), head);
  git.broken = true;
  now += 10_000;
  assert.equal(await revisions.revisionOf("a"), head, "last known head while Git is unreachable");
  assert.equal(errors.length, 1);
  assert.equal(await revisions.revisionOf("a"), head);
  assert.equal(git.calls, 3, "a failure is not cached");

  const cold = new CachedDeployRevisions(missing, { onError: (error) => errors.push(error) });
  assert.equal(await cold.revisionOf("a"), null, "nothing known yet: null, and the agent polls its branch itself");
  assert.equal(errors.length, 3);
});

test("after forget() (this process pushed), the next caller lists again within the TTL, and a listing that was in flight is not kept", async () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  const git = counted();
  const revisions = new CachedDeployRevisions(git, { ttlMs: 10_000, clock: () => new Date(now) });
  const inFlight = revisions.revisionOf("c");
  revisions.forget();
  await inFlight;
  assert.equal(git.calls, 1);
  await revisions.revisionOf("c");
  assert.equal(git.calls, 2, "the listing in flight at forget() was not kept: the next caller listed again");
  await revisions.revisionOf("c");
  assert.equal(git.calls, 2, "that listing answers for the TTL (the clock stands still)");

  gitIn("fleet", "update-ref", "refs/heads/radial/clusters/c", head);
  try {
    assert.equal(await revisions.revisionOf("c"), null, "within the TTL, the push is not seen");
    revisions.forget();
    assert.equal(await revisions.revisionOf("c"), head, "after forget(), it is");
  } finally {
    gitIn("fleet", "update-ref", "-d", "refs/heads/radial/clusters/c");
  }
});
