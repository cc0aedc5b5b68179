// `radial cluster rebuild` and `radial cluster rebuilds` as an operator runs them, against a hub in
// this process with a deploy branch on a real git http-backend; the test reports as the new agent.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AGENT_CLUSTER_HEADER, RebuildList, RebuildResponse, RegisterClusterResponse } from "../../contract/index.js";
import { EXIT } from "../../core/exit.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { adminOf, radial } from "../cli/radial-cli.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { waitFor } from "../engines/process.js";
import { startTestHub, type TestHub } from "../hub/harness.js";

const PVC = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: db\nspec: {}\n";

describe("radial cluster rebuild", () => {
  let hub: TestHub;
  let git: GitServer;
  let scratch: string;
  let head: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "radial-rebuild-cli-"));
    git = await startGitServer();
    const url = await git.createRepo("fleet");
    const fleet = new GitRepository({ url, dir: join(scratch, "git") });
    const files = { "clusters/edge/db/manifests.yaml": PVC };
    const [written] = await fleet.writeBranches([{ branch: "radial/clusters/edge", files, message: "generated" }], {
      author: { name: "Radial Hub", email: "hub@radial.invalid" },
      now: new Date(),
    });
    head = written!.commit!;
    hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_GENERATE_ON_CHANGE: "false" } });
    RegisterClusterResponse.parse((await hub.api("POST", "/v1/clusters", { body: { name: "edge" } })).body);
  });
  after(async () => {
    await hub.stop();
    await git.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const tokenIn = async (file: string) => /rdl_agent_[A-Za-z0-9_-]+/.exec(await readFile(file, "utf8").catch(() => ""))?.[0];

  test("--dry-run prints the preflight and changes nothing", async () => {
    const run = await radial(["cluster", "rebuild", "edge", "--dry-run"], { env: adminOf(hub) });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /PersistentVolumeClaim\s+db\s+data/);
    assert.deepEqual(RebuildList.parse((await hub.api("GET", "/v1/clusters/edge/rebuilds")).body).items, []);
  });

  test("--wait follows the phases (plain lines off a terminal) and exits 0 once Converged", async () => {
    const file = join(scratch, "edge.yaml");
    const running = radial(["cluster", "rebuild", "edge", "--reason", "drill", "--bootstrap-out", file, "--wait", "--timeout", "5m"], { env: adminOf(hub) });
    let token: string | undefined;
    await waitFor("the bootstrap manifest", async () => (token = await tokenIn(file)) !== undefined, { timeoutMs: 60_000 });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const applications = [{ name: "db", revision: head, sync: "Synced", health: "Healthy", resourceCount: 1, resources: [] }];
    const report = {
      cluster: "edge",
      agentVersion: "0.1.0",
      heartbeatAt: new Date().toISOString(),
      revision: head,
      conditions: [],
      applications,
      driftEvents: [],
    };
    assert.equal((await hub.api("POST", "/v1/agent/status", { body: report, token: token!, headers: { [AGENT_CLUSTER_HEADER]: "edge" } })).status, 200);
    const run = await running;
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Rebuilding cluster edge as incarnation 2/);
    assert.match(run.stdout, /PersistentVolumeClaim/);
    assert.match(run.stdout, /^Converged\s/m, "the phases table");
    assert.match(run.stderr, /edge: AwaitingAgent · \S+ elapsed/);
    assert.match(run.stderr, /edge: Converged · applications 1\/1 converged/);
    assert.doesNotMatch(run.stderr, /\r/, "no terminal control off a terminal");
  });

  test("--wait exits 7 when the rebuild times out, with one JSON document under -o json", async () => {
    const file = join(scratch, "edge-2.yaml");
    const run = await radial(["cluster", "rebuild", "edge", "--bootstrap-out", file, "--wait", "--timeout", "2s", "-o", "json"], { env: adminOf(hub) });
    assert.equal(run.status, EXIT.rebuildTimedOut, run.stderr);
    const answer = RebuildResponse.parse(JSON.parse(run.stdout));
    assert.equal(answer.rebuild.phase, "TimedOut");
    assert.match(run.stderr, /timed out in AwaitingAgent/);
    assert.equal(await tokenIn(file), answer.token);
  });

  test("rebuilds lists them newest first; refusals have their exit codes", async () => {
    const listed = await radial(["cluster", "rebuilds", "edge"], { env: adminOf(hub) });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^INCARNATION\s+PHASE/);
    assert.match(listed.stdout, /^3\s+TimedOut[\s\S]*^2\s+Converged/m);
    const json = await radial(["cluster", "rebuilds", "edge", "-o", "json"], { env: adminOf(hub) });
    assert.deepEqual(
      (JSON.parse(json.stdout) as { incarnation: number }[]).map((r) => r.incarnation),
      [3, 2],
    );
    const noFile = await radial(["cluster", "rebuild", "edge", "--wait", "-o", "json"], { env: adminOf(hub) });
    assert.equal(noFile.status, EXIT.usage);
    assert.match(noFile.stderr, /needs --bootstrap-out/);
    assert.equal((await radial(["cluster", "rebuild", "nowhere"], { env: adminOf(hub) })).status, EXIT.notFound);
    assert.equal((await radial(["cluster", "rebuild", "edge", "--timeout", "soon"], { env: adminOf(hub) })).status, EXIT.usage);
  });

  test("on a terminal the progress is one line rewritten in place", async () => {
    const bin = join(import.meta.dirname, "../../bin/radial.js");
    const file = join(scratch, "edge-tty.yaml");
    const command = [process.execPath, bin, "cluster", "rebuild", "edge", "--bootstrap-out", file, "--wait", "--timeout", "3s"].join(" ");
    // script(1) runs the command on a pseudo-terminal and copies what it wrote there to its stdout.
    const run = await new Promise<{ status: number | null; output: string }>((resolve, reject) => {
      const child = spawn("script", ["-qefc", command, "/dev/null"], { env: { ...process.env, ...adminOf(hub) } });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status, output }));
    });
    assert.equal(run.status, EXIT.rebuildTimedOut, run.output);
    // Each update returns the cursor and erases the line (CR, then ESC [K) before writing it again.
    const rewritten = run.output.split("\r\u001b[K").slice(1);
    assert.ok(
      rewritten.some((line) => /^edge: AwaitingAgent · \S+ elapsed/.test(line)),
      run.output,
    );
    assert.ok(
      rewritten.some((line) => /^edge: TimedOut · .*timed out in AwaitingAgent/.test(line)),
      run.output,
    );
  });
});
