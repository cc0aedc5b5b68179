// Helm and multi-source Applications through a whole generation run: the fleet repo on a real git
// server, charts from a real HTTP chart repository. A chart version that does not exist fails that
// Application only: its previous output stays on the branch (the carry-over rule), the others go on.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { HelmBinary } from "../../lambdas/adapters/helm/binary.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import { runGeneration } from "../../lambdas/generate/pipeline/run.js";
import { startGitServer } from "../engines/git-server.js";
import { installHelm } from "../engines/helm.js";
import { scratchDir } from "../scratch.js";
import { startChartRepository } from "./chart-repository.js";

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const clock = () => new Date("2026-01-02T03:04:05Z");

/** Two Applications on cluster a: `web`, one chart source at `webVersion`; `api`, the chart with `$values` from the fleet repo. */
const chartSet = (charts: string, fleet: string, webVersion: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: charts
spec:
  generators:
    - list:
        elements:
          - cluster: a
  template:
    metadata:
      name: 'web'
    spec:
      source:
        repoURL: ${charts}
        chart: web
        targetRevision: ${webVersion}
      destination:
        name: '{{cluster}}'
        namespace: shop
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: api
spec:
  generators:
    - list:
        elements:
          - cluster: a
  template:
    metadata:
      name: 'api'
    spec:
      sources:
        - repoURL: ${charts}
          chart: web
          targetRevision: 1.0.0
          helm:
            valueFiles: [$values/values/api.yaml]
        - repoURL: ${fleet}
          targetRevision: HEAD
          ref: values
      destination:
        name: '{{cluster}}'
        namespace: api
`;

test("a chart version that does not exist keeps that Application's manifests; a $values change reaches the other", { timeout: 15 * 60_000 }, async (t) => {
  const helmPath = await installHelm();
  const charts = await startChartRepository(helmPath, [{ chart: "web", version: "1.0.0" }]);
  t.after(() => charts.stop());
  const server = await startGitServer();
  t.after(() => server.stop());
  const dir = await scratchDir(t);
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", { seed: { "generators/charts.yaml": chartSet(charts.url, url, "1.0.0"), "values/api.yaml": "replicas: 2\n" } });
  const fleet = new GitRepository({ url, dir: join(dir, "hub") });
  const reader = new GitRepository({ url, dir: join(dir, "reader") });
  const caches = new GenerationCaches();
  const helm = HelmBinary(helmPath, { chartCache: join(dir, "charts") });
  const kustomize = { build: () => Promise.reject(new Error("no kustomize source here")) };
  const run = () =>
    runGeneration(
      { dryRun: false, force: false, clusters: [{ name: "a", server: "https://a.example.com", labels: {}, annotations: {} }] },
      {
        fleet,
        sourceBranch: "main",
        deploy: fleet,
        kustomize,
        helm,
        clock,
        author,
        caches,
      },
    );
  const manifests = async (app: string) => {
    const commit = await reader.fetch("radial/clusters/a");
    return new TextDecoder().decode(await reader.readFile(url, commit, `clusters/a/${app}/manifests.yaml`));
  };
  const replicas = (text: string) =>
    text
      .split(/^---\n/m)
      .map((doc) => parse(doc) as { kind?: string; spec?: { replicas?: number } } | null)
      .find((doc) => doc?.kind === "Deployment")?.spec?.replicas;

  const first = await run();
  assert.deepEqual(first.errors, []);
  const web = await manifests("web");
  assert.match(web, /kind: CustomResourceDefinition/);
  assert.equal(replicas(web), 1);
  assert.equal(replicas(await manifests("api")), 2);

  await fleet.writeBranches(
    [
      {
        branch: "main",
        files: { "generators/charts.yaml": chartSet(charts.url, url, "9.9.9"), "values/api.yaml": "replicas: 4\n" },
        message: "web 9.9.9, api x4",
      },
    ],
    { author, now: clock() },
  );
  const second = await run();
  assert.equal(second.errors.length, 1, JSON.stringify(second.errors));
  assert.equal(second.errors[0]!.application, "web");
  assert.match(second.errors[0]!.message, /spec\.source\.chart: chart web version 9\.9\.9 from http:\/\/127\.0\.0\.1:\d+\/charts: .*not found/);
  assert.equal(await manifests("web"), web, "the failed Application's previous output stays on the branch");
  assert.equal(replicas(await manifests("api")), 4, "the other Application goes on");
});
