// The hub's push (lambdas/adapters/git/receive-pack.ts) with native git as the receiving peer,
// checking what it receives (receive.fsckObjects) and, after, with the git CLI: the refs it
// advertises, one push of many refs with a per-ref verdict, and objects fsck --strict accepts.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import http from "isomorphic-git/http/node";
import { buildPack, makeObject, type GitObject } from "../../core/git/pack.js";
import { discoverForPush, receivePack } from "../../lambdas/adapters/git/receive-pack.js";
import { startGitServer } from "../engines/git-server.js";
import { git, gitText } from "../core/git/native.js";

const WHEN = "1767225600 +0000";

function tree(entries: { mode: string; name: string; oid: string }[]): GitObject {
  return makeObject("tree", Buffer.concat(entries.flatMap(({ mode, name, oid }) => [Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, "hex")])));
}

function commit(treeOid: string, parent: string | undefined, message: string): GitObject {
  const who = `Radial Hub <hub@radial.invalid> ${WHEN}`;
  return makeObject("commit", Buffer.from(`tree ${treeOid}\n${parent ? `parent ${parent}\n` : ""}author ${who}\ncommitter ${who}\n\n${message}\n`));
}

function annotatedTag(target: string, name: string): GitObject {
  return makeObject("tag", Buffer.from(`object ${target}\ntype commit\ntag ${name}\ntagger Radial Hub <hub@radial.invalid> ${WHEN}\n\nrelease ${name}\n`));
}

/** A served repository whose receive-pack checks every object it is sent, with main, other and an annotated tag. */
async function servedRepo(t: TestContext) {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed: { "a.txt": "a\n" } });
  const bare = server.repoPath("fleet");
  git(bare, ["config", "receive.fsckObjects", "true"]);
  const main = gitText(bare, "rev-parse", "main");
  git(bare, ["branch", "other", "main"]);
  git(bare, ["tag", "--annotate", "--message", "v1", "v1", "main"]);
  const refs = () =>
    new Map(
      gitText(bare, "for-each-ref", "--format=%(refname) %(objectname)")
        .split("\n")
        .map((line) => line.split(" ") as [string, string]),
    );
  return { url, bare, main, refs };
}

test("ref discovery for a push lists exactly the refs git holds, tags unpeeled", async (t) => {
  const { url, bare, refs } = await servedRepo(t);
  for (let i = 0; i < 40; i++) git(bare, ["branch", `radial/clusters/c-${i}`, "main"]);
  assert.deepEqual(await discoverForPush(http.request, url, {}), refs());

  const empty = await startGitServer();
  t.after(() => empty.stop());
  assert.deepEqual(await discoverForPush(http.request, await empty.createRepo("empty"), {}), new Map(), "an empty repository advertises no ref");
});

test("one push of several refs: git checks every object, each ref gets its own verdict, the rest land", async (t) => {
  const { url, bare, main, refs } = await servedRepo(t);
  const before = refs();
  const blob = makeObject("blob", Buffer.from("b\n"));
  const sub = tree([{ mode: "100644", name: "config.yaml", oid: blob.oid }]);
  const root = tree([
    { mode: "100644", name: "b.txt", oid: blob.oid },
    { mode: "40000", name: "clusters", oid: sub.oid },
  ]);
  const next = commit(root.oid, main, "next");
  const fresh = commit(root.oid, undefined, "a new branch");
  const v2 = annotatedTag(next.oid, "v2");

  const report = await receivePack(
    http.request,
    url,
    {},
    [
      { ref: "refs/heads/main", old: main, new: next.oid },
      { ref: "refs/heads/radial/clusters/new", old: null, new: fresh.oid },
      { ref: "refs/tags/v2", old: null, new: v2.oid },
      { ref: "refs/heads/other", old: next.oid, new: fresh.oid },
      { ref: "refs/heads/main-copy", old: null, new: next.oid },
      { ref: "refs/tags/v1", old: null, new: v2.oid },
    ],
    buildPack([blob, sub, root, next, fresh, v2]).pack,
  );
  assert.deepEqual(
    [...report].filter(([, verdict]) => verdict === null).map(([ref]) => ref),
    ["refs/heads/main", "refs/heads/radial/clusters/new", "refs/tags/v2", "refs/heads/main-copy"],
  );
  assert.ok(report.get("refs/heads/other"), "a stale old value is refused");
  assert.ok(report.get("refs/tags/v1"), "a ref that exists is not created again");

  assert.equal(git(bare, ["fsck", "--strict", "--full", "--no-dangling", "--no-progress"]).toString(), "");
  assert.deepEqual(
    refs(),
    new Map([
      ...before,
      ["refs/heads/main", next.oid],
      ["refs/heads/main-copy", next.oid],
      ["refs/heads/radial/clusters/new", fresh.oid],
      ["refs/tags/v2", v2.oid],
    ]),
  );
  assert.equal(gitText(bare, "show", "main:clusters/config.yaml"), "b");
  assert.equal(gitText(bare, "rev-parse", "v2^{commit}"), next.oid);
  assert.equal(gitText(bare, "log", "--format=%s", "main"), "next\nseed");
});

test("a pack git cannot take (a corrupt pack, an object fsck refuses) fails the whole push, no ref moved", async (t) => {
  const { url, main, refs } = await servedRepo(t);
  const before = refs();
  const blob = makeObject("blob", Buffer.from("b\n"));
  const root = tree([{ mode: "100644", name: "b.txt", oid: blob.oid }]);
  const next = commit(root.oid, main, "next");
  const commands = [{ ref: "refs/heads/main", old: main, new: next.oid }];

  const corrupt = buildPack([blob, root, next]).pack;
  corrupt[20] = corrupt[20]! ^ 0xff;
  await assert.rejects(receivePack(http.request, url, {}, commands, corrupt), /push: the server did not accept the pack/);

  // A tree entry with a path git forbids (`..`): receive.fsckObjects refuses the object.
  const bad = tree([{ mode: "100644", name: "..", oid: blob.oid }]);
  const sneaky = commit(bad.oid, main, "sneaky");
  await assert.rejects(
    receivePack(http.request, url, {}, [{ ref: "refs/heads/main", old: main, new: sneaky.oid }], buildPack([blob, bad, sneaky]).pack),
    /did not accept the pack/,
  );
  assert.deepEqual(refs(), before);
});
