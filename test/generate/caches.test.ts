// The caches generation keeps between runs hold their bounds, and evaluation and hydration stay
// correct after an eviction.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseApplicationSet } from "../../lambdas/generate/application-set.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import { evaluateApplicationSet, evaluationCaches, type EvaluationCaches } from "../../lambdas/generate/evaluate.js";
import { HydrationCache } from "../../lambdas/generate/hydrate/cache.js";
import { inventoryView } from "../../lambdas/generate/inventory-view.js";
import { LruMap } from "../../lambdas/generate/lru.js";
import type { InventoryCluster } from "../../lambdas/generate/params.js";
import { BranchStates, type BranchState } from "../../lambdas/generate/pipeline/state.js";
import { Application } from "../../contract/application.js";
import type { KustomizeRunner } from "../../lambdas/ports.js";
import { memoryRepo, REPO, revision } from "./generators/memory-repo.js";

const noKustomize: KustomizeRunner = { build: () => Promise.reject(new Error("no kustomize in these tests")) };

describe("LruMap", () => {
  it("keeps at most maxEntries, dropping the least recently used", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    assert.equal(map.get("a"), 1, "a is now the most recently used");
    map.set("c", 3);
    assert.deepEqual([...map.keys()], ["a", "c"]);
    assert.equal(map.get("b"), undefined);
  });

  it("keeps at most maxSize units in all, and never an entry larger than the bound on its own", () => {
    const map = new LruMap<string, string>(100, { sizeOf: (value) => value.length, maxSize: 10 });
    map.set("a", "xxxx");
    map.set("b", "yyyy");
    map.set("c", "zzzz");
    assert.deepEqual([...map.keys()], ["b", "c"]);
    assert.equal(map.totalSize, 8);
    map.set("huge", "x".repeat(11));
    assert.equal(map.has("huge"), false);
    assert.equal(map.totalSize, 8);
  });

  it("re-reads a size that grew and applies the bound", () => {
    const value = { size: 1 };
    const map = new LruMap<string, { size: number }>(100, { sizeOf: (v) => v.size, maxSize: 10 });
    map.set("grows", value);
    map.set("other", { size: 5 });
    value.size = 8;
    map.resize("grows");
    assert.deepEqual([...map.keys()], ["grows"], "the other entry, now least recently used, made room");
    assert.equal(map.totalSize, 8);
  });
});

const cluster = (name: string, env: string): InventoryCluster => ({ name, server: `https://${name}.example.com`, labels: { env }, annotations: {} });

const set = (name: string) =>
  parseApplicationSet({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name },
    spec: {
      generators: [{ clusters: { selector: { matchLabels: { env: "prod" } } } }],
      template: {
        metadata: { name: `${name}-{{name}}`, labels: { env: "{{metadata.labels.env}}" } },
        spec: { project: "default", source: { repoURL: REPO, path: `apps/${name}` }, destination: { name: "{{name}}", namespace: name } },
      },
    },
  });

async function evaluate(name: string, clusters: InventoryCluster[], caches: EvaluationCaches) {
  const evaluation = await evaluateApplicationSet(set(name), { inventory: inventoryView(clusters), repo: memoryRepo({}), revision, caches });
  assert.deepEqual(evaluation.problems, []);
  return evaluation.applications;
}

function groupSizes(caches: EvaluationCaches): number[] {
  return [...caches.perCluster.keys()].map((key) => caches.perCluster.get(key)!.entries.size);
}

