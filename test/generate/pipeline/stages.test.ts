// Each stage of a generation run alone, from plain inputs: admit, evaluate, hydrate, plan, guard,
// build (the write stage, which needs a git server, is in write.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Application } from "../../../contract/application.js";
import { GenerationCaches } from "../../../lambdas/generate/caches.js";
import { evaluationCaches } from "../../../lambdas/generate/evaluate.js";
import { inventoryView } from "../../../lambdas/generate/inventory-view.js";
import type { InventoryCluster } from "../../../lambdas/generate/params.js";
import { admitClusters } from "../../../lambdas/generate/pipeline/admit.js";
import { buildBranchTree } from "../../../lambdas/generate/pipeline/build.js";
import { evaluateFleet, noCarryOver } from "../../../lambdas/generate/pipeline/evaluate.js";
import { guardRemovals } from "../../../lambdas/generate/pipeline/guard.js";
import { hydrateApplications, type HydratedApplication } from "../../../lambdas/generate/pipeline/hydrate.js";
import { inputDigest, planBranches, wantedFolders } from "../../../lambdas/generate/pipeline/plan.js";
import type { AppOnBranch, BranchState } from "../../../lambdas/generate/pipeline/state.js";
import type { KustomizeRunner, SourceRepository } from "../../../lambdas/ports.js";
import { memoryRepo, REPO, revision } from "../generators/memory-repo.js";

const REVISION = "c0ffee";
const noKustomize: KustomizeRunner = { build: () => Promise.reject(new Error("no kustomize in these tests")) };
const cluster = (name: string, env = "prod"): InventoryCluster => ({ name, server: `https://${name}.example.com`, labels: { env }, annotations: {} });

function fleetRepo(files: Record<string, string>): SourceRepository {
  return { url: REPO, fetch: () => Promise.resolve(REVISION), ...memoryRepo(files) };
}

const webSet = (name = "web", selector = "env: prod") => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: ${name}
spec:
  generators:
    - clusters:
        selector:
          matchLabels: {${selector}}
  template:
    metadata:
      name: '${name}-{{name}}'
    spec:
      source: {repoURL: ${REPO}, path: apps/web}
      destination: {name: '{{name}}'}
