// A chart with hooks and CRDs, hydrated by the hub's helm path and synced by the agent on a real
// kube-apiserver with KWOK: CRDs first and their custom resource after, helm's pre-install hook in
// PreSync before everything else, post-install in PostSync, the test hook never applied.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { KubeClient } from "../../agent/kube/client.js";
import { loadKubeConfig } from "../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../agent/kube/object.js";
import { syncApplication } from "../../agent/sync/sync.js";
import type { Application } from "../../contract/application.js";
import { HelmBinary } from "../../lambdas/adapters/helm/binary.js";
import { hydrate } from "../../lambdas/generate/hydrate/index.js";
import { installHelm } from "../engines/helm.js";
import { startCluster, type Cluster } from "../engines/kubernetes.js";
import { present } from "../agent/sync/fixtures.js";
import { memoryRepo } from "../generate/generators/memory-repo.js";
import { startChartRepository, type ChartRepository } from "./chart-repository.js";

let cluster: Cluster;
let client: KubeClient;
let charts: ChartRepository;
let scratch: string;

before(async () => {
  const helm = await installHelm();
  scratch = await mkdtemp(join(tmpdir(), "radial-helm-sync-"));
  charts = await startChartRepository(helm, [{ chart: "web", version: "1.0.0" }]);
  cluster = await startCluster();
  client = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  for (const name of ["radial-system", "shop"]) await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
});

after(async () => {
  (client as KubeClient | undefined)?.close();
  await (cluster as Cluster | undefined)?.stop();
  await (charts as ChartRepository | undefined)?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("the agent syncs a hydrated chart: CRDs and their resources, helm hooks in Argo CD's phases", { timeout: 15 * 60_000 }, async () => {
  const application: Application = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "web" },
    spec: {
      source: { repoURL: charts.url, chart: "web", targetRevision: "1.0.0" },
      destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
      syncPolicy: { automated: { prune: true } },
    },
  };
  const hydrated = await hydrate(application, {
    repo: memoryRepo({}),
    revision: "c0ffee",
    kustomize: { build: () => Promise.reject(new Error("no kustomize here")) },
    helm: HelmBinary(await installHelm(), { chartCache: join(scratch, "charts") }),
    capabilities: () => Promise.resolve({ kubeVersion: "v1.36.3" }),
  });

  const result = await syncApplication(
    client,
    present(application, hydrated.objects as KubeObject[]),
    { cluster: "spoke-1", inventoryNamespace: "radial-system" },
    {
      pollIntervalMs: 200,
      waveTimeoutMs: 120_000,
    },
  );
  assert.equal(result.phase, "Succeeded", result.message);

  const get = (apiVersion: string, kind: string, name: string, namespace?: string) =>
    client.get({ apiVersion, kind, name, ...(namespace ? { namespace } : {}) });
  const crd = await get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.radial.dev");
  const widget = await get("example.radial.dev/v1", "Widget", "web-widget", "shop");
  assert.deepEqual((widget?.spec as { size?: string } | undefined)?.size, "small");
  const migrate = await get("v1", "ConfigMap", "web-migrate", "shop");
  const notify = await get("v1", "ConfigMap", "web-notify", "shop");
  const deployment = await get("apps/v1", "Deployment", "web", "shop");
  assert.ok(crd && migrate && notify && deployment);
  assert.equal(await get("v1", "Pod", "web-test-connection", "shop"), undefined, "helm's test hook is never applied");

  const version = (object: KubeObject) => Number(object.metadata.resourceVersion);
  assert.ok(version(migrate) < version(crd), "the pre-install hook ran in PreSync, before the CRD");
  assert.ok(version(crd) < version(widget!), "the CRD before its custom resource");
  assert.ok(version(deployment) < version(notify), "the post-install hook ran in PostSync, after the Deployment");
  const phases = Object.fromEntries(result.resources.filter((r) => r.hookPhase).map((r) => [r.ref.name, r.hookPhase]));
  assert.deepEqual(phases, { "web-migrate": "PreSync", "web-notify": "PostSync" });
});
