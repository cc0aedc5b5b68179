import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { GitReader, UnsafePathError } from "../../core/git/index.js";
import { InvalidBranchError } from "../../lambdas/adapters/git/branch-name.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { RefMovedError } from "../../lambdas/ports.js";
import { bareGit, startGitServer, type GitServer } from "../engines/git-server.js";
import { scratchDir } from "../scratch.js";

const execFileAsync = promisify(execFile);
const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const now = new Date("2026-01-02T03:04:05Z");

async function remoteHead(server: GitServer, branch: string): Promise<string | null> {
  const out = await bareGit(server, "fleet", "for-each-ref", "--format=%(objectname)", `refs/heads/${branch}`);
  return out === "" ? null : out;
}

function clusterFiles(cluster: string, apps: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [app, replicas] of Object.entries(apps)) {
    files[`clusters/${cluster}/${app}/application.yaml`] = `kind: Application\nmetadata:\n  name: ${app}-${cluster}\n`;
    files[`clusters/${cluster}/${app}/manifests.yaml`] = `kind: Deployment\nspec:\n  replicas: ${replicas}\n`;
  }
  return files;
}

const seed = {
  "README.md": "fleet\n",
  "generators/web.yaml": "kind: ApplicationSet\n",
  "apps/web/deployment.yaml": "kind: Deployment\n",
  "apps/web/nested/deep/config.yaml": "a: 1\n",
};

test("writes one branch per cluster, commits only changed trees", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });

  const first = await hub.writeBranches(
    [
      { branch: "radial/clusters/prod-1", files: clusterFiles("prod-1", { web: "2", api: "1" }), message: "generate from main@abc" },
      { branch: "radial/clusters/prod-2", files: clusterFiles("prod-2", { web: "3" }), message: "generate from main@abc" },
    ],
    { author, now },
  );
  assert.equal(first.length, 2);
  for (const result of first) {
    assert.ok(result.commit, `${result.branch} got a commit`);
    assert.equal(result.previous, null);
    assert.equal(await remoteHead(server, result.branch), result.commit);
    // The CLI agrees the objects are sound.
    await bareGit(server, "fleet", "fsck", "--no-dangling", "--strict");
  }
  assert.equal(
    await bareGit(server, "fleet", "log", "-1", "--format=%an <%ae> %at %s", "radial/clusters/prod-1"),
    `Radial Hub <hub@radial.invalid> ${now.getTime() / 1000} generate from main@abc`,
  );
  assert.equal(await remoteHead(server, "main"), await bareGit(server, "fleet", "rev-parse", "main"), "main untouched");

  // What an agent does: its own branch only, newest commit only; it sees exactly its folder.
  const agent = await scratchDir(t);
  await git.clone({ fs, http, dir: agent, url, ref: "radial/clusters/prod-1", singleBranch: true, depth: 1 });
  assert.deepEqual((await git.listFiles({ fs, dir: agent })).sort(), Object.keys(clusterFiles("prod-1", { web: "2", api: "1" })).sort());
  assert.equal(fs.readFileSync(join(agent, "clusters/prod-1/web/manifests.yaml"), "utf8"), "kind: Deployment\nspec:\n  replicas: 2\n");
  assert.equal((await git.log({ fs, dir: agent })).length, 1);

  // Identical inputs: no commit, refs unchanged — from the same store and from a cold one.
  const same = [
    { branch: "radial/clusters/prod-1", files: clusterFiles("prod-1", { api: "1", web: "2" }), message: "again" },
    { branch: "radial/clusters/prod-2", files: clusterFiles("prod-2", { web: "3" }), message: "again" },
  ];
  const second = await hub.writeBranches(same, { author, now: new Date(now.getTime() + 60_000) });
  assert.deepEqual(
    second.map((r) => r.commit),
    [null, null],
  );
  assert.deepEqual(
    second.map((r) => r.tree),
    first.map((r) => r.tree),
  );
  const cold = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  assert.deepEqual(
    (await cold.writeBranches(same, { author, now })).map((r) => r.commit),
    [null, null],
  );
  assert.equal(await remoteHead(server, "radial/clusters/prod-1"), first[0]?.commit);
  assert.equal(await remoteHead(server, "radial/clusters/prod-2"), first[1]?.commit);

  // One cluster changes: only its branch gets a commit, on top of the old head.
  const third = await cold.writeBranches(
    [
      { branch: "radial/clusters/prod-1", files: clusterFiles("prod-1", { web: "5", api: "1" }), message: "relabel prod-1" },
      { branch: "radial/clusters/prod-2", files: clusterFiles("prod-2", { web: "3" }), message: "relabel prod-1" },
    ],
    { author, now },
  );
  assert.ok(third[0]?.commit);
  assert.equal(third[1]?.commit, null);
  assert.equal(await remoteHead(server, "radial/clusters/prod-1"), third[0].commit);
  assert.equal(await bareGit(server, "fleet", "rev-parse", "radial/clusters/prod-1^"), first[0]?.commit);
  assert.equal(await remoteHead(server, "radial/clusters/prod-2"), first[1]?.commit);
  assert.equal(await bareGit(server, "fleet", "diff", "--name-only", String(first[0]?.commit), third[0].commit), "clusters/prod-1/web/manifests.yaml");
  await bareGit(server, "fleet", "fsck", "--no-dangling", "--strict");

  // Removing an app removes its folder.
  const fourth = await hub.writeBranches([{ branch: "radial/clusters/prod-1", files: clusterFiles("prod-1", { api: "1" }), message: "drop web" }], {
    author,
    now,
  });
  assert.ok(fourth[0]?.commit);
  assert.equal(
    await bareGit(server, "fleet", "ls-tree", "-r", "--name-only", "radial/clusters/prod-1"),
    "clusters/prod-1/api/application.yaml\nclusters/prod-1/api/manifests.yaml",
  );
});

