import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import fs from "node:fs";
import git from "isomorphic-git";
import { parse } from "yaml";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { KustomizeBinary } from "../../lambdas/adapters/kustomize/binary.js";
import type { KustomizeRunner } from "../../lambdas/ports.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import type { InventoryCluster } from "../../lambdas/generate/params.js";
import { appFolder, runGeneration, type GenerationInput, type GenerationResult } from "../../lambdas/generate/pipeline/run.js";
import { lineDiff } from "../../lambdas/generate/pipeline/diff.js";
import { Application } from "../../contract/application.js";
import { ApplicationDeletion, GENERATED_FROM_ANNOTATION, SOURCE_REVISION_ANNOTATION } from "../../contract/deploy-branch.js";
import { startGitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { scratchDir } from "../scratch.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const clock = () => new Date("2026-01-02T03:04:05Z");

let kustomizePromise: Promise<KustomizeRunner> | undefined;
const kustomize = () => (kustomizePromise ??= installKustomize().then((path) => KustomizeBinary(path)));

const webSet = (url: string, extra = "") => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  generators:
    - clusters:
        selector:
          matchLabels:
            env: prod
${extra}  template:
    metadata:
      name: 'web-{{name}}'
    spec:
      project: default
      source:
        repoURL: ${url}
        targetRevision: HEAD
        path: apps/web
      destination:
        name: '{{name}}'
        namespace: web
`;

const dbSet = (url: string, names: string[]) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: db
spec:
  generators:
    - list:
        elements:
${names.map((n) => `          - cluster: a\n            app: '${n}'\n`).join("")}  template:
    metadata:
      name: '{{app}}'
    spec:
      source:
        repoURL: ${url}
        path: apps/db
      destination:
        name: '{{cluster}}'
`;

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const KUSTOMIZATION = "resources:\n  - deployment.yaml\n";
const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  value: "${value}"\n`;

function cluster(name: string, env: string): InventoryCluster {
  return { name, server: `https://${name}.example.com`, labels: { env }, annotations: {} };
}

interface Fleet {
  url: string;
  fleet: GitRepository;
  /** Replaces the source branch's whole tree with a new commit. */
  push(files: Record<string, string>): Promise<void>;
  run(input: Partial<GenerationInput> & { clusters: InventoryCluster[] }): Promise<GenerationResult>;
  /** Deploy branches on the remote (short name → commit). */
  heads(): Promise<Map<string, string>>;
  /** Every file on a deploy branch, as the remote holds it. */
  files(cluster: string): Promise<Record<string, string>>;
  /** The commit message at a deploy branch's head. */
  message(cluster: string): Promise<string>;
}

async function setup(t: TestContext, seed: (url: string) => Record<string, string>): Promise<Fleet> {
  const server = await startGitServer();
  t.after(() => server.stop());
  const dir = await scratchDir(t);
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: seed(url) });
  const fleet = new GitRepository({ url, dir: join(dir, "hub") });
  const reader = new GitRepository({ url, dir: join(dir, "reader") });
  const runner = await kustomize();
  // One hub process: its caches last across its runs.
  const caches = new GenerationCaches();
  return {
    url,
    fleet,
    async push(files) {
      await fleet.writeBranches([{ branch: "main", files, message: "update fleet" }], { author, now: clock() });
    },
    run(input) {
      return runGeneration({ dryRun: false, force: false, ...input }, { fleet, sourceBranch: "main", deploy: fleet, kustomize: runner, clock, author, caches });
    },
    heads: () => reader.remoteBranches("radial/clusters/"),
    async files(name) {
      const commit = await reader.fetch(`radial/clusters/${name}`);
      const out: Record<string, string> = {};
      for (const path of await reader.listFiles(url, commit)) out[path] = new TextDecoder().decode(await reader.readFile(url, commit, path));
      return out;
    },
    async message(name) {
      const oid = await reader.fetch(`radial/clusters/${name}`);
      return (await git.readCommit({ fs, gitdir: reader.dir, oid })).commit.message;
    },
  };
}

const baseSeed = (url: string): Record<string, string> => ({
  "generators/web.yaml": webSet(url),
  "apps/web/kustomization.yaml": KUSTOMIZATION,
  "apps/web/deployment.yaml": deployment(2),
});

const byName = (result: GenerationResult, name: string) => {
  const found = result.clusters.find((c) => c.name === name);
  assert.ok(found, `cluster ${name} in the result`);
  return found;
};

