// spec.syncPolicy in what the hub writes, against a real git smart-HTTP server: applicationsSync
// decides which of create, update and delete a run performs on each cluster's branch for the set,
// and preserveResourcesOnDeletion what a tombstone asks of the agent (Argo CD's
// Controlling-Resource-Modification.md and Application-Deletion.md).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { parse } from "yaml";
import { ApplicationDeletion } from "../../contract/deploy-branch.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { KustomizeBinary } from "../../lambdas/adapters/kustomize/binary.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import type { InventoryCluster } from "../../lambdas/generate/params.js";
import { runGeneration, type GenerationResult } from "../../lambdas/generate/pipeline/run.js";
import { startGitServer } from "../engines/git-server.js";
import { scratchDir } from "../scratch.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const clock = () => new Date("2026-01-02T03:04:05Z");

/** A cluster-generator set over `env: prod`, with the given syncPolicy and an extra template label. */
const webSet = (url: string, syncPolicy: string, label: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: web }
spec:
${syncPolicy ? `  syncPolicy: ${syncPolicy}\n` : ""}  generators:
    - clusters: { selector: { matchLabels: { env: prod } } }
  template:
    metadata:
      name: 'web-{{name}}'
      labels: { revision: '${label}' }
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/web }
      destination: { name: '{{name}}', namespace: web }
`;

const fleetFiles = (url: string, syncPolicy: string, label: string, color = "blue") => ({
  "generators/web.yaml": webSet(url, syncPolicy, label),
  "apps/web/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: ${color}\n`,
});

const cluster = (name: string, env: string): InventoryCluster => ({ name, server: `https://${name}.example.com`, labels: { env }, annotations: {} });
const prod = ["a", "b", "c", "d"].map((name) => cluster(name, "prod"));

interface Fleet {
  url: string;
  push(files: Record<string, string>): Promise<void>;
  run(clusters: InventoryCluster[], force?: boolean): Promise<GenerationResult>;
  /** Every file of a cluster's deploy branch. */
  files(name: string): Promise<Record<string, string>>;
}

async function setup(t: TestContext, syncPolicy: string): Promise<Fleet> {
  const server = await startGitServer();
  t.after(() => server.stop());
  const dir = await scratchDir(t);
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: fleetFiles(url, syncPolicy, "one") });
  const hub = new GitRepository({ url, dir: join(dir, "hub") });
  const reader = new GitRepository({ url, dir: join(dir, "reader") });
  const caches = new GenerationCaches();
  // Plain YAML sources: kustomize is never run.
  const kustomize = KustomizeBinary("kustomize-is-not-needed");
  return {
    url,
    async push(files) {
      await hub.writeBranches([{ branch: "main", files, message: "update fleet" }], { author, now: clock() });
    },
    run: (clusters, force = false) =>
      runGeneration({ clusters, dryRun: false, force }, { fleet: hub, sourceBranch: "main", deploy: hub, kustomize, clock, author, caches }),
    async files(name) {
      const commit = await reader.fetch(`radial/clusters/${name}`);
      const out: Record<string, string> = {};
      for (const path of await reader.listFiles(url, commit)) out[path] = new TextDecoder().decode(await reader.readFile(url, commit, path));
      return out;
    },
  };
}

const byName = (result: GenerationResult, name: string) => result.clusters.find((c) => c.name === name)!;

test("create-only: a template change rewrites no Application folder written before; new clusters get the new template; nothing is removed", async (t) => {
  const f = await setup(t, "{ applicationsSync: create-only }");
  assert.deepEqual((await f.run(prod.slice(0, 2))).errors, []);
  const before = await f.files("a");
  assert.match(before["clusters/a/web-a/application.yaml"]!, /revision: one/);

  await f.push(fleetFiles(f.url, "{ applicationsSync: create-only }", "two"));
  const changed = await f.run(prod.slice(0, 3));
  assert.deepEqual(changed.errors, []);
  assert.deepEqual(byName(changed, "a"), { name: "a", commit: null, added: [], changed: [], removed: [] });
  assert.deepEqual(await f.files("a"), before, "the folder is exactly as written before");
  assert.match((await f.files("c"))["clusters/c/web-c/application.yaml"]!, /revision: two/);

  // Its sources still reach the cluster, as Argo CD keeps syncing an Application it does not update.
  await f.push(fleetFiles(f.url, "{ applicationsSync: create-only }", "three", "green"));
  const source = await f.run(prod.slice(0, 3));
  assert.deepEqual(byName(source, "a").changed, ["web-a"]);
  const after = await f.files("a");
  assert.equal(after["clusters/a/web-a/application.yaml"], before["clusters/a/web-a/application.yaml"]);
  assert.match(after["clusters/a/web-a/manifests.yaml"]!, /color: green/);

  // Every cluster leaves the set: no removal, no tombstone, so the removal guard has nothing to block.
  const left = await f.run(prod.slice(0, 3).map((c) => cluster(c.name, "dev")));
  assert.equal(left.blocked, undefined);
  assert.deepEqual(
    left.clusters.map((c) => c.removed),
    [[], [], []],
  );
  assert.deepEqual(await f.files("a"), after);
});