`;

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n";

function application(name: string, clusterName: string, path = "apps/web"): Application {
  return Application.parse({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name },
    spec: { source: { repoURL: REPO, path }, destination: { name: clusterName } },
  });
}

const folder = (tree: string, from: string | undefined): AppOnBranch => ({ tree, from, finalizers: [] });
const branch = (commit: string, apps: Record<string, AppOnBranch>, tombstones: Record<string, string> = {}): BranchState => ({
  commit,
  tree: `tree-${commit}`,
  apps: new Map(Object.entries(apps)),
  tombstones: new Map(Object.entries(tombstones)),
});

describe("admit", () => {
  it("keeps valid, distinct cluster names, the first of a name, and reports the rest", () => {
    const { clusters, errors } = admitClusters([cluster("a"), cluster("B_x"), cluster("a", "dev"), cluster("b")]);
    assert.deepEqual(
      clusters.map((c) => [c.name, c.labels.env]),
      [
        ["a", "prod"],
        ["b", "prod"],
      ],
    );
    assert.deepEqual(
      errors.map((e) => [e.file, e.cluster]),
      [
        ["(inventory)", "B_x"],
        ["(inventory)", "a"],
      ],
    );
  });
});

describe("evaluate", () => {
  const evaluate = (files: Record<string, string>, clusters = [cluster("a"), cluster("b", "dev")]) =>
    evaluateFleet({ repo: fleetRepo(files), sourceRevision: REVISION, revision, inventory: inventoryView(clusters), caches: evaluationCaches() });

  it("generates every file's Applications, with their origin, and carries nothing over when all is well", async () => {
    const out = await evaluate({ "generators/web.yaml": webSet(), "generators/notes.txt": "not a generator", "apps/web/cm.yaml": configMap });
    assert.deepEqual(
      out.generated.map((g) => [g.from, g.generated.cluster, g.generated.application.metadata.name]),
      [["generators/web.yaml#web", "a", "web-a"]],
    );
    assert.deepEqual(out.errors, []);
    assert.deepEqual(out.carry, noCarryOver());
  });

  it("reads the generator files of a revision once: a later run at the same revision reads none", async () => {
    const repo = fleetRepo({ "generators/web.yaml": webSet(), "generators/broken.yaml": "kind: [" });
    let reads = 0;
    const counting = { ...repo, readFile: (...args: Parameters<typeof repo.readFile>) => (reads++, repo.readFile(...args)) };
    const caches = evaluationCaches();
    const run = () => evaluateFleet({ repo: counting, sourceRevision: REVISION, revision, inventory: inventoryView([cluster("a")]), caches });
    const first = await run();
    assert.equal(reads, 2);
    const second = await run();
    assert.equal(reads, 2);
    assert.deepEqual(second, first, "the same Applications, errors and carry-over");
  });

  it("a file that does not parse keeps all it produced; a set named twice keeps the file's incomplete sets", async () => {
    const out = await evaluate({ "generators/broken.yaml": "kind: [", "generators/twice.yaml": `${webSet("x")}---\n${webSet("x")}` });
    assert.deepEqual(
      [...out.carry.hardFiles],
      [
        ["generators/broken.yaml", new Set()],
        ["generators/twice.yaml", new Set(["x"])],
      ],
    );
    assert.equal(out.errors.length, 2);
  });

  it("a failure naming no Application carries the whole set softly; one naming an Application, that folder", async () => {
    const failingGenerator = webSet("bad").replace("matchLabels: {env: prod}", "matchLabels: {'bad key!': x}");
    const unknownDestination = webSet("lost").replace("destination: {name: '{{name}}'}", "destination: {name: 'nowhere-{{name}}'}");
    const out = await evaluate({ "generators/bad.yaml": failingGenerator, "generators/lost.yaml": unknownDestination });
    assert.deepEqual([...out.carry.softOrigins], ["generators/bad.yaml#bad"]);
    assert.deepEqual([...out.carry.softApps], [["generators/lost.yaml#lost", new Set(["lost-a"])]]);
    assert.deepEqual([...out.carry.hardFiles.keys()], ["generators/bad.yaml"], "a failing generator also leaves its file incomplete");
  });
});

describe("hydrate", () => {
  const input = (caches: GenerationCaches) => ({
    fleet: fleetRepo({ "apps/web/cm.yaml": configMap }),
    sourceBranch: "main",
    sourceRevision: REVISION,
    kustomize: noKustomize,
    hydrations: caches.hydrations,
  });
  const job = (app: Application, clusterName: string) => ({
    generated: { application: app, cluster: clusterName, generator: "spec.generators[0]" },
    from: "generators/web.yaml#web",
  });

  it("hydrates each source once, keeps the order given, and reports a source it cannot read", async () => {
    const caches = new GenerationCaches();
    const elsewhere = Application.parse({
      ...application("other", "b"),
      spec: { ...application("other", "b").spec, source: { repoURL: "https://elsewhere.example.com/x.git", path: "x" } },
    });
    const out = await hydrateApplications([job(application("web-a", "a"), "a"), job(elsewhere, "b"), job(application("web-c", "c"), "c")], input(caches));
    assert.deepEqual(
      out.map((h) => [h.cluster, h.app, "error" in h ? h.error.field : "ok"]),
      [
        ["a", "web-a", "ok"],
        ["b", "other", "spec.source.repoURL"],
        ["c", "web-c", "ok"],
      ],
    );
    type Hydrated = Extract<HydratedApplication, { hydrated: unknown }>;
    const [a, , c] = out as Hydrated[];
    assert.equal(a!.hydrated, c!.hydrated, "one source, one hydration");
    assert.equal(caches.hydrations.usage.entries, 1);
    const again = await hydrateApplications([job(application("web-a", "a"), "a")], input(caches));
    assert.equal((again[0] as Hydrated).hydrated, a!.hydrated, "a later run finds it in the cache");
  });
});

describe("plan", () => {
  const hydrated = { objects: [], manifests: "", readsCapabilities: false };
  const fresh = (clusterName: string, app: string, from: string): HydratedApplication => ({
    cluster: clusterName,
    app,
    from,
    application: application(app, clusterName),
    hydrated,
  });
  const failed = (clusterName: string, app: string): HydratedApplication => ({
    cluster: clusterName,
    app,
    error: { file: "generators/db.yaml", cluster: clusterName, application: app, message: "hydration failed" },
  });

  it("fresh output replaces the branch; a failed Application keeps its folder; a removed one is counted", () => {
    const previous = new Map([
      [
        "a",
        branch("1", {
          "web-a": folder("t1", "generators/web.yaml#web"),
          "db-a": folder("t2", "generators/db.yaml#db"),
          "old-a": folder("t3", "generators/old.yaml#old"),
        }),
      ],
    ]);
    const { desired, errors } = wantedFolders({
      clusters: ["a"],
      previous,
      carry: noCarryOver(),
      hydrated: [fresh("a", "web-a", "generators/web.yaml#web"), failed("a", "db-a")],
    });
    const apps = desired.get("a")!;
    assert.deepEqual([...apps.keys()].sort(), ["db-a", "web-a"]);
    assert.ok("kept" in apps.get("db-a")!);
    assert.ok("fresh" in apps.get("web-a")!);
    assert.equal(errors.length, 1);

    const plan = planBranches({
      clusters: ["a"],
      previous,
      carry: noCarryOver(),
      hydrated: [fresh("a", "web-a", "generators/web.yaml#web"), failed("a", "db-a")],
      caches: new GenerationCaches(),
    });
    assert.deepEqual(plan.results, [{ name: "a", commit: null, added: [], changed: [], removed: ["old-a"] }]);
    assert.equal(plan.current, 3);
    assert.equal(plan.removed, 1);
    assert.equal(plan.work.length, 1);
  });

  it("a folder kept hard refuses fresh output; one kept softly yields to it; two sets may not generate one Application", () => {
    const previous = new Map([["a", branch("1", { "web-a": folder("t1", "generators/web.yaml#web"), "db-a": folder("t2", "generators/db.yaml#db") })]]);
    const carry = noCarryOver();
    carry.hardFiles.set("generators/web.yaml", new Set());
    carry.softOrigins.add("generators/db.yaml#db");
    const { desired, errors } = wantedFolders({
      clusters: ["a"],
      previous,
      carry,
      hydrated: [fresh("a", "web-a", "generators/other.yaml#x"), fresh("a", "db-a", "generators/db.yaml#db"), fresh("a", "db-a", "generators/more.yaml#y")],
    });
    const apps = desired.get("a")!;
    assert.deepEqual(apps.get("web-a"), { from: "generators/web.yaml#web", kept: previous.get("a")!.apps.get("web-a") });
    assert.equal((apps.get("db-a") as { from: string }).from, "generators/db.yaml#db", "the first fresh one");
    assert.ok("fresh" in apps.get("db-a")!);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        "clusters/a/web-a is kept from generators/web.yaml#web, which failed this run; not overwritten",
        "Application db-a on cluster a is also generated by generators/db.yaml#db; the first is kept",
      ],
    );
  });

  it("a cluster whose inputs digest as those of its head needs no work; a new cluster with nothing gets no branch", () => {
    const caches = new GenerationCaches();
    const hydratedApps = [fresh("a", "web-a", "generators/web.yaml#web")];
    const previous = new Map([["a", branch("1", { "web-a": folder("t1", "generators/web.yaml#web") })]]);
    const first = planBranches({ clusters: ["a", "b"], previous, carry: noCarryOver(), hydrated: hydratedApps, caches });
    assert.deepEqual(
      first.work.map((w) => w.result.name),
      ["a"],
    );
    caches.branches.remember(previous.get("a")!, first.work[0]!.digest);
    const second = planBranches({ clusters: ["a", "b"], previous, carry: noCarryOver(), hydrated: hydratedApps, caches });
    assert.deepEqual(second.work, []);
    assert.equal(inputDigest("a", first.work[0]!.apps, new GenerationCaches()), first.work[0]!.digest);
  });
});

describe("guard", () => {
  it("blocks a removal over the share unless forced, and never a run that removes nothing", () => {
    assert.equal(guardRemovals({ removed: 1, current: 4, maxRemovalShare: 0.25, force: false }), undefined, "exactly the share is allowed");
    const blocked = guardRemovals({ removed: 2, current: 4, maxRemovalShare: 0.25, force: false });
    assert.equal(blocked?.share, 0.5);
    assert.match(blocked.message, /would remove 2 of 4 Applications .*50\.0%.*25\.0%/);
    assert.equal(guardRemovals({ removed: 2, current: 4, maxRemovalShare: 0.25, force: true }), undefined);
    assert.equal(guardRemovals({ removed: 0, current: 0, maxRemovalShare: 0, force: false }), undefined);
  });
});

describe("build", () => {
  it("writes new and changed folders, refers to unchanged ones and tombstones by tree id, and tombstones a removed Application", () => {
    const caches = new GenerationCaches();
    const from = "generators/web.yaml#web";
    const [oldTree, goneTree] = ["1".repeat(40), "2".repeat(40)];
    const wanted = { from, fresh: { application: application("web-a", "a"), hydrated: { objects: [], manifests: configMap, readsCapabilities: false } } };
    const work = {
      result: { name: "a", commit: null, added: ["web-a"], changed: [], removed: ["old-a"] },
      apps: new Map([["web-a", wanted]]),
      before: branch("1", { "old-a": folder(oldTree, from) }, { "gone-a": goneTree }),
      digest: "d",
    };
    const tree = buildBranchTree(work, "f".repeat(40), caches);
    assert.deepEqual(Object.keys(tree.files).sort(), ["clusters/a/old-a/deleted.yaml", "clusters/a/web-a/application.yaml", "clusters/a/web-a/manifests.yaml"]);
    assert.deepEqual(tree.kept, { "clusters/a/gone-a": goneTree });
    assert.deepEqual([...tree.state.tombstones.keys()].sort(), ["gone-a", "old-a"]);
    assert.match(tree.files["clusters/a/web-a/application.yaml"] as string, /radial\.dev\/generated-from: generators\/web\.yaml#web/);

    // The same folder on the branch: referred to by its tree id, not written again.
    const unchanged = { ...work, result: { ...work.result, added: [], removed: [] }, before: branch("2", { "web-a": tree.state.apps.get("web-a")! }) };
    const again = buildBranchTree(unchanged, "f".repeat(40), caches);
    assert.deepEqual(again.files, {});
    assert.deepEqual(again.kept, { "clusters/a/web-a": tree.state.apps.get("web-a")!.tree });
    assert.deepEqual(unchanged.result.changed, []);
  });
});
