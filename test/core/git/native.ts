// Native git as the peer of the protocol tests: repositories made and read with the git CLI, so
// what Radial's own pack, pkt-line and smart-HTTP code writes is checked by git, and what git
// writes is read by it.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GitObject, ObjectType } from "../../../core/git/pack.js";

/** A fixed identity and dates, and no machine config: the same repository (ids included) every run. */
const ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Radial Test",
  GIT_AUTHOR_EMAIL: "test@radial.invalid",
  GIT_COMMITTER_NAME: "Radial Test",
  GIT_COMMITTER_EMAIL: "test@radial.invalid",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

/** Runs git in `dir` (a work tree, or a bare repository); its stdout, or an error with its stderr. */
export function git(dir: string, args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}): Buffer {
  const result = spawnSync("git", args, { cwd: dir, input: options.input, env: { ...ENV, ...options.env }, maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} (in ${dir}) exited with ${result.status}: ${result.stderr.toString()}`);
  return result.stdout;
}

export const gitText = (dir: string, ...args: string[]): string => git(dir, args).toString("utf8").trim();

/** Objects as `git cat-file --batch` prints them: `<oid> <type> <size>\n<body>\n` each. */
function parseBatch(out: Buffer): GitObject[] {
  const objects: GitObject[] = [];
  let at = 0;
  while (at < out.length) {
    const newline = out.indexOf(10, at);
    const [oid, type, size] = out.toString("latin1", at, newline).split(" ");
    if (size === undefined) throw new Error(`cat-file: ${out.toString("latin1", at, newline)}`);
    const start = newline + 1;
    objects.push({ oid: oid!, type: type as ObjectType, body: Buffer.from(out.subarray(start, start + Number(size))) });
    at = start + Number(size) + 1;
  }
  return objects;
}

/** Every object of the repository, whole, by git. */
export const allObjects = (dir: string): GitObject[] => parseBatch(git(dir, ["cat-file", "--batch-all-objects", "--batch"]));

/** The objects with these ids, whole, by git. */
export const objectsById = (dir: string, oids: string[]): GitObject[] =>
  oids.length === 0 ? [] : parseBatch(git(dir, ["cat-file", "--batch"], { input: `${oids.join("\n")}\n` }));

/** `git rev-list --objects` of the arguments: the ids of the commits and everything they reach. */
export const revListObjects = (dir: string, ...revisions: string[]): string[] =>
  gitText(dir, "rev-list", "--objects", "--no-object-names", ...revisions)
    .split("\n")
    .filter(Boolean);

/**
 * Each object as `<oid> <type>`, sorted, so two sets compare as arrays. Radial computes an object's
 * id from its type and body (pack.ts makeObject), so equal ids mean equal bodies.
 */
export const idsAndTypes = (objects: GitObject[]): string[] => objects.map((object) => `${object.oid} ${object.type}`).sort();

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A text of `lines` lines that compresses badly (so git deltas it rather than relying on zlib). */
export function bigText(lines: number, seed = 1): string {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  return Array.from({ length: lines }, (_, i) => `line ${i}: ${Array.from({ length: 6 }, () => random().toString(36)).join(" ")}\n`).join("");
}

/**
 * A work tree with history git packs with deltas: a big file edited in a few places per commit,
 * small YAML files that change, nested folders, an executable, a symlink, an empty file, and an
 * annotated tag three commits back. Returns the commit ids, oldest first.
 */
export function historyRepo(dir: string, commits = 8): string[] {
  git(dir, ["init", "--quiet", "--initial-branch=main"]);
  let big = bigText(6000);
  const ids: string[] = [];
  for (let i = 0; i < commits; i++) {
    big = big.replace(`line ${i * 700}:`, `LINE ${i * 700} (edited in commit ${i}):`);
    writeFiles(dir, {
      "data/big.txt": big,
      "apps/web/values.yaml": `replicas: ${i + 1}\nimage: web:${i}\n`,
      [`apps/app-${i}/deep/nested/config.yaml`]: `commit: ${i}\n`,
      "bin/run.sh": `#!/bin/sh\necho ${i}\n`,
      "empty.txt": "",
    });
    chmodSync(join(dir, "bin/run.sh"), 0o755);
    if (i === 0) symlinkSync("apps/web/values.yaml", join(dir, "link"));
    git(dir, ["add", "--all"]);
    git(dir, ["commit", "--quiet", "--no-gpg-sign", "--message", `commit ${i}`]);
    ids.push(gitText(dir, "rev-parse", "HEAD"));
  }
  git(dir, ["tag", "--annotate", "--message", "release v1", "v1", ids[Math.max(0, commits - 4)]!]);
  return ids;
}

/** The type of each object in a pack, by its header byte at the offsets git's own index lists. */
export function packEntryTypes(dir: string, pack: Buffer, index: Buffer): number[] {
  const offsets = git(dir, ["show-index"], { input: index })
    .toString("utf8")
    .trim()
    .split("\n")
    .map((line) => Number(line.split(" ")[0]));
  return offsets.map((offset) => (pack[offset]! >> 4) & 7);
}