test("path and branch tricks are refused before anything is written", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  const good = { branch: "radial/clusters/ok", files: clusterFiles("ok", { web: "1" }), message: "m" };

  const badPaths = [
    "/etc/passwd",
    "clusters/../../x.yaml",
    "..",
    "clusters//x.yaml",
    "clusters/x/",
    "",
    ".git/config",
    "clusters/.git/hooks/post-checkout",
    "clusters/.GIT/x",
    "clusters/./x.yaml",
    "clusters\\..\\x.yaml",
    "clusters/x\0y",
  ];
  for (const path of badPaths) {
    await assert.rejects(
      hub.writeBranches([good, { branch: "radial/clusters/bad", files: { [path]: "x" }, message: "m" }], { author, now }),
      UnsafePathError,
      JSON.stringify(path),
    );
  }
  // A file and a folder of the same name cannot both exist in a tree.
  await assert.rejects(
    hub.writeBranches([{ branch: "radial/clusters/bad", files: { "a/b": "1", "a/b/c": "2" }, message: "m" }], { author, now }),
    UnsafePathError,
  );
  for (const branch of ["radial/../main", "/radial/x", "radial//x", "radial/x.lock", "radial/.x", "radial/x y", "refs/heads/main", "radial/x~1", ""]) {
    await assert.rejects(hub.writeBranches([good, { branch, files: {}, message: "m" }], { author, now }), InvalidBranchError, JSON.stringify(branch));
  }
  assert.equal(await bareGit(server, "fleet", "for-each-ref", "--format=%(refname)"), "refs/heads/main", "nothing was pushed");
});

