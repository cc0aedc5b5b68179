// `radial generate` as scripts use it: its exit code tells a clean run from one with errors and
// from one the mass-removal guard blocked, and a blocked run says only that, why, and what to do.
// The real CLI against an embedded hub on a real git http-backend.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GenerationRun, GenerationRunResult } from "../../contract/index.js";
import { EXIT } from "../../core/exit.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { startGitServer } from "../engines/git-server.js";
import { startTestHub } from "../hub/harness.js";
import { adminOf, radial } from "./radial-cli.js";

const webSet = (url: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters:
        selector:
          matchLabels:
            env: prod
  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/web }
      destination: { name: '{{name}}', namespace: web }
`;

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: blue\n";

test("radial generate exits 0 on a clean run, 6 when the guard blocks it (saying only that and why), 5 when it has errors", async (t) => {
  const git = await startGitServer();
  t.after(() => git.stop());
  const url = `${git.url}/fleet.git`;
  await git.createRepo("fleet", { seed: { "generators/web.yaml": webSet(url), "apps/web/cm.yaml": configMap } });
  const hub = await startTestHub({ env: { RADIAL_REPO_URL: url, RADIAL_GENERATE_ON_CHANGE: "false", RADIAL_GENERATE_INTERVAL: "0" } });
  t.after(() => hub.stop());
  const env = adminOf(hub);
  for (const name of ["a", "b", "c"]) assert.equal((await hub.api("POST", "/v1/clusters", { body: { name, labels: { env: "prod" } } })).status, 201);

  const clean = await radial(["generate"], { env });
  assert.equal(clean.status, EXIT.ok, clean.stderr);
  assert.match(clean.stdout, /^Generated at [0-9a-f]{8} in \d+ ms: 3 of 3 clusters changed/);

  // Two of three Applications would go: over the guard's quarter.
  for (const name of ["b", "c"]) assert.equal((await hub.api("PATCH", `/v1/clusters/${name}`, { body: { labels: { env: "dev" } } })).status, 200);
  const blocked = await radial(["generate"], { env });
  assert.equal(blocked.status, EXIT.generationBlocked, blocked.stdout + blocked.stderr);
  assert.equal(blocked.stdout, "", "a blocked run reports no changes");
  // The run's progress comes first on stderr, one line per state it was seen in.
  assert.match(blocked.stderr, /^generation run [0-9a-f-]+: queued\n(.*: running\n)?.*: finished\n/);
  const said = blocked.stderr.replace(/^generation run [0-9a-f-]+: (queued|running|finished)\n/gm, "");
  assert.match(said, /^Blocked by the mass-removal guard at [0-9a-f]{8}: this run would remove 2 of 3 Applications .*nothing was written/);
  assert.match(said, /radial generate --dry-run.*radial generate --force/);
  assert.doesNotMatch(said, /Generated|clusters changed/);

  const queued = await radial(["generate", "--no-wait", "-o", "json"], { env });
  assert.equal(queued.status, EXIT.ok, queued.stderr);
  const run = GenerationRun.parse(JSON.parse(queued.stdout));
  assert.deepEqual([run.state, run.dryRun], ["queued", false], "--no-wait only queues the run");
  assert.equal((await radial(["generate", "--no-wait", "--dry-run"], { env })).status, EXIT.usage);

  const json = await radial(["generate", "-o", "json"], { env });
  assert.equal(json.status, EXIT.generationBlocked);
  assert.equal(GenerationRunResult.parse(JSON.parse(json.stdout)).blocked?.removed, 2);

  const dry = await radial(["generate", "--dry-run"], { env });
  assert.equal(dry.status, EXIT.generationBlocked, "a dry run says a real run would be blocked");
  assert.match(dry.stdout, /^Dry run \(nothing written\) .*: 2 of 3 clusters would change/);
  assert.match(dry.stdout, /A real run would be blocked by the mass-removal guard: this run would remove 2 of 3/);

  const forced = await radial(["generate", "--force"], { env });
  assert.equal(forced.status, EXIT.ok, forced.stderr);
  assert.match(forced.stdout, /2 of 3 clusters changed/);

  // A generator file that is not YAML: the run goes on for the others and reports the error.
  const scratch = await mkdtemp(join(tmpdir(), "radial-generate-cli-"));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const fleet = new GitRepository({ url, dir: join(scratch, "fleet") });
  const files = {
    "generators/web.yaml": webSet(url),
    "apps/web/cm.yaml": configMap,
    "generators/broken.yaml": "kind: ApplicationSet\nspec: [1, 2\nmetadata: {}\n",
  };
  await fleet.writeBranches([{ branch: "main", files, message: "a broken generator file" }], {
    author: { name: "Fleet Owner", email: "owner@radial.invalid" },
    now: new Date(),
  });
  const withErrors = await radial(["generate"], { env });
  assert.equal(withErrors.status, EXIT.generationErrors, withErrors.stdout + withErrors.stderr);
  assert.match(withErrors.stdout, /^Generated at [0-9a-f]{8} .*: 0 of 3 clusters changed/);
  const line = withErrors.stdout.split("\n").find((l) => l.startsWith("error: generators/broken.yaml"));
  assert.ok(line, withErrors.stdout);
  // The parser's message as a sentence: where, then what, with no dangling "column N:;".
  assert.match(line, /^error: generators\/broken\.yaml: line 3, column 1: not valid YAML: [A-Z][^:]*; everything this file produced before is kept$/);
});