test("lineDiff shows only changed lines, and added/removed files against /dev/null", () => {
  assert.equal(lineDiff("x.yaml", "a\nb\nc\n", "a\nB\nc\n"), "--- a/x.yaml\n+++ b/x.yaml\n-b\n+B\n");
  assert.equal(lineDiff("x.yaml", undefined, "a\n"), "--- /dev/null\n+++ b/x.yaml\n+a\n");
  assert.equal(lineDiff("x.yaml", "a\n", undefined), "--- a/x.yaml\n+++ /dev/null\n-a\n");
  assert.equal(lineDiff("x", "1\n2\n3\n4\n", "1\n3\n5\n4\n"), "--- a/x\n+++ b/x\n-2\n+5\n");
});

test("appFolder refuses names that are not DNS-1123", () => {
  assert.equal(appFolder("a", "web-a"), "clusters/a/web-a");
  assert.throws(() => appFolder("a", "../evil"), /Application name/);
  assert.throws(() => appFolder("a", "x/y"), /Application name/);
  assert.throws(() => appFolder("..", "web"), /cluster name/);
  assert.throws(() => appFolder("A_B", "web"), /cluster name/);
});

test("writes matching clusters' branches, a second run commits nothing, a relabel changes only that branch", async (t) => {
  const f = await setup(t, baseSeed);
  const clusters = [cluster("a", "prod"), cluster("b", "prod"), cluster("c", "dev")];

  const first = await f.run({ clusters });
  assert.deepEqual(first.errors, []);
  assert.equal(first.blocked, undefined);
  assert.match(first.sourceRevision, /^[0-9a-f]{40}$/);
  assert.deepEqual(byName(first, "a").added, ["web-a"]);
  assert.deepEqual(byName(first, "b").added, ["web-b"]);
  assert.ok(byName(first, "a").commit);
  assert.equal(byName(first, "c").commit, null);
  const heads1 = await f.heads();
  assert.deepEqual([...heads1.keys()].sort(), ["radial/clusters/a", "radial/clusters/b"]);

  const files = await f.files("a");
  assert.deepEqual(Object.keys(files).sort(), ["clusters/a/web-a/application.yaml", "clusters/a/web-a/manifests.yaml"]);
  const application = Application.parse(parse(files["clusters/a/web-a/application.yaml"]!));
  assert.equal(application.kind, "Application");
  assert.equal(application.metadata.name, "web-a");
  assert.equal(application.metadata.annotations?.[GENERATED_FROM_ANNOTATION], "generators/web.yaml#web");
  assert.equal(application.spec.destination.name, "a");
  assert.match(files["clusters/a/web-a/manifests.yaml"]!, /kind: Deployment/);
  assert.match(files["clusters/a/web-a/manifests.yaml"]!, /replicas: 2/);
  const message = await f.message("a");
  assert.ok(message.includes(first.sourceRevision), message);
  assert.match(message, /generators\/web\.yaml/);

  // Same inputs: no commit anywhere.
  const second = await f.run({ clusters });
  assert.deepEqual(second.errors, []);
  assert.ok(second.clusters.every((c) => c.commit === null && c.added.length + c.changed.length + c.removed.length === 0));
  assert.deepEqual(await f.heads(), heads1);

  // Relabel c into prod: only c's branch appears; a and b stay where they were.
  const relabeled = [cluster("a", "prod"), cluster("b", "prod"), cluster("c", "prod")];
  const third = await f.run({ clusters: relabeled });
  assert.deepEqual(byName(third, "c").added, ["web-c"]);
  assert.ok(byName(third, "c").commit);
  assert.equal(byName(third, "a").commit, null);
  assert.equal(byName(third, "b").commit, null);
  const heads3 = await f.heads();
  assert.equal(heads3.get("radial/clusters/a"), heads1.get("radial/clusters/a"));
  assert.equal(heads3.get("radial/clusters/b"), heads1.get("radial/clusters/b"));
  assert.ok(heads3.has("radial/clusters/c"));

  // A source change touches every branch that uses it, with the source revision in the message.
  await f.push({ ...baseSeed(f.url), "apps/web/deployment.yaml": deployment(3) });
  const fourth = await f.run({ clusters: relabeled });
  assert.deepEqual(
    fourth.clusters.map((c) => c.changed),
    [["web-a"], ["web-b"], ["web-c"]],
  );
  assert.match((await f.files("b"))["clusters/b/web-b/manifests.yaml"]!, /replicas: 3/);

  // A cluster removed from the inventory keeps its branch untouched.
  const heads4 = await f.heads();
  const fifth = await f.run({ clusters: [cluster("a", "prod"), cluster("b", "prod")] });
  assert.deepEqual(
    fifth.clusters.map((c) => c.name),
    ["a", "b"],
  );
  assert.deepEqual(await f.heads(), heads4);
});