test("a ref moved by someone else is detected and retried from fresh state", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  const branch = "radial/clusters/prod-1";
  const [initial] = await hub.writeBranches([{ branch, files: clusterFiles("prod-1", { web: "1" }), message: "first" }], { author, now });
  assert.ok(initial?.commit);

  // Someone else pushes to the branch from another clone.
  const other = await scratchDir(t);
  await git.clone({ fs, http, dir: other, url, ref: branch, singleBranch: true, depth: 1 });
  await writeFile(join(other, "clusters/prod-1/web/manifests.yaml"), "edited by hand\n");
  await git.add({ fs, dir: other, filepath: "clusters/prod-1/web/manifests.yaml" });
  const moved = await git.commit({ fs, dir: other, message: "manual edit", author: { name: "Someone", email: "x@y.invalid" } });
  await git.push({ fs, http, dir: other, url, ref: branch });
  assert.equal(await remoteHead(server, branch), moved);

  // The hub read the heads just before that push (a run reads them before it writes): it still believes the old head.
  const heads = new Map([[branch, initial.commit]]);
  const update = { branch, files: clusterFiles("prod-1", { web: "2" }), message: "second" };
  const [refused] = await hub.writeBranches([update], { author, now, heads, retries: 0 });
  assert.ok(refused?.error instanceof RefMovedError, String(refused?.error));
  assert.equal(refused.error.expected, initial.commit);
  assert.equal(refused.error.actual, moved);
  assert.equal(refused.commit, null);
  assert.equal(await remoteHead(server, branch), moved, "the rejected write changed nothing");

  const [retried] = await hub.writeBranches([update], { author, now, heads });
  assert.ok(retried?.commit);
  assert.equal(retried.previous, moved);
  assert.equal(await remoteHead(server, branch), retried.commit);
  assert.equal(await bareGit(server, "fleet", "rev-parse", `${branch}^`), moved, "rebuilt on top of the moved head");
  assert.equal(await bareGit(server, "fleet", "show", `${branch}:clusters/prod-1/web/manifests.yaml`), "kind: Deployment\nspec:\n  replicas: 2");

  // The ref moved again and the hub's store never saw that commit: the fetch detects it.
  await git.fetch({ fs, http, dir: other, url, ref: branch, singleBranch: true });
  await git.checkout({ fs, dir: other, ref: branch, force: true });
  await git.merge({ fs, dir: other, ours: branch, theirs: `origin/${branch}`, fastForwardOnly: true }).catch(() => undefined);
  await git.writeRef({ fs, dir: other, ref: `refs/heads/${branch}`, value: retried.commit, force: true });
  await git.checkout({ fs, dir: other, ref: branch, force: true });
  await writeFile(join(other, "clusters/prod-1/extra.yaml"), "x: 1\n");
  await git.add({ fs, dir: other, filepath: "clusters/prod-1/extra.yaml" });
  const movedAgain = await git.commit({ fs, dir: other, message: "another edit", author: { name: "Someone", email: "x@y.invalid" } });
  await git.push({ fs, http, dir: other, url, ref: branch });
  const [third] = await hub.writeBranches([update], { author, now });
  assert.equal(third?.previous, movedAgain);
  assert.ok(third.commit, "the stray file is removed by a new commit");
  assert.equal(
    await bareGit(server, "fleet", "ls-tree", "-r", "--name-only", branch),
    "clusters/prod-1/web/application.yaml\nclusters/prod-1/web/manifests.yaml",
  );
});

test("works with HTTP basic auth", async (t) => {
  const auth = { username: "hub", password: "s3cret" };
  const server = await startGitServer({ auth });
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store"), auth });
  assert.equal(await hub.fetch("main"), await bareGit(server, "fleet", "rev-parse", "main"));
  const [result] = await hub.writeBranches([{ branch: "radial/clusters/a", files: clusterFiles("a", { web: "1" }), message: "m" }], { author, now });
  assert.equal(await remoteHead(server, "radial/clusters/a"), result?.commit);
  assert.deepEqual([...(await hub.remoteBranches("radial/"))], [["radial/clusters/a", result?.commit]]);
  const anonymous = new GitReader({ url, dir: join(await scratchDir(t), "store") });
  await assert.rejects(anonymous.fetch("main"));
});

test("bytes an agent fetches for its own branch stay proportional to its folder", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  const clusters = Array.from({ length: 16 }, (_, i) => `c-${String(i).padStart(3, "0")}`);
  const apps = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`app-${i}`, String(i)]));
  const bigManifest = (cluster: string) => `kind: ConfigMap\ndata:\n${Array.from({ length: 100 }, (_, i) => `  k${i}: ${cluster}-${i}-value\n`).join("")}`;
  const updates = clusters.map((cluster) => {
    const files = clusterFiles(cluster, apps);
    for (const app of Object.keys(apps))
      files[`clusters/${cluster}/${app}/manifests.yaml`] = `${files[`clusters/${cluster}/${app}/manifests.yaml`]!}---\n${bigManifest(`${cluster}-${app}`)}`;
    return { branch: `radial/clusters/${cluster}`, files, message: "generate" };
  });
  const started = Date.now();
  const results = await hub.writeBranches(updates, { author, now });
  const writeMs = Date.now() - started;
  assert.equal(results.filter((r) => r.commit).length, clusters.length);
  assert.equal((await hub.remoteBranches("radial/clusters/")).size, clusters.length);

  const agent = new GitReader({ url, dir: join(await scratchDir(t), "agent") });
  await agent.fetch("radial/clusters/c-007");
  assert.equal((await agent.listFiles(url, "radial/clusters/c-007")).length, 20);
  const oneBranch = agent.stats.bytesReceived;
  const totalBytes = updates.reduce((sum, u) => sum + Object.values(u.files).reduce((s, f) => s + f.length, 0), 0);
  t.diagnostic(
    `${clusters.length} branches written in ${writeMs} ms; agent fetch of one branch: ${oneBranch} bytes over ${agent.stats.requests} requests (fleet content ${totalBytes} bytes, one cluster ${Math.round(totalBytes / clusters.length)} bytes)`,
  );
  assert.ok(oneBranch < (totalBytes / clusters.length) * 2 + 20_000, `one branch cost ${oneBranch} bytes`);
});

