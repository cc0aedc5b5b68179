// helm's `--kube-version` and `--api-versions` from what each cluster's agent reports, end to end
// with real parts: two KWOK clusters (one with the Prometheus Operator's ServiceMonitor CRD) are
// discovered as the agent discovers them, their reports stored through the status service on both
// DynamoDB engines, and a generation run renders a chart in the fleet repo that reads
// `.Capabilities.KubeVersion` and `.Capabilities.APIVersions.Has` for each cluster: every deploy
// branch holds exactly what `helm template` run directly with that cluster's values gives, and a
// cluster that never reported gets helm's defaults.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { parseStatusReport, REPORT_LIMITS, StatusReport, type ClusterCapabilities } from "../../contract/status-report.js";
import { capabilitiesDigest } from "../../core/capabilities.js";
import { render, type K8sObject } from "../../core/manifests/objects.js";
import { KubeClient } from "../../agent/kube/client.js";
import { loadKubeConfig } from "../../agent/kube/kubeconfig.js";
import { DynamoDBStatusStore } from "../../lambdas/adapters/dynamodb/status-store.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { HelmBinary } from "../../lambdas/adapters/helm/binary.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import { runGeneration } from "../../lambdas/generate/pipeline/run.js";
import { NO_DEPLOY_REVISIONS } from "../../lambdas/status/deploy-revisions.js";
import { StatusService } from "../../lambdas/status/status-service.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { installHelm } from "../engines/helm.js";
import { kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { engines, type Engine } from "../generate/engines.js";
import { scratchDir } from "../scratch.js";
import { runHelm } from "./chart-repository.js";

const CHART = join(import.meta.dirname, "capabilities-chart");
const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const clock = () => new Date("2026-12-04T04:00:00Z");

const SERVICE_MONITOR_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: servicemonitors.monitoring.coreos.com
spec:
  group: monitoring.coreos.com
  names: { kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;

const APPLICATION_SET = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: monitoring
spec:
  generators:
    - list:
        elements: [{ cluster: plain }, { cluster: monitored }, { cluster: silent }]
  template:
    metadata:
      name: 'monitoring-{{cluster}}'
    spec:
      source:
        repoURL: FLEET
        path: charts/capabilities
      destination:
        name: '{{cluster}}'
        namespace: monitoring
`;

const report = (cluster: string, capabilities?: ClusterCapabilities): StatusReport =>
  StatusReport.parse({
    cluster,
    agentVersion: "test",
    heartbeatAt: clock().toISOString(),
    revision: null,
    conditions: [],
    applications: [],
    driftEvents: [],
    ...(capabilities ? { capabilities } : {}),
  });

let helmPath: string;
let clusters: { plain: Cluster; monitored: Cluster };
/** What the agent discovers on each cluster. */
const discovered = new Map<string, ClusterCapabilities>();

before(async () => {
  helmPath = await installHelm();
  const [plain, monitored] = await Promise.all([startCluster(), startCluster()]);
  clusters = { plain, monitored };
  await kubectl(monitored, ["apply", "-f", "-"], SERVICE_MONITOR_CRD);
  await kubectl(monitored, ["wait", "--for=condition=Established", "crd/servicemonitors.monitoring.coreos.com", "--timeout=120s"]);
  for (const [name, cluster] of Object.entries(clusters)) {
    const kube = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
    try {
      const { capabilities, dropped } = await kube.capabilities();
      assert.equal(dropped, 0);
      discovered.set(name, capabilities);
    } finally {
      kube.close();
    }
  }
});

after(async () => {
  await Promise.all(Object.values((clusters as typeof clusters | undefined) ?? {}).map((cluster) => cluster.stop()));
});

test("the agent discovers each cluster's gitVersion and every group/version and group/version/Kind it serves", async () => {
  const version = JSON.parse(await kubectl(clusters.plain, ["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
  const plain = discovered.get("plain")!;
  const monitored = discovered.get("monitored")!;
  assert.equal(plain.kubeVersion, version.serverVersion.gitVersion);
  assert.match(plain.kubeVersion, /^v1\.\d+\.\d+/);
  for (const entry of ["v1", "v1/Pod", "apps/v1", "apps/v1/Deployment", "apiextensions.k8s.io/v1/CustomResourceDefinition"]) {
    assert.ok(plain.apiVersions.includes(entry), `${entry} is served`);
  }
  assert.ok(!plain.apiVersions.includes("v1/pods/status"), "no subresources");
  assert.ok(!plain.apiVersions.some((entry) => entry.startsWith("monitoring.coreos.com/")));
  assert.deepEqual(
    monitored.apiVersions.filter((entry) => !plain.apiVersions.includes(entry)),
    ["monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"],
  );
  assert.equal(StatusReport.safeParse(report("plain", plain)).success, true, "within the report's bounds");
});

test("capabilities that are too many, too large or malformed are refused naming the field", () => {
  const body = (capabilities: unknown) => JSON.stringify({ ...report("plain"), capabilities });
  const plain = discovered.get("plain")!;
  const cases: [unknown, string, RegExp][] = [
    [{ ...plain, apiVersions: Array.from({ length: REPORT_LIMITS.maxApiVersions + 1 }, (_, i) => `g${i}.example.com/v1`) }, "capabilities.apiVersions", /5000/],
    [
      { ...plain, apiVersions: Array.from({ length: 1500 }, (_, i) => `${"g".repeat(200)}${i}.example.com/v1`) },
      "capabilities.apiVersions",
      /at most 300000 bytes/,
    ],
    [{ ...plain, apiVersions: ["v1", "apps/v1", "apps v1/Deployment"] }, "capabilities.apiVersions[2]", /group\/version/],
    [{ ...plain, kubeVersion: "1.36" }, "capabilities.kubeVersion", /gitVersion/],
    [{ kubeVersion: plain.kubeVersion }, "capabilities.apiVersions", /.+/],
    [{ ...plain, extra: true }, "capabilities", /extra/],
  ];
  for (const [capabilities, field, problem] of cases) {
    const parsed = parseStatusReport(body(capabilities));
    if (parsed.ok) assert.fail(`${field}: accepted`);
    assert.equal(parsed.problems[0]?.field, field, parsed.message);
    assert.match(parsed.message, problem);
  }
});

/** `helm template` run directly on the chart with these flags, in our output order. */
async function helmTemplate(home: string, release: string, flags: string[]): Promise<string> {
  const out = await runHelm(helmPath, ["template", release, CHART, "--namespace", "monitoring", ...flags], home);
  const objects = parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return render(objects).manifests;
}

for (const engine of engines) {
  describe(`capabilities stored on ${engine.name} and rendered by a generation run`, () => {
    let db: Engine;
    let server: GitServer;
    before(async () => {
      [db, server] = await Promise.all([engine.start(), startGitServer()]);
    });
    after(async () => {
      await Promise.all([(db as Engine | undefined)?.stop(), (server as GitServer | undefined)?.stop()]);
    });

    test("each cluster's branch holds the chart as helm template renders it with that cluster's values", { timeout: 15 * 60_000 }, async (t) => {
      const dir = await scratchDir(t);
      const store = new DynamoDBStatusStore(db.client, await db.table());
      const status = new StatusService({ store, revisions: NO_DEPLOY_REVISIONS, clock, settings: { pollIntervalSeconds: 30 } });

      // The first report of an agent carries its capabilities once the hub's reply showed it takes them.
      for (const name of ["plain", "monitored"]) {
        const capabilities = discovered.get(name)!;
        const reply = await status.accept(report(name));
        assert.equal(reply.capabilitiesDigest, null, "nothing stored yet");
        const stored = await status.accept(report(name, capabilities));
        assert.equal(stored.capabilitiesDigest, capabilitiesDigest(capabilities));
        // A heartbeat without them keeps them.
        assert.equal((await status.accept(report(name))).capabilitiesDigest, capabilitiesDigest(capabilities));
        assert.deepEqual(await store.getCapabilities(name), capabilities);
      }
      assert.equal(await store.getCapabilities("silent"), undefined);

      // Refused at the edge: nothing stored changes.
      const bad = parseStatusReport(JSON.stringify({ ...report("plain"), capabilities: { kubeVersion: "v1.99.0", apiVersions: ["no way"] } }));
      assert.equal(bad.ok, false);
      assert.deepEqual(await store.getCapabilities("plain"), discovered.get("plain"));

      const url = `${server.url}/fleet-${engine.name.split(" ")[0]}.git`;
      const chartFiles = Object.fromEntries(
        await Promise.all(
          (await readdir(CHART, { recursive: true, withFileTypes: true }))
            .filter((entry) => entry.isFile())
            .map(async (entry) => {
              const path = join(entry.parentPath, entry.name);
              return [`charts/capabilities/${path.slice(CHART.length + 1)}`, await readFile(path, "utf8")] as const;
            }),
        ),
      );
      await server.createRepo(url.slice(server.url.length + 1, -4), {
        seed: { "generators/monitoring.yaml": APPLICATION_SET.replace("FLEET", url), ...chartFiles },
      });
      const fleet = new GitRepository({ url, dir: join(dir, "hub") });
      const reader = new GitRepository({ url, dir: join(dir, "reader") });
      const result = await runGeneration(
        {
          dryRun: false,
          force: false,
          clusters: ["plain", "monitored", "silent"].map((name) => ({ name, server: `https://${name}.example.com`, labels: {}, annotations: {} })),
        },
        {
          fleet,
          sourceBranch: "main",
          deploy: fleet,
          kustomize: { build: () => Promise.reject(new Error("no kustomize source here")) },
          helm: HelmBinary(helmPath, { chartCache: join(dir, "charts") }),
          capabilities: (cluster) => store.getCapabilities(cluster),
          clock,
          author,
          caches: new GenerationCaches(),
        },
      );
      assert.deepEqual(result.errors, []);
      const manifests = async (cluster: string) =>
        new TextDecoder().decode(
          await reader.readFile(url, await reader.fetch(`radial/clusters/${cluster}`), `clusters/${cluster}/monitoring-${cluster}/manifests.yaml`),
        );

      const flags = (capabilities: ClusterCapabilities) => [
        `--kube-version=${capabilities.kubeVersion}`,
        ...capabilities.apiVersions.map((v) => `--api-versions=${v}`),
      ];
      const home = join(dir, "helm-home");
      await mkdir(home);
      const monitored = await manifests("monitored");
      assert.equal(monitored, await helmTemplate(home, "monitoring-monitored", flags(discovered.get("monitored")!)));
      assert.match(monitored, /kind: ServiceMonitor/);
      assert.match(monitored, /monitoring: "true"/);
      assert.match(monitored, /serviceMonitors: "true"/);
      assert.match(monitored, new RegExp(`kubeVersion: ${discovered.get("monitored")!.kubeVersion.replace(/\./g, "\\.")}`));

      const plain = await manifests("plain");
      assert.equal(plain, await helmTemplate(home, "monitoring-plain", flags(discovered.get("plain")!)));
      assert.doesNotMatch(plain, /kind: ServiceMonitor/);
      assert.match(plain, /monitoring: "false"/);
      assert.match(plain, /name: recent-kubernetes/, "KWOK's Kubernetes is at least 1.30");

      // Never reported: helm's own defaults, as `helm template` without the flags.
      const silent = await manifests("silent");
      assert.equal(silent, await helmTemplate(home, "monitoring-silent", []));
      assert.doesNotMatch(silent, /kind: ServiceMonitor/);
    });
  });
}
