// The hydration cache and cluster capabilities, with the real helm: a source that renders no chart
// stays shared by every cluster (capabilities never looked up), a chart is rendered once per set of
// capabilities (clusters that report the same share it), and helm's defaults are a set of their own.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Application } from "../../contract/application.js";
import { HelmBinary } from "../../lambdas/adapters/helm/binary.js";
import { HydrationCache } from "../../lambdas/generate/hydrate/cache.js";
import type { ClusterCapabilities, HydrateDeps } from "../../lambdas/generate/hydrate/index.js";
import type { HelmRunner } from "../../lambdas/ports.js";
import { installHelm } from "../engines/helm.js";
import { memoryRepo, REPO } from "../generate/generators/memory-repo.js";
import { scratchDir } from "../scratch.js";

const CHART = join(import.meta.dirname, "capabilities-chart");

const app = (name: string, path: string) =>
  Application.parse({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name },
    spec: { source: { repoURL: REPO, path }, destination: { name: "in-cluster", namespace: "monitoring" } },
  });

test("only charts are hydrated per set of capabilities, and only they look capabilities up", { timeout: 10 * 60_000 }, async (t) => {
  const files: Record<string, string> = { "apps/plain/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n" };
  for (const entry of await readdir(CHART, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files[`apps/chart/${join(entry.parentPath, entry.name).slice(CHART.length + 1)}`] = await readFile(join(entry.parentPath, entry.name), "utf8");
  }
  const real = HelmBinary(await installHelm(), { chartCache: join(await scratchDir(t), "charts") });
  let templates = 0;
  const helm: HelmRunner = { ...real, template: (request) => (templates++, real.template(request)) };
  const cache = new HydrationCache();
  const lookups: string[] = [];
  const monitored: ClusterCapabilities = { kubeVersion: "v1.36.3", apiVersions: ["v1", "monitoring.coreos.com/v1"] };
  const plainCluster: ClusterCapabilities = { kubeVersion: "v1.31.2", apiVersions: ["v1"] };
  const reported: Record<string, ClusterCapabilities | undefined> = { a: monitored, b: plainCluster, c: undefined, d: { ...monitored } };
  const deps = (cluster: string): HydrateDeps => ({
    repo: memoryRepo(files),
    revision: "c0ffee",
    kustomize: { build: () => Promise.reject(new Error("no kustomize here")) },
    helm,
    capabilities: () => (lookups.push(cluster), Promise.resolve(reported[cluster])),
  });

  const plain = app("plain", "apps/plain");
  const shared = await cache.hydrate(plain, deps("a"));
  assert.equal(shared.readsCapabilities, false);
  for (const cluster of ["b", "c", "d"]) assert.equal(await cache.hydrate(plain, deps(cluster)), shared, `cluster ${cluster} shares it`);
  assert.deepEqual(lookups, [], "a source without a chart never looks capabilities up");
  assert.equal(cache.settled(plain, "c0ffee"), shared, "and is found without waiting");

  const chart = app("chart", "apps/chart");
  const rendered = new Map<string, string>();
  for (const cluster of ["a", "b", "c", "d", "a"]) {
    const hydrated = await cache.hydrate(chart, deps(cluster));
    assert.equal(hydrated.readsCapabilities, true);
    rendered.set(cluster, hydrated.manifests);
  }
  assert.equal(templates, 3, "one helm template per set of capabilities: a and d report the same");
  assert.match(rendered.get("a")!, /kind: ServiceMonitor/);
  assert.equal(rendered.get("d"), rendered.get("a"));
  assert.doesNotMatch(rendered.get("b")!, /kind: ServiceMonitor/);
  assert.match(rendered.get("b")!, /minor: "31"/);
  assert.notEqual(rendered.get("c"), rendered.get("b"), "helm's defaults are not another cluster's values");
  assert.equal(cache.settled(chart, "c0ffee"), undefined, "a chart's output is not one for every cluster");
});