test("many branches go out in one push; a branch that moved fails alone, the others land", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  const names = Array.from({ length: 50 }, (_, i) => `c-${String(i).padStart(2, "0")}`);
  const update = (cluster: string, replicas: string) => ({
    branch: `radial/clusters/${cluster}`,
    files: clusterFiles(cluster, { web: replicas }),
    message: "generate",
  });
  const first = await hub.writeBranches(
    names.map((n) => update(n, "1")),
    { author, now },
  );
  assert.ok(first.every((r) => r.commit && !r.error));

  // Someone moves c-07 after the hub read the heads it pushes against.
  const listed = await hub.pushHeads();
  const main = await bareGit(server, "fleet", "rev-parse", "main");
  await bareGit(server, "fleet", "update-ref", "refs/heads/radial/clusters/c-07", main);
  const real = hub.pushHeads.bind(hub);
  let calls = 0;
  hub.pushHeads = async () => (calls++ === 0 ? listed : real());

  const requests = hub.stats.requests;
  const second = await hub.writeBranches(
    names.map((n) => update(n, "2")),
    { author, now, retries: 0 },
  );
  // The heads read before the move (no request), one push, and one listing (two requests in protocol v2) to learn where the refused branch went.
  assert.ok(hub.stats.requests - requests <= 3, `${hub.stats.requests - requests} requests for 50 branches`);
  const moved = second.find((r) => r.branch === "radial/clusters/c-07")!;
  assert.ok(moved.error instanceof RefMovedError, String(moved.error));
  assert.equal(moved.error.actual, main);
  assert.equal(moved.commit, null);
  assert.equal(await remoteHead(server, "radial/clusters/c-07"), main, "the moved branch is left as the other writer set it");
  for (const result of second.filter((r) => r !== moved)) {
    assert.equal(result.error, undefined);
    assert.equal(await remoteHead(server, result.branch), result.commit);
    assert.equal(await bareGit(server, "fleet", "rev-parse", `${result.branch}^`), result.previous, "on top of the head it replaced");
  }
  assert.equal(await bareGit(server, "fleet", "show", "radial/clusters/c-42:clusters/c-42/web/manifests.yaml"), "kind: Deployment\nspec:\n  replicas: 2");
  await bareGit(server, "fleet", "fsck", "--no-dangling", "--strict");
});

test("a kept folder is referenced by its tree id, and what was pushed stays readable from the local store", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const dir = join(await scratchDir(t), "store");
  const hub = new GitRepository({ url, dir });
  const branch = "radial/clusters/a";
  const [first] = await hub.writeBranches([{ branch, files: clusterFiles("a", { web: "1", api: "1" }), message: "first" }], { author, now });
  const apiTree = await bareGit(server, "fleet", "rev-parse", `${branch}:clusters/a/api`);

  // Only web is given as files; api is kept by its tree id.
  const files = clusterFiles("a", { web: "3" });
  const [second] = await hub.writeBranches([{ branch, files, kept: { "clusters/a/api": apiTree }, message: "second" }], { author, now });
  assert.ok(second?.commit);
  assert.equal(
    second.tree,
    (await hub.writeBranches([{ branch, files: clusterFiles("a", { web: "3", api: "1" }), message: "same" }], { author, now }))[0]?.tree,
    "the same tree as with every file given",
  );
  assert.equal(await bareGit(server, "fleet", "rev-parse", `${branch}:clusters/a/api`), apiTree);
  assert.equal(await bareGit(server, "fleet", "show", `${branch}:clusters/a/web/manifests.yaml`), "kind: Deployment\nspec:\n  replicas: 3");
  await bareGit(server, "fleet", "fsck", "--no-dangling", "--strict");
  await assert.rejects(
    hub.writeBranches([{ branch, files, kept: { "clusters/a/web": apiTree }, message: "m" }], { author, now }),
    UnsafePathError,
    "a kept folder cannot also be given as files",
  );

  // A new process on the same store reads both commits with no request; git accepts the packs.
  const later = new GitRepository({ url, dir });
  assert.deepEqual(await later.listFiles(url, second.commit), Object.keys(clusterFiles("a", { web: "3", api: "1" })).sort());
  assert.equal(
    new TextDecoder().decode(await later.readFile(url, first!.commit!, "clusters/a/web/manifests.yaml")),
    "kind: Deployment\nspec:\n  replicas: 1\n",
  );
  assert.equal(later.stats.requests, 0);
  for (const pack of fs.readdirSync(join(dir, "objects/pack")).filter((f) => f.endsWith(".idx"))) {
    await execFileAsync("git", ["verify-pack", join(dir, "objects/pack", pack)]);
  }
});