test("a broken generator file, an incomplete evaluation and a failed hydration keep prior output; other files go on", async (t) => {
  const seed = (url: string) => ({ ...baseSeed(url), "generators/db.yaml": dbSet(url, ["db-a"]), "apps/db/cm.yaml": configMap("1") });
  const f = await setup(t, seed);
  const clusters = [cluster("a", "prod"), cluster("b", "prod")];
  const first = await f.run({ clusters });
  assert.deepEqual(first.errors, []);
  assert.deepEqual(byName(first, "a").added, ["db-a", "web-a"]);
  const before = await f.files("a");
  const headB = (await f.heads()).get("radial/clusters/b");

  // web.yaml no longer parses, its app source changed, and a is relabeled away from its selector:
  // web-a and web-b stay exactly as they were; db.yaml's change still lands.
  const broken = {
    ...seed(f.url),
    "generators/web.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web\n",
    "apps/web/deployment.yaml": deployment(5),
    "apps/db/cm.yaml": configMap("2"),
  };
  await f.push(broken);
  const second = await f.run({ clusters: [cluster("a", "dev"), cluster("b", "prod")] });
  assert.equal(second.errors.length, 1);
  assert.equal(second.errors[0]!.file, "generators/web.yaml");
  assert.match(second.errors[0]!.message, /not valid YAML/);
  assert.deepEqual(byName(second, "a").changed, ["db-a"]);
  assert.deepEqual(byName(second, "a").removed, []);
  const after = await f.files("a");
  assert.equal(after["clusters/a/web-a/application.yaml"], before["clusters/a/web-a/application.yaml"]);
  assert.equal(after["clusters/a/web-a/manifests.yaml"], before["clusters/a/web-a/manifests.yaml"]);
  assert.match(after["clusters/a/db-a/manifests.yaml"]!, /value: "2"/);
  assert.equal((await f.heads()).get("radial/clusters/b"), headB, "b's branch is untouched");

  // An evaluation that is not complete (an unsupported generator) keeps the set's output too.
  await f.push({ ...broken, "generators/web.yaml": webSet(f.url, "    - scmProvider: {}\n") });
  const third = await f.run({ clusters: [cluster("a", "dev"), cluster("b", "prod")] });
  assert.ok(
    third.errors.some((e) => e.file === "generators/web.yaml" && e.applicationSet === "web" && e.message.includes("scmProvider")),
    JSON.stringify(third.errors),
  );
  assert.deepEqual(byName(third, "a").removed, []);
  assert.equal((await f.files("a"))["clusters/a/web-a/manifests.yaml"], before["clusters/a/web-a/manifests.yaml"]);
  assert.equal((await f.heads()).get("radial/clusters/b"), headB);

  // The file is valid again but its kustomization is broken: each Application keeps its folder.
  await f.push({ ...broken, "generators/web.yaml": webSet(f.url), "apps/web/kustomization.yaml": "resources:\n  - missing.yaml\n" });
  const fourth = await f.run({ clusters });
  assert.deepEqual(
    fourth.errors.map((e) => [e.file, e.application, e.cluster]),
    [
      ["generators/web.yaml", "web-a", "a"],
      ["generators/web.yaml", "web-b", "b"],
    ],
  );
  assert.match(fourth.errors[0]!.message, /hydration failed/);
  assert.deepEqual(
    fourth.clusters.map((c) => c.removed),
    [[], []],
  );
  assert.equal((await f.files("a"))["clusters/a/web-a/manifests.yaml"], before["clusters/a/web-a/manifests.yaml"]);
  assert.equal((await f.heads()).get("radial/clusters/b"), headB);

  // Fixed: the new source lands.
  await f.push({ ...broken, "generators/web.yaml": webSet(f.url) });
  const fifth = await f.run({ clusters });
  assert.deepEqual(fifth.errors, []);
  assert.match((await f.files("b"))["clusters/b/web-b/manifests.yaml"]!, /replicas: 5/);
});