describe("evaluation caches", () => {
  const fleet = Array.from({ length: 6 }, (_, i) => cluster(`c${i}`, i % 2 === 0 ? "prod" : "dev"));

  it("a relabel renders only that cluster again: the others' Applications are the very objects of the last run", async () => {
    const caches = evaluationCaches();
    const first = await evaluate("web", fleet, caches);
    assert.deepEqual(
      first.map((a) => a.application.metadata.name),
      ["web-c0", "web-c2", "web-c4"],
    );
    const relabeled = fleet.map((c) => (c.name === "c2" ? { ...c, labels: { env: "prod", tier: "web" } } : { ...c }));
    const second = await evaluate("web", relabeled, caches);
    assert.equal(second[0]!.application, first[0]!.application, "c0 unchanged: the cached Application");
    assert.equal(second[2]!.application, first[2]!.application, "c4 unchanged: the cached Application");
    assert.notEqual(second[1]!.application, first[1]!.application, "c2 relabeled: rendered again");
    assert.deepEqual(second[1]!.application, first[1]!.application, "with the same content, as its labels do not reach the template");
  });

  it("entries of clusters gone or relabeled leave their group", async () => {
    const caches = evaluationCaches();
    await evaluate("web", fleet, caches);
    assert.deepEqual(groupSizes(caches), [6]);
    await evaluate("web", fleet.slice(0, 5), caches);
    assert.deepEqual(groupSizes(caches), [5], "the entry of the cluster gone is dropped");
  });

  it("holds at most maxClusterOutcomes (set, cluster) outcomes, and evaluates the same after an eviction", async () => {
    const caches = evaluationCaches({ maxClusterOutcomes: 8 });
    const web = await evaluate("web", fleet, caches);
    const api = await evaluate("api", fleet, caches);
    assert.deepEqual(groupSizes(caches), [6], "two groups of six are over the bound: the older went");
    assert.ok(caches.perCluster.totalSize <= 8);
    const webAgain = await evaluate("web", fleet, caches);
    assert.deepEqual(webAgain, web, "rendered again, the same Applications");
    assert.notEqual(webAgain[0]!.application, web[0]!.application, "not from the cache");
    assert.deepEqual(await evaluate("api", fleet, caches), api);
    assert.ok(caches.perCluster.totalSize <= 8);
  });

  it("holds at most maxRenders rendered Applications for other generators", async () => {
    const caches = evaluationCaches({ maxRenders: 3 });
    const list = (n: number) =>
      parseApplicationSet({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ApplicationSet",
        metadata: { name: `list-${n}` },
        spec: {
          generators: [{ list: { elements: Array.from({ length: n }, (_, i) => ({ cluster: "c0", app: `a${i}` })) } }],
          template: { metadata: { name: "{{app}}" }, spec: { source: { repoURL: REPO, path: "apps/{{app}}" }, destination: { name: "{{cluster}}" } } },
        },
      });
    const context = { inventory: inventoryView(fleet), repo: memoryRepo({}), revision, caches };
    const kept = () => caches.renders.totalSize;
    const two = await evaluateApplicationSet(list(2), context);
    assert.equal(kept(), 2);
    const four = await evaluateApplicationSet(list(4), context);
    assert.equal(four.applications.length, 4);
    assert.ok(kept() <= 3, `${kept()} renders kept`);
    assert.deepEqual((await evaluateApplicationSet(list(2), context)).applications, two.applications);
  });
});

describe("hydration cache", () => {
  const files = Object.fromEntries(
    Array.from({ length: 4 }, (_, i) => [
      `apps/a${i}/cm.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a${i}\ndata:\n  value: "${"x".repeat(40)}"\n`,
    ]),
  );
  const application = (i: number) =>
    Application.parse({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: `a${i}` },
      spec: { source: { repoURL: REPO, path: `apps/a${i}` }, destination: { name: "c0" } },
    });

  it("holds at most maxEntries hydrations and maxChars of manifests; an evicted source hydrates again, the same", async () => {
    const cache = new HydrationCache({ maxEntries: 3, maxChars: 10_000 });
    const deps = { repo: memoryRepo(files), revision: "c0ffee", kustomize: noKustomize };
    const first = await cache.hydrate(application(0), deps);
    for (const i of [1, 2, 3]) await cache.hydrate(application(i), deps);
    assert.equal(cache.usage.entries, 3);
    assert.equal(cache.settled(application(0), "c0ffee"), undefined, "the least recently used went");
    assert.ok(cache.settled(application(3), "c0ffee"));
    const again = await cache.hydrate(application(0), deps);
    assert.notEqual(again, first);
    assert.deepEqual(again, first);

    const small = new HydrationCache({ maxChars: first.manifests.length * 2 });
    for (const i of [0, 1, 2, 3]) await small.hydrate(application(i), deps);
    assert.equal(small.usage.entries, 2);
    assert.ok(small.usage.chars <= first.manifests.length * 2);
  });
});

describe("branch states", () => {
  it("keep at most maxStates heads, each with the digest of its inputs", () => {
    const states = new BranchStates({ maxStates: 2 });
    const state = (commit: string): BranchState => ({ commit, tree: `t${commit}`, apps: new Map(), tombstones: new Map() });
    states.remember(state("a"), "digest-a");
    states.remember(state("b"));
    states.remember(state("c"), "digest-c");
    assert.equal(states.size, 2);
    assert.equal(states.get("a"), undefined);
    assert.equal(states.inputDigestOf("c"), "digest-c");
    assert.equal(states.inputDigestOf("b"), undefined);
  });
});

describe("GenerationCaches", () => {
  it("passes its bounds to every part", () => {
    const caches = new GenerationCaches({ maxClusterOutcomes: 7, maxRenders: 5, maxEntries: 4, maxChars: 100, maxStates: 3 });
    for (const commit of ["a", "b", "c", "d"]) caches.branches.remember({ commit, tree: "t", apps: new Map(), tombstones: new Map() });
    assert.equal(caches.branches.size, 3);
  });
});
