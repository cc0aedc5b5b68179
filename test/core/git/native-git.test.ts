// Radial's own git protocol code (core/git: pack, pkt-line, upload-pack, the reader's store) with
// native git as the peer: packs Radial writes must be packs git reads (its index-pack writes the
// same index, fsck --strict passes), packs git writes (deltas by offset and by id, long chains,
// thin packs) must read back to git's own objects, and refs, shallow fetches and annotated tags
// must come out as git sees them.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import http from "isomorphic-git/http/node";
import { GitReader } from "../../../core/git/index.js";
import { buildPack, makeObject, readPack } from "../../../core/git/pack.js";
import { DELIM, FLUSH, pktLine, readPktLines, readTextLines } from "../../../core/git/pkt-line.js";
import { fetchPack } from "../../../core/git/upload-pack.js";
import { startGitServer } from "../../engines/git-server.js";
import { scratchDir } from "../../scratch.js";
import { allObjects, bigText, git, gitText, historyRepo, idsAndTypes, objectsById, packEntryTypes, revListObjects } from "./native.js";

const OFS_DELTA = 6;
const REF_DELTA = 7;
const inPackOnly = () => Promise.resolve(undefined);

async function workTree(t: TestContext, commits: number): Promise<{ dir: string; work: string; ids: string[] }> {
  const dir = await scratchDir(t);
  const work = join(dir, "work");
  mkdirSync(work);
  return { dir, work, ids: historyRepo(work, commits) };
}

/** The packs of a repository's object store, each with its index. */
function packsOf(gitDir: string): { name: string; pack: Buffer; index: Buffer }[] {
  const folder = join(gitDir, "objects", "pack");
  return readdirSync(folder)
    .filter((file) => file.endsWith(".pack"))
    .map((file) => ({
      name: file.slice(0, -5),
      pack: readFileSync(join(folder, file)),
      index: readFileSync(join(folder, file.replace(/\.pack$/, ".idx"))),
    }));
}

/** What git's own index-pack writes for a pack: Radial's index must be the same bytes. */
function gitIndexOf(dir: string, pack: Buffer): Buffer {
  const file = join(dir, `check-${Date.now()}-${Math.random().toString(36).slice(2)}.pack`);
  writeFileSync(file, pack);
  git(dir, ["index-pack", "-o", `${file}.idx`, file]);
  return readFileSync(`${file}.idx`);
}

/** A commit and everything it holds, without its history: what a depth-1 fetch of it brings. */
function depthOne(work: string, commit: string): string[] {
  const trees = gitText(work, "ls-tree", "-r", "-t", commit)
    .split("\n")
    .map((line) => line.split(/\s+/)[2]!);
  return [...new Set([commit, gitText(work, "rev-parse", `${commit}^{tree}`), ...trees])];
}

test("a pack Radial builds is one git reads: git's index-pack writes the same index, verify-pack and fsck --strict pass", async (t) => {
  const { dir, work, ids } = await workTree(t, 4);
  // Git's own objects, and one over 1 MiB (its size takes more than four bytes of the entry header).
  const large = makeObject("blob", Buffer.from(bigText(40_000, 7)));
  assert.ok(large.body.length > 2 * 1024 * 1024);
  const objects = [...allObjects(work), large];
  assert.ok(new Set(objects.map((o) => o.type)).size === 4, "commits, trees, blobs and a tag");
  const pack = buildPack([...objects, ...objects.slice(0, 5)]);
  assert.equal(pack.count, objects.length, "each object once");
  assert.deepEqual(idsAndTypes(await readPack(pack.pack, inPackOnly)), idsAndTypes(objects), "and Radial reads it back");

  const target = join(dir, "target.git");
  git(dir, ["init", "--quiet", "--bare", target]);
  writeFileSync(join(target, "objects", "pack", `pack-${pack.hash}.pack`), pack.pack);
  writeFileSync(join(target, "objects", "pack", `pack-${pack.hash}.idx`), pack.index);
  assert.deepEqual(gitIndexOf(dir, pack.pack), pack.index, "git's index of the pack is Radial's, byte for byte");
  assert.match(gitText(target, "verify-pack", "--verbose", `objects/pack/pack-${pack.hash}.idx`), new RegExp(`pack-${pack.hash}.pack: ok$`));

  git(target, ["update-ref", "refs/heads/main", ids.at(-1)!]);
  git(target, ["update-ref", "refs/tags/v1", gitText(work, "rev-parse", "v1")]);
  assert.equal(git(target, ["fsck", "--strict", "--full", "--no-dangling", "--no-progress"]).toString(), "");
  assert.deepEqual(idsAndTypes(allObjects(target)), idsAndTypes(objects));
  assert.equal(gitText(target, "cat-file", "-s", large.oid), String(large.body.length));
  assert.equal(gitText(target, "log", "--format=%s", "v1^{commit}", "-1"), "commit 0");
  assert.equal(gitText(target, "show", "main:apps/web/values.yaml"), "replicas: 4\nimage: web:3");
});