test("the removal guard blocks a mass removal unless forced; an emptied cluster keeps only tombstones", async (t) => {
  const f = await setup(t, baseSeed);
  await f.run({ clusters: [cluster("a", "prod"), cluster("b", "prod"), cluster("c", "prod")] });
  const heads = await f.heads();
  assert.equal(heads.size, 3);

  const shrunk = [cluster("a", "prod"), cluster("b", "dev"), cluster("c", "dev")];
  const blocked = await f.run({ clusters: shrunk });
  assert.ok(blocked.blocked, "blocked");
  assert.equal(blocked.blocked.removed, 2);
  assert.equal(blocked.blocked.current, 3);
  assert.ok(blocked.clusters.every((c) => c.commit === null));
  assert.deepEqual(byName(blocked, "b").removed, ["web-b"]);
  assert.deepEqual(await f.heads(), heads, "nothing written");

  // force lets it through.
  const forced = await f.run({ clusters: shrunk, force: true });
  assert.equal(forced.blocked, undefined);
  assert.ok(byName(forced, "b").commit);
  assert.ok(byName(forced, "c").commit);
  assert.equal(byName(forced, "a").commit, null);
  assert.deepEqual(Object.keys(await f.files("b")), ["clusters/b/web-b/deleted.yaml"], "b's branch now holds only web-b's tombstone");
  const after = await f.heads();
  assert.equal(after.get("radial/clusters/a"), heads.get("radial/clusters/a"));

  // Removing one of one remaining Application is 100%: blocked again; a share of 1 allows it.
  const none = [cluster("a", "dev"), cluster("b", "dev"), cluster("c", "dev")];
  assert.ok((await f.run({ clusters: none })).blocked);
  const allowed = await f.run({ clusters: none, maxRemovalShare: 1 });
  assert.equal(allowed.blocked, undefined);
  assert.deepEqual(byName(allowed, "a").removed, ["web-a"]);
  // Branches with nothing left to change get no commit.
  assert.equal(byName(allowed, "b").commit, null);
});

test("names that are not DNS-1123 never become paths", async (t) => {
  const seed = (url: string) => ({ ...baseSeed(url), "generators/db.yaml": dbSet(url, ["../evil", "db-ok"]), "apps/db/cm.yaml": configMap("1") });
  const f = await setup(t, seed);
  const result = await f.run({ clusters: [cluster("a", "prod"), { ...cluster("x", "prod"), name: "../evil" }] });
  assert.ok(
    result.errors.some((e) => e.file === "(inventory)" && e.cluster === "../evil"),
    JSON.stringify(result.errors),
  );
  assert.ok(
    result.errors.some((e) => e.file === "generators/db.yaml" && e.application === "../evil"),
    JSON.stringify(result.errors),
  );
  assert.deepEqual(
    result.clusters.map((c) => c.name),
    ["a"],
  );
  assert.deepEqual([...(await f.heads()).keys()], ["radial/clusters/a"]);
  const files = Object.keys(await f.files("a")).sort();
  assert.deepEqual(files, [
    "clusters/a/db-ok/application.yaml",
    "clusters/a/db-ok/manifests.yaml",
    "clusters/a/web-a/application.yaml",
    "clusters/a/web-a/manifests.yaml",
  ]);
});

test("a dry run writes nothing and returns the added Applications with diffs", async (t) => {
  const f = await setup(t, baseSeed);
  const clusters = [cluster("a", "prod"), cluster("b", "dev")];
  const dry = await f.run({ clusters, dryRun: true });
  assert.equal(dry.dryRun, true);
  assert.deepEqual(byName(dry, "a").added, ["web-a"]);
  assert.equal(byName(dry, "a").commit, null);
  assert.deepEqual(byName(dry, "b").added, []);
  assert.equal((await f.heads()).size, 0);
  const diffs = byName(dry, "a").diffs ?? [];
  assert.deepEqual(
    diffs.map((d) => d.path),
    ["clusters/a/web-a/application.yaml", "clusters/a/web-a/manifests.yaml"],
  );
  assert.match(diffs[1]!.diff, /^--- \/dev\/null\n\+\+\+ b\/clusters\/a\/web-a\/manifests.yaml\n/);
  assert.match(diffs[1]!.diff, /\+ {2}replicas: 2/);

  // After a real run, a dry run of a source change shows the changed line only.
  await f.run({ clusters });
  await f.push({ ...baseSeed(f.url), "apps/web/deployment.yaml": deployment(4) });
  const change = await f.run({ clusters, dryRun: true });
  assert.deepEqual(byName(change, "a").changed, ["web-a"]);
  assert.deepEqual(byName(change, "a").diffs, [
    {
      path: "clusters/a/web-a/manifests.yaml",
      diff: "--- a/clusters/a/web-a/manifests.yaml\n+++ b/clusters/a/web-a/manifests.yaml\n-  replicas: 2\n+  replicas: 4\n",
    },
  ]);
});