test("an agent's fetch costs the same whatever the fleet's size, and a re-fetch brings only what changed", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed });
  const hub = new GitRepository({ url, dir: join(await scratchDir(t), "store") });
  const apps = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`app-${i}`, String(i)]));
  const mine = { branch: "radial/clusters/mine", files: clusterFiles("mine", apps), message: "generate" };
  await hub.writeBranches([mine], { author, now });
  const fetchBytes = async (): Promise<number> => {
    const agent = new GitReader({ url, dir: join(await scratchDir(t), "agent") });
    assert.equal(await agent.fetch(mine.branch), await remoteHead(server, mine.branch));
    assert.equal((await agent.listFiles(url, mine.branch)).length, 20);
    return agent.stats.bytesReceived;
  };
  const alone = await fetchBytes();

  const others = Array.from({ length: 300 }, (_, i) => ({
    branch: `radial/clusters/other-${String(i).padStart(3, "0")}`,
    files: clusterFiles(`other-${i}`, { web: "1" }),
    message: "generate",
  }));
  await hub.writeBranches(others, { author, now });
  const amongMany = await fetchBytes();
  // 300 more refs would add ~28 KB to a listing of every ref.
  assert.ok(amongMany - alone < 1000, `alone ${alone} bytes, among 300 other branches ${amongMany} bytes`);

  // The branch moves by one file: the agent's next fetch brings far less than the first.
  const agent = new GitReader({ url, dir: join(await scratchDir(t), "agent") });
  await agent.fetch(mine.branch);
  const first = agent.stats.bytesReceived;
  await hub.writeBranches([{ ...mine, files: clusterFiles("mine", { ...apps, "app-3": "33" }) }], { author, now });
  const moved = await agent.fetch(mine.branch);
  assert.equal(moved, await remoteHead(server, mine.branch));
  assert.equal(new TextDecoder().decode(await agent.readFile(url, moved, "clusters/mine/app-3/manifests.yaml")), "kind: Deployment\nspec:\n  replicas: 33\n");
  const second = agent.stats.bytesReceived - first;
  assert.ok(second < first / 2, `first fetch ${first} bytes, re-fetch ${second} bytes`);
  // Unchanged: one small listing, no fetch.
  const requests = agent.stats.requests;
  assert.equal(await agent.fetch(mine.branch), moved);
  assert.ok(agent.stats.requests - requests <= 2);
});

// ---- many deploy heads into a fresh store (a cold hub process) ----

const PREFIX = "radial/clusters/";

/** Native git's tree for each branch, in one call. */
async function nativeTrees(server: GitServer, branches: string[]): Promise<string[]> {
  return (await bareGit(server, "fleet", "rev-parse", ...branches.map((b) => `refs/heads/${b}^{tree}`))).split("\n");
}

const name = (i: number) => `c-${String(i).padStart(3, "0")}`;