test("git's packs with deltas read back to git's objects: offset deltas, ids as bases, chains", async (t) => {
  const { dir, work } = await workTree(t, 8);
  git(work, ["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"]);
  const [repacked] = packsOf(join(work, ".git"));
  const native = idsAndTypes(allObjects(work));

  const offsetTypes = packEntryTypes(work, repacked!.pack, repacked!.index);
  assert.ok(offsetTypes.filter((type) => type === OFS_DELTA).length >= 7, `offset deltas in git's pack: ${offsetTypes.join(",")}`);
  const chains = [...gitText(work, "verify-pack", "--verbose", `.git/objects/pack/${repacked!.name}.idx`).matchAll(/chain length = (\d+)/g)].map((m) =>
    Number(m[1]),
  );
  assert.ok(Math.max(...chains) >= 5, `delta chains up to ${Math.max(...chains)}`);
  assert.deepEqual(idsAndTypes(await readPack(repacked!.pack, inPackOnly)), native);

  // Without --delta-base-offset, pack-objects names each delta's base by id.
  const byId = git(work, ["pack-objects", "--revs", "--stdout", "-q"], { input: `${gitText(work, "rev-parse", "--all")}\n` });
  const idTypes = packEntryTypes(work, byId, gitIndexOf(dir, byId));
  assert.ok(idTypes.includes(REF_DELTA) && !idTypes.includes(OFS_DELTA), `deltas by id: ${idTypes.join(",")}`);
  assert.deepEqual(idsAndTypes(await readPack(byId, inPackOnly)), native);
});

test("a thin pack's bases are asked of the store, and only objects the store holds", async (t) => {
  const { work, ids } = await workTree(t, 6);
  for (const offsets of [true, false]) {
    const thin = git(work, ["pack-objects", "--revs", "--thin", "--stdout", "-q", ...(offsets ? ["--delta-base-offset"] : [])], {
      input: `${ids[5]}\n^${ids[3]}\n`,
    });
    const held = new Set(revListObjects(work, ids[3]!));
    const asked: string[] = [];
    const objects = await readPack(thin, (oid) => {
      asked.push(oid);
      return Promise.resolve(held.has(oid) ? objectsById(work, [oid])[0] : undefined);
    });
    assert.ok(asked.length > 0, "the pack is thin");
    assert.deepEqual(
      asked.filter((oid) => !held.has(oid)),
      [],
    );
    assert.deepEqual(idsAndTypes(objects), idsAndTypes(objectsById(work, revListObjects(work, ids[5]!, `^${ids[3]}`))));
  }
  await assert.rejects(
    readPack(git(work, ["pack-objects", "--revs", "--thin", "--stdout", "-q"], { input: `${ids[5]}\n^${ids[3]}\n` }), inPackOnly),
    /delta base [0-9a-f]{40} is neither in the pack nor in the store/,
  );
});

test("shallow fetches over smart HTTP bring the wanted commits at depth 1, and with a have only what it lacks", async (t) => {
  const { work, ids } = await workTree(t, 5);
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("hist");
  git(work, ["branch", "other", ids[2]!]);
  git(work, ["push", "--quiet", server.repoPath("hist"), "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"]);

  const one = await readPack(await fetchPack(http.request, url, {}, [ids[4]!]), inPackOnly);
  assert.deepEqual(idsAndTypes(one), idsAndTypes(objectsById(work, depthOne(work, ids[4]!))), "the head commit and its tree, no parent");

  const two = await readPack(await fetchPack(http.request, url, {}, [ids[4]!, ids[2]!]), inPackOnly);
  const both = [...new Set([...depthOne(work, ids[4]!), ...depthOne(work, ids[2]!)])];
  assert.deepEqual(idsAndTypes(two), idsAndTypes(objectsById(work, both)));

  // The store holds ids[2] at depth 1; a fetch of ids[4] with it as the have brings the rest, thin.
  const held = new Map(objectsById(work, depthOne(work, ids[2]!)).map((o) => [o.oid, o]));
  const asked: string[] = [];
  const thin = await fetchPack(http.request, url, {}, [ids[4]!], ids[2]);
  const fetched = await readPack(thin, (oid) => {
    asked.push(oid);
    return Promise.resolve(held.get(oid));
  });
  const wanted = depthOne(work, ids[4]!);
  assert.ok(
    fetched.every((o) => wanted.includes(o.oid)),
    "nothing beyond the wanted commit",
  );
  assert.deepEqual(
    wanted.filter((oid) => !held.has(oid) && !fetched.some((o) => o.oid === oid)),
    [],
    "with the store, everything of the wanted commit",
  );
  assert.ok(thin.length < (await fetchPack(http.request, url, {}, [ids[4]!])).length / 2, "the have's objects were left out");
  assert.ok(
    asked.every((oid) => held.has(oid)),
    "bases asked of the store are objects it holds",
  );

  await assert.rejects(fetchPack(http.request, url, {}, ["0".repeat(40)]), /not our ref|upload-pack/);
});