test("create-update rewrites changed Applications and removes none; create-delete removes but rewrites none", async (t) => {
  const f = await setup(t, "{ applicationsSync: create-update }");
  assert.deepEqual((await f.run(prod)).errors, []);
  await f.push(fleetFiles(f.url, "{ applicationsSync: create-update }", "two"));
  const updated = await f.run([cluster("a", "dev"), ...prod.slice(1)]);
  assert.deepEqual(updated.errors, []);
  assert.deepEqual(byName(updated, "a").removed, []);
  assert.deepEqual(byName(updated, "b").changed, ["web-b"]);
  assert.match((await f.files("a"))["clusters/a/web-a/application.yaml"]!, /revision: one/, "kept as it was");

  await f.push(fleetFiles(f.url, "{ applicationsSync: create-delete }", "three"));
  const deleted = await f.run([cluster("a", "dev"), ...prod.slice(1)]);
  assert.deepEqual(deleted.errors, []);
  assert.deepEqual(byName(deleted, "a").removed, ["web-a"]);
  assert.deepEqual(Object.keys(await f.files("a")), ["clusters/a/web-a/deleted.yaml"]);
  assert.deepEqual(byName(deleted, "b").changed, []);
  assert.match((await f.files("b"))["clusters/b/web-b/application.yaml"]!, /revision: two/, "not rewritten");
});

test("preserveResourcesOnDeletion: the tombstone carries no resources finalizer, even for a folder written before the set preserved; false keeps Argo CD's default", async (t) => {
  const f = await setup(t, "");
  assert.deepEqual((await f.run(prod)).errors, []);
  assert.match((await f.files("a"))["clusters/a/web-a/application.yaml"]!, /finalizers:\n\s+- resources-finalizer\.argocd\.argoproj\.io/);

  const tombstone = async (name: string) => ApplicationDeletion.parse(parse((await f.files(name))[`clusters/${name}/web-${name}/deleted.yaml`]!));
  await f.push(fleetFiles(f.url, "{ preserveResourcesOnDeletion: true }", "one"));
  const preserved = await f.run([cluster("a", "dev"), ...prod.slice(1)]);
  assert.deepEqual(byName(preserved, "a").removed, ["web-a"]);
  assert.equal((await tombstone("a")).metadata.finalizers, undefined);
  assert.doesNotMatch((await f.files("b"))["clusters/b/web-b/application.yaml"]!, /finalizers/, "rewritten without it");

  await f.push(fleetFiles(f.url, "{ preserveResourcesOnDeletion: false }", "one"));
  assert.deepEqual((await f.run(prod.slice(1))).errors, []);
  // One of the three left is over the guard's quarter: forced.
  const removed = await f.run([cluster("b", "dev"), ...prod.slice(2)], true);
  assert.deepEqual(byName(removed, "b").removed, ["web-b"]);
  assert.deepEqual((await tombstone("b")).metadata.finalizers, ["resources-finalizer.argocd.argoproj.io"]);
});

test("a deleted set removes its folders whatever its policy; a set that preserved resources leaves tombstones without the resources finalizer", async (t) => {
  const f = await setup(t, "{ preserveResourcesOnDeletion: true, applicationsSync: create-only }");
  assert.deepEqual((await f.run(prod)).errors, []);
  const { ["generators/web.yaml"]: _set, ...withoutSet } = fleetFiles(f.url, "", "one");
  await f.push(withoutSet);
  // Every Application goes: over the guard's quarter, so forced.
  const gone = await f.run(prod, true);
  assert.deepEqual(
    gone.clusters.map((c) => c.removed),
    [["web-a"], ["web-b"], ["web-c"], ["web-d"]],
  );
  const tombstone = ApplicationDeletion.parse(parse((await f.files("a"))["clusters/a/web-a/deleted.yaml"]!));
  assert.equal(tombstone.metadata.finalizers, undefined);
});
