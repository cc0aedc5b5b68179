import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { startGitServer } from "./git-server.js";
import { run } from "./process.js";
import { scratchDir } from "../scratch.js";

const author = { name: "Radial Test", email: "test@radial.invalid" };

/** Clones `url`, commits `path` = `content` on a new branch and pushes that branch. */
async function pushBranch(dir: string, url: string, branch: string, path: string, content: string) {
  await git.clone({ fs, http, dir, url });
  await git.branch({ fs, dir, ref: branch, checkout: true });
  await writeFile(join(dir, path), content);
  await git.add({ fs, dir, filepath: path });
  await git.commit({ fs, dir, message: `change ${path}`, author });
  return git.push({ fs, http, dir, url, ref: branch });
}

test("git http-backend serves isomorphic-git and the git CLI", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  const url = await server.createRepo("fleet", { seed: { "apps/web/deploy.yaml": "replicas: 1\n", "README.md": "fleet\n" } });
  assert.equal(url, `${server.url}/fleet.git`);

  const writer = await scratchDir(t);
  const pushed = await pushBranch(writer, url, "radial/clusters/east", "apps/web/deploy.yaml", "replicas: 3\n");
  assert.equal(pushed.ok, true);
  const head = execFileSync("git", ["--git-dir", server.repoPath("fleet"), "rev-parse", "radial/clusters/east"], { encoding: "utf8" }).trim();
  assert.equal(head, await git.resolveRef({ fs, dir: writer, ref: "HEAD" }));

  // What an agent does: only its own branch, only the newest commit.
  const agent = await scratchDir(t);
  await git.clone({ fs, http, dir: agent, url, ref: "radial/clusters/east", singleBranch: true, depth: 1 });
  assert.equal(await readFile(join(agent, "apps/web/deploy.yaml"), "utf8"), "replicas: 3\n");
  assert.equal((await git.log({ fs, dir: agent })).length, 1, "depth 1 fetched more than one commit");
  assert.deepEqual(await git.listBranches({ fs, dir: agent, remote: "origin" }), ["radial/clusters/east"]);

  // The git CLI negotiates protocol v2 over the same CGI (the Git-Protocol header reached it).
  const { stderr: trace } = await promisify(execFile)("git", ["-c", "protocol.version=2", "ls-remote", url], {
    env: { ...process.env, GIT_TRACE_PACKET: "1" },
  });
  assert.match(trace, /git< version 2/);
  const cli = join(await scratchDir(t), "clone");
  await run("git", ["-c", "protocol.version=2", "clone", "--quiet", "--branch", "radial/clusters/east", url, cli]);
  assert.equal(await readFile(join(cli, "apps/web/deploy.yaml"), "utf8"), "replicas: 3\n");
});

test("git server with basic auth refuses wrong credentials and accepts right ones", async (t) => {
  const credentials = { username: "agent", password: "s3cret" };
  const server = await startGitServer({ auth: credentials });
  t.after(() => server.stop());
  const url = await server.createRepo("team/fleet", { seed: { "a.txt": "a\n" }, branch: "trunk" });

  const anonymous = await fetch(`${url}/info/refs?service=git-upload-pack`);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Basic realm=/);

  const writer = await scratchDir(t);
  await git.clone({ fs, http, dir: writer, url, onAuth: () => credentials });
  await git.branch({ fs, dir: writer, ref: "feature", checkout: true });
  await writeFile(join(writer, "a.txt"), "b\n");
  await git.add({ fs, dir: writer, filepath: "a.txt" });
  await git.commit({ fs, dir: writer, message: "b", author });

  const wrong = { username: "agent", password: "nope" };
  await assert.rejects(
    git.push({ fs, http, dir: writer, url, ref: "feature", onAuth: () => wrong }),
    (error: Error & { data?: { statusCode?: number } }) => error.data?.statusCode === 401,
  );
  const pushed = await git.push({ fs, http, dir: writer, url, ref: "feature", onAuth: () => credentials });
  assert.equal(pushed.ok, true);
  const refs = execFileSync("git", ["--git-dir", server.repoPath("team/fleet"), "branch", "--list"], { encoding: "utf8" });
  assert.match(refs, /feature/);
});

test("git server refuses repo names that escape its root", async (t) => {
  const server = await startGitServer();
  t.after(() => server.stop());
  for (const name of ["../escape", "/etc/passwd", "a/../../b", ".hidden", ""]) {
    await assert.rejects(server.createRepo(name), /invalid repo name/, name);
  }
  // An escaped '/' survives URL normalisation, so the '..' only appears once the server decodes it.
  const escaped = await fetch(`${server.url}/fleet.git%2F..%2F..%2Fetc/info/refs`);
  assert.equal(escaped.status, 400);
});