/** Deploy branches as the hub writes them: one folder per cluster, a shared manifest, its own Application. */
async function writeFleet(url: string, dir: string, count: number, replicas = 2): Promise<string[]> {
  const writer = new GitRepository({ url, dir });
  const branches = Array.from({ length: count }, (_, i) => `${PREFIX}${name(i)}`);
  const results = await writer.writeBranches(
    branches.map((branch, i) => ({
      branch,
      files: {
        [`clusters/${name(i)}/web/application.yaml`]: `kind: Application\nmetadata:\n  name: web-${name(i)}\n`,
        [`clusters/${name(i)}/web/manifests.yaml`]: `kind: Deployment\nspec:\n  replicas: ${replicas}\n`,
      },
      message: "generate",
    })),
    { author, now },
  );
  assert.deepEqual(
    results.filter((r) => r.error),
    [],
  );
  return branches;
}

/** A served repo with `count` deploy branches, and a store that has fetched nothing yet. */
async function freshStoreOverFleet(t: TestContext, count: number) {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed: { "README.md": "fleet\n" } });
  const dir = await scratchDir(t);
  const branches = await writeFleet(url, join(dir, "writer"), count);
  return { server, url, dir, branches, fresh: new GitRepository({ url, dir: join(dir, "fresh") }) };
}

test("a fresh store fetches 300 deploy heads in a few requests and reads the same trees as native git", async (t) => {
  const { server, branches, fresh } = await freshStoreOverFleet(t, 300);
  const heads = await fresh.remoteBranches(PREFIX);
  assert.equal(heads.size, 300);
  const present = await fresh.ensureCommits(heads);
  // ls-refs is two requests (discovery, then the command); all 300 heads come in one fetch.
  assert.ok(fresh.stats.requests <= 4, `${fresh.stats.requests} requests`);
  assert.deepEqual(present, heads, "every head as listed is now in the store");

  const trees = await Promise.all(branches.map(async (b) => fresh.commitTree(present.get(b)!)));
  assert.deepEqual(trees, await nativeTrees(server, branches));
  const folder = async (tree: string, path: string) => (await fresh.readTreeEntries(tree)).find((e) => e.path === path)!.oid;
  const web = await folder(await folder(await folder(trees[7]!, "clusters"), name(7)), "web");
  const application = (await fresh.readTreeEntries(web)).find((e) => e.path === "application.yaml")!;
  assert.equal(new TextDecoder().decode(await fresh.readBlob(application.oid)), `kind: Application\nmetadata:\n  name: web-${name(7)}\n`);

  // Everything is in the store now: asking again costs no request.
  const before = fresh.stats.requests;
  assert.deepEqual(await fresh.ensureCommits(heads), heads);
  assert.equal(fresh.stats.requests, before);
});

test("a head that moved after listing is fetched as listed; a head the remote lacks is fetched afresh and a deleted branch left out, the others unaffected", async (t) => {
  const { server, url, dir, branches, fresh } = await freshStoreOverFleet(t, 6);
  const listed = await fresh.remoteBranches(PREFIX);

  // c-000 moves on after the listing: the listed commit is still served, as listed.
  await writeFleet(url, join(dir, "writer"), 1, 5);
  const moved = await fresh.ensureCommits(
    new Map([
      [branches[0]!, listed.get(branches[0]!)!],
      [branches[1]!, listed.get(branches[1]!)!],
    ]),
  );
  assert.equal(moved.get(branches[0]!), listed.get(branches[0]!));
  assert.notEqual(moved.get(branches[0]!), await bareGit(server, "fleet", "rev-parse", `refs/heads/${branches[0]}`));

  // c-002's listed head is one the remote never had (say, pruned since), and c-003 is deleted:
  // the batch is refused, each branch is then fetched alone.
  await bareGit(server, "fleet", "update-ref", "-d", `refs/heads/${branches[3]}`);
  const missing = "0123456789abcdef0123456789abcdef01234567";
  const asked = new Map(
    [...listed].filter(([b]) => b !== branches[0] && b !== branches[1]).map(([b, c]) => [b, b === branches[2] || b === branches[3] ? missing : c]),
  );
  const present = await fresh.ensureCommits(asked);
  assert.equal(present.get(branches[2]!), await bareGit(server, "fleet", "rev-parse", `refs/heads/${branches[2]}`), "fetched at its current head");
  assert.equal(present.get(branches[3]!), null, "a deleted branch is reported absent");
  const kept = [branches[2]!, branches[4]!, branches[5]!];
  assert.deepEqual(await Promise.all(kept.map((b) => fresh.commitTree(present.get(b)!))), await nativeTrees(server, kept));
});