test("the reader agrees with git on branches, fetches an annotated tag, and its store is a repository git reads", async (t) => {
  const { dir, work, ids } = await workTree(t, 5);
  for (const [i, name] of ["team/a/one", "team/b", "release-1.2", "radial/clusters/prod-eu-1"].entries()) git(work, ["branch", name, ids[i]!]);
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("hist");
  git(work, ["push", "--quiet", server.repoPath("hist"), "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"]);
  const store = join(dir, "store");
  const reader = new GitReader({ url, dir: store });

  const heads = (prefix: string) =>
    new Map(
      gitText(work, "for-each-ref", "--format=%(refname) %(objectname)", `refs/heads/${prefix}`)
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.split(" ")[0]!.replace(/^refs\/heads\//, ""), line.split(" ")[1]!]),
    );
  assert.deepEqual(await reader.remoteBranches(""), heads(""));
  assert.deepEqual(await reader.remoteBranches("team/"), heads("team/"));

  const tag = gitText(work, "rev-parse", "v1");
  const tagged = gitText(work, "rev-parse", "v1^{commit}");
  assert.equal(tagged, ids[1]);
  assert.equal(await reader.fetch("refs/tags/v1"), tag, "the tag object, as listed");
  assert.equal(gitText(store, "cat-file", "-p", tag), gitText(work, "cat-file", "-p", tag));
  assert.equal(gitText(store, "rev-parse", `${tag}^{commit}`), tagged);
  assert.deepEqual(
    idsAndTypes(allObjects(store)),
    idsAndTypes(objectsById(work, [tag, ...depthOne(work, tagged)])),
    "the tag, its commit and tree, no history",
  );
  const regularFiles = gitText(work, "ls-tree", "-r", tagged)
    .split("\n")
    .filter((line) => /^100(644|755) /.test(line))
    .map((line) => line.split("\t")[1]!)
    .sort();
  assert.deepEqual(await reader.listFiles(url, tagged), regularFiles, "regular files; the symlink is not content");

  assert.equal(await reader.fetch("main"), ids[4]);
  for (const { name, pack, index } of packsOf(store)) {
    assert.deepEqual(gitIndexOf(dir, pack), index, `${name}: git's index is the store's`);
    git(store, ["verify-pack", `objects/pack/${name}.idx`]);
  }
  assert.equal(gitText(store, "show", `${ids[4]}:apps/web/values.yaml`), "replicas: 5\nimage: web:4");
});

test("pkt-lines as git writes and reads them: its v0 advertisement parsed, an ls-refs request Radial frames answered", async (t) => {
  const { work } = await workTree(t, 3);
  git(work, ["branch", "feature/x", "HEAD~1"]);

  const advertisement = git(work, ["upload-pack", "--stateless-rpc", "--advertise-refs", "."]);
  assert.equal(readPktLines(advertisement).at(-1), "flush");
  const [first, ...rest] = readTextLines(advertisement);
  assert.match(first!, /\0.*side-band-64k/, "capabilities after a NUL on the first line");
  assert.deepEqual([first!.split("\0")[0], ...rest], gitText(work, "show-ref", "--head", "--dereference").split("\n"));

  const request = Buffer.concat([pktLine("command=ls-refs\n"), pktLine("agent=radial\n"), DELIM, pktLine("peel\n"), pktLine("ref-prefix refs/\n"), FLUSH]);
  const reply = git(work, ["upload-pack", "--stateless-rpc", "."], { input: request, env: { GIT_PROTOCOL: "version=2" } });
  assert.equal(readPktLines(reply).at(-1), "flush");
  assert.deepEqual(
    readTextLines(reply),
    gitText(work, "for-each-ref", "--format=%(objectname) %(refname)%(if)%(*objectname)%(then) peeled:%(*objectname)%(end)").split("\n"),
  );

  assert.throws(() => readPktLines(Buffer.from("0009abc")), /truncated/);
  assert.throws(() => readPktLines(Buffer.from("0000xy")), /trailing bytes/);
  assert.throws(() => readPktLines(Buffer.from("zzzz")), /bad pkt-line length/);
  assert.deepEqual(readPktLines(Buffer.concat([FLUSH, DELIM, Buffer.from("0002")])), ["flush", "delim", "end"]);
});
