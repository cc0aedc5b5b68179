// A cluster generator's outcomes kept between runs: a run visits only the clusters changed since
// the last, and whatever the inventory went through, the result is the one a fresh evaluation gives.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseApplicationSet } from "../../lambdas/generate/application-set.js";
import { clusterOutcomes, InventoryHistory, type ClusterGroup } from "../../lambdas/generate/cluster-outcomes.js";
import { evaluateApplicationSet, evaluationCaches } from "../../lambdas/generate/evaluate.js";
import { inventoryView, type ClusterView } from "../../lambdas/generate/inventory-view.js";
import { LruMap } from "../../lambdas/generate/lru.js";
import type { InventoryCluster } from "../../lambdas/generate/params.js";
import { memoryRepo, REPO, revision } from "./generators/memory-repo.js";

const cluster = (name: string, env: string, server = `https://${name}.example.com`): InventoryCluster => ({ name, server, labels: { env }, annotations: {} });

describe("clusterOutcomes", () => {
  const fleet = Array.from({ length: 200 }, (_, i) => cluster(`c${String(i).padStart(3, "0")}`, i % 3 === 0 ? "prod" : "dev"));

  function outcomes() {
    const cache = new LruMap<string, ClusterGroup<string>>(10);
    const history = new InventoryHistory();
    const visited: string[] = [];
    const run = (clusters: InventoryCluster[], groupKey = "set") =>
      clusterOutcomes({
        cache,
        groupKey,
        inventory: inventoryView(clusters),
        history,
        outcome: (view: ClusterView) => {
          visited.push(view.cluster.name);
          return view.cluster.labels.env === "prod" ? `app-${view.cluster.name}` : "";
        },
        picks: (outcome) => outcome !== "",
      }).map((one) => one.outcome);
    return { run, visited };
  }

  it("visits every cluster once, then only those new or changed; the result stays in name order", () => {
    const { run, visited } = outcomes();
    assert.equal(run(fleet).length, 67);
    assert.equal(visited.length, 200);

    visited.length = 0;
    const relabeled = fleet.map((c) => (c.name === "c001" ? { ...c, labels: { env: "prod" } } : c));
    const second = run(relabeled);
    assert.deepEqual(visited, ["c001"], "one relabel, one cluster visited");
    assert.deepEqual(second.slice(0, 3), ["app-c000", "app-c001", "app-c003"]);

    visited.length = 0;
    const third = run([...relabeled.filter((c) => c.name !== "c003"), cluster("c999", "prod"), cluster("a000", "prod")]);
    assert.deepEqual(visited.sort(), ["a000", "c999"], "a removed cluster costs no visit; added ones one each");
    assert.deepEqual(third.slice(0, 3), ["app-a000", "app-c000", "app-c001"]);
    assert.equal(third.at(-1), "app-c999");
    assert.ok(!third.includes("app-c003"));
  });

  it("a set that missed a run visits every cluster again, rendering only the views it has not seen", () => {
    const { run, visited } = outcomes();
    run(fleet, "a");
    run(fleet, "b");
    const relabeled = fleet.map((c) => (c.name === "c002" ? { ...c, labels: { env: "prod" } } : c));
    run(relabeled, "b");
    visited.length = 0;
    // "a" last saw an inventory two runs back: it cannot trust the last run's changes alone.
    const result = run(
      relabeled.map((c) => (c.name === "c004" ? { ...c, labels: { env: "prod" } } : c)),
      "a",
    );
    assert.deepEqual(visited.sort(), ["c002", "c004"]);
    assert.ok(result.includes("app-c002") && result.includes("app-c004"));
  });

  it("the same inventory evaluated twice is not visited twice", () => {
    const visited: string[] = [];
    const cache = new LruMap<string, ClusterGroup<string>>(10);
    const history = new InventoryHistory();
    const inventory = inventoryView(fleet);
    const input = { cache, groupKey: "set", inventory, history, outcome: (view: ClusterView) => (visited.push(view.key), "x"), picks: () => true };
    clusterOutcomes(input);
    clusterOutcomes(input);
    assert.equal(visited.length, 200);
  });
});

describe("evaluation across inventory changes", () => {
  const sets = [
    { name: "prod", selector: { matchLabels: { env: "prod" } } },
    { name: "not-dev", selector: { matchExpressions: [{ key: "env", operator: "NotIn", values: ["dev"] }] } },
    { name: "everyone", selector: {} },
  ].map(({ name, selector }) =>
    parseApplicationSet({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "ApplicationSet",
      metadata: { name },
      spec: {
        generators: [{ clusters: { selector } }],
        template: {
          // `{{metadata.labels.size}}` fails the Application (not a DNS name) on clusters labelled size=Huge.
          metadata: { name: `${name}-{{name}}-{{metadata.labels.size}}` },
          spec: { project: "default", source: { repoURL: REPO, path: `apps/${name}` }, destination: { server: "{{server}}", namespace: name } },
        },
      },
    }),
  );

  /** A seeded sequence of edits: relabels, additions, removals, renames, server moves. */
  function* inventories(): Generator<InventoryCluster[]> {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const envs = ["prod", "dev", "staging"];
    const sizes = ["s", "m", "Huge"];
    let clusters: InventoryCluster[] = Array.from({ length: 40 }, (_, i) => ({ ...cluster(`k${i}`, envs[i % 3]!), labels: { env: envs[i % 3]!, size: "s" } }));
    for (let step = 0; step < 60; step++) {
      const i = random(clusters.length);
      const edits: (() => InventoryCluster[])[] = [
        () => clusters.map((c, j) => (j === i ? { ...c, labels: { ...c.labels, env: envs[random(3)]! } } : c)),
        () => clusters.map((c, j) => (j === i ? { ...c, labels: { ...c.labels, size: sizes[random(3)]! } } : c)),
        () => [...clusters, { ...cluster(`n${step}`, envs[random(3)]!), labels: { env: envs[random(3)]!, size: "m" } }],
        () => clusters.filter((_, j) => j !== i),
        () => clusters.map((c, j) => (j === i ? { ...c, name: `r${step}` } : c)),
        () => clusters.map((c, j) => (j === i ? { ...c, server: clusters[(i + 1) % clusters.length]!.server } : c)),
        () => clusters,
      ];
      clusters = edits[random(edits.length)]!();
      yield clusters;
    }
  }

  it("after every edit, the kept outcomes give exactly what a fresh evaluation gives", async () => {
    const kept = evaluationCaches();
    let steps = 0;
    for (const clusters of inventories()) {
      const inventory = inventoryView(clusters);
      for (const set of sets) {
        const warm = await evaluateApplicationSet(set, { inventory, repo: memoryRepo({}), revision, caches: kept });
        const cold = await evaluateApplicationSet(set, { inventory: inventoryView(clusters), repo: memoryRepo({}), revision, caches: evaluationCaches() });
        assert.deepEqual(warm, cold, `step ${steps}, set ${set.metadata.name}`);
      }
      steps += 1;
    }
    assert.equal(steps, 60);
  });
});
