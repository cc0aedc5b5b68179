import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleAgent } from "../../../agent/bundle.js";

// What the container image runs: the esbuild bundle of agent/main.ts under plain node, no tsx
// (test/image runs it inside the image's own file tree, with the image's node flags).
let dir: string;
let bundle: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "radial-agent-bundle-"));
  bundle = join(dir, "radial.mjs");
  await bundleAgent(bundle);
});
after(() => rm(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  // A clean environment, as in the container: no RADIAL_* or KUBECONFIG from the developer's shell.
  return spawnSync(process.execPath, [bundle, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: dir, ...env }, timeout: 60_000 });
}

test("the bundle is one self-contained file that runs `radial agent --help` under plain node", async () => {
  assert.ok((await stat(bundle)).size > 0);
  assert.ok((await stat(join(dir, "glue.wasm"))).size > 0, "the Lua VM users' health checks run in lies beside the bundle");
  const result = run(["agent", "--help"]);
  assert.equal(result.status, 0, result.stderr);
  for (const flag of ["--kubeconfig", "--cluster", "--hub", "--repo", "--token-file", "--poll-interval", "--data-dir", "--metrics-port"]) {
    assert.match(result.stdout, new RegExp(flag));
  }
});

test("the bundled agent refuses a missing configuration with exit 2, naming every flag and variable to set", () => {
  const result = run(["agent"], { RADIAL_AGENT_POLL_INTERVAL: "often" });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--hub or RADIAL_AGENT_HUB_URL .*: required/);
  assert.match(result.stderr, /--cluster or RADIAL_AGENT_CLUSTER .*: required/);
  assert.match(result.stderr, /--token-file, RADIAL_AGENT_TOKEN_FILE or RADIAL_AGENT_TOKEN .*: required/);
  assert.doesNotMatch(result.stderr, /--repo/, "unset, the repo is the one the hub names");
  assert.match(result.stderr, /--poll-interval or RADIAL_AGENT_POLL_INTERVAL .*: must be a whole number/);
});

test("an unreadable token file is named with what to do", () => {
  const result = run(["agent", "--token-file", join(dir, "missing")], {
    RADIAL_AGENT_HUB_URL: "http://127.0.0.1:1",
    RADIAL_AGENT_CLUSTER: "edge-1",
    RADIAL_AGENT_REPO_URL: "http://127.0.0.1:1/fleet.git",
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /cannot read the token file .*missing \(ENOENT\): mount the agent's token Secret there, or set RADIAL_AGENT_TOKEN/);
});

test("the bundled agent started from the CLI's shell refuses the admin token with exit 2, naming the token it needs", () => {
  const shell = { RADIAL_AGENT_HUB_URL: "http://127.0.0.1:1", RADIAL_AGENT_CLUSTER: "edge-1", RADIAL_AGENT_REPO_URL: "http://127.0.0.1:1/fleet.git" };
  const admin = `rdl_admin_${"a".repeat(43)}`;
  const inherited = run(["agent"], { ...shell, RADIAL_TOKEN: admin });
  assert.equal(inherited.status, 2);
  assert.match(inherited.stderr, /RADIAL_AGENT_TOKEN .*: required \(RADIAL_TOKEN is set, but that is the radial CLI's admin token/);
  const given = run(["agent"], { ...shell, RADIAL_AGENT_TOKEN: admin });
  assert.equal(given.status, 2);
  assert.match(given.stderr, /this is the hub's admin token \(rdl_admin_\.\.\.\); the agent needs its cluster's agent token \(rdl_agent_\.\.\.\)/);
});