test("a removed Application leaves a tombstone the agent accepts, counted as a removal once, and dropped when the app comes back", async (t) => {
  const withFinalizer = (url: string) => ({
    ...baseSeed(url),
    "generators/web.yaml": webSet(url).replace(
      "      name: 'web-{{name}}'\n",
      "      name: 'web-{{name}}'\n      finalizers: [resources-finalizer.argocd.argoproj.io]\n",
    ),
  });
  const f = await setup(t, withFinalizer);
  const prod = ["a", "b", "c", "d"].map((name) => cluster(name, "prod"));
  const first = await f.run({ clusters: prod });
  assert.deepEqual(first.errors, []);
  const before = await f.files("a");

  // A dry run of the removal lists it and shows the folder giving way to the tombstone.
  const aAway = [cluster("a", "dev"), ...prod.slice(1)];
  const dry = await f.run({ clusters: aAway, dryRun: true });
  assert.deepEqual(byName(dry, "a").removed, ["web-a"]);
  assert.deepEqual(
    byName(dry, "a").diffs?.map((d) => d.path),
    ["clusters/a/web-a/application.yaml", "clusters/a/web-a/deleted.yaml", "clusters/a/web-a/manifests.yaml"],
  );
  assert.match(byName(dry, "a").diffs![1]!.diff, /^--- \/dev\/null\n\+\+\+ b\/clusters\/a\/web-a\/deleted.yaml\n\+apiVersion: radial.dev\/v1alpha1\n/);

  // One of four is 25%: allowed. The folder is replaced by deleted.yaml carrying the finalizers.
  const removal = await f.run({ clusters: aAway });
  assert.equal(removal.blocked, undefined);
  assert.deepEqual(byName(removal, "a").removed, ["web-a"]);
  assert.ok(byName(removal, "a").commit);
  const files = await f.files("a");
  assert.deepEqual(Object.keys(files), ["clusters/a/web-a/deleted.yaml"]);
  const tombstone = ApplicationDeletion.parse(parse(files["clusters/a/web-a/deleted.yaml"]!));
  assert.equal(tombstone.metadata.name, "web-a");
  assert.deepEqual(tombstone.metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
  const annotations = tombstone.metadata.annotations as Record<string, string>;
  assert.equal(annotations[SOURCE_REVISION_ANNOTATION], removal.sourceRevision);
  assert.equal(annotations[GENERATED_FROM_ANNOTATION], "generators/web.yaml#web");
  assert.match(await f.message("a"), /removed: 1/);

  // The next run removes nothing more and keeps the tombstone without a commit.
  const heads = await f.heads();
  const again = await f.run({ clusters: aAway });
  assert.deepEqual(byName(again, "a").removed, []);
  assert.equal(byName(again, "a").commit, null);
  assert.deepEqual(await f.heads(), heads);

  // The guard counts Applications, not tombstones: removing b now is one of three, over 25%.
  const bAway = [cluster("a", "dev"), cluster("b", "dev"), ...prod.slice(2)];
  const blocked = await f.run({ clusters: bAway });
  assert.equal(blocked.blocked?.removed, 1);
  assert.equal(blocked.blocked.current, 3);

  // The app comes back: its folder replaces the tombstone, exactly as before.
  const back = await f.run({ clusters: prod });
  assert.deepEqual(byName(back, "a").added, ["web-a"]);
  assert.deepEqual(await f.files("a"), before);
});

test("one source at one commit is hydrated once for every cluster and every later run; a hand-edited branch is still put back", async (t) => {
  const f = await setup(t, baseSeed);
  const real = await kustomize();
  let builds = 0;
  const counting: KustomizeRunner = { build: (dir) => (builds++, real.build(dir)) };
  const caches = new GenerationCaches();
  const run = (clusters: InventoryCluster[]) =>
    runGeneration(
      { clusters, dryRun: false, force: false },
      { fleet: f.fleet, sourceBranch: "main", deploy: f.fleet, kustomize: counting, clock, author, caches },
    );
  const clusters = ["a", "b", "c", "d"].map((name) => cluster(name, "prod"));

  const first = await run(clusters);
  assert.deepEqual(first.errors, []);
  assert.equal(first.clusters.filter((c) => c.commit).length, 4);
  assert.equal(builds, 1, "four clusters, one kustomize build");
  assert.equal((await run(clusters)).clusters.filter((c) => c.commit).length, 0);
  assert.equal(builds, 1, "an unchanged run builds nothing");

  // Someone edits b's branch by hand: the next run notices the moved head and restores the folder.
  const expected = await f.files("b");
  const other = new GitRepository({ url: f.url, dir: join(await scratchDir(t), "other") });
  await other.writeBranches(
    [
      {
        branch: "radial/clusters/b",
        files: { ...expected, "clusters/b/web-b/manifests.yaml": "edited: true\n", "clusters/b/stray.yaml": "x: 1\n" },
        message: "hand edit",
      },
    ],
    { author, now: clock() },
  );
  const restored = await run(clusters);
  assert.deepEqual(byName(restored, "b").changed, ["web-b"]);
  assert.ok(byName(restored, "b").commit);
  assert.deepEqual(await f.files("b"), expected);
  assert.equal(restored.clusters.filter((c) => c.commit).length, 1);

  // A new source commit is hydrated once more, for all clusters at once.
  await f.push({ ...baseSeed(f.url), "apps/web/deployment.yaml": deployment(7) });
  const changed = await run(clusters);
  assert.equal(changed.clusters.filter((c) => c.commit).length, 4);
  assert.equal(builds, 2);
});

/** A generation run in a new hub process (new store, no in-memory state), as a cold Lambda container runs it. */
async function runInFreshProcess(input: {
  url: string;
  store: string;
  clusters: InventoryCluster[];
}): Promise<{ commits: number; errors: unknown[]; requests: number }> {
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  const code = `
    const { GitRepository } = await import(${module("../../lambdas/adapters/git/repository.ts")});
    const { KustomizeBinary } = await import(${module("../../lambdas/adapters/kustomize/binary.ts")});
    const { runGeneration } = await import(${module("../../lambdas/generate/pipeline/run.ts")});
    const { GenerationCaches } = await import(${module("../../lambdas/generate/caches.ts")});
    const input = JSON.parse(process.env.RADIAL_FRESH_RUN);
    const hub = new GitRepository({ url: input.url, dir: input.store });
    const deps = { fleet: hub, deploy: hub, sourceBranch: "main", kustomize: KustomizeBinary(input.kustomize), clock: () => new Date(input.now), author: input.author, caches: new GenerationCaches() };
    const result = await runGeneration({ clusters: input.clusters, dryRun: false, force: false }, deps);
    process.stdout.write(JSON.stringify({ commits: result.clusters.filter((c) => c.commit).length, errors: result.errors, requests: hub.stats.requests }));
  `;
  const env = { ...process.env, RADIAL_FRESH_RUN: JSON.stringify({ ...input, kustomize: await installKustomize(), now: clock().toISOString(), author }) };
  // Imported here so that this test is appended whole to the file.
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env });
  return JSON.parse(stdout) as { commits: number; errors: unknown[]; requests: number };
}

test("a fresh process over an unchanged fleet reads every deploy head in a few requests and commits nothing", async (t) => {
  const f = await setup(t, baseSeed);
  const clusters = Array.from({ length: 12 }, (_, i) => cluster(`c${i}`, "prod"));
  const first = await f.run({ clusters });
  assert.equal(first.clusters.filter((c) => c.commit).length, 12);
  const heads = await f.heads();

  const fresh = await runInFreshProcess({ url: f.url, store: join(await scratchDir(t), "fresh"), clusters });
  assert.deepEqual(fresh.errors, []);
  assert.equal(fresh.commits, 0);
  assert.deepEqual(await f.heads(), heads, "no branch moved");
  // The source branch, the deploy heads' listing, and all twelve heads fetched in one request.
  assert.ok(fresh.requests < clusters.length, `${fresh.requests} requests`);
  t.diagnostic(`fresh process: ${fresh.requests} requests for ${clusters.length} deploy heads`);
});
