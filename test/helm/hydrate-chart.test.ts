// Helm sources hydrated with the real helm binary against a real HTTP chart repository and a real
// OCI registry with basic auth, each rendering compared with `helm template` run directly.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import type { Application } from "../../contract/application.js";
import { render, type K8sObject } from "../../core/manifests/objects.js";
import { HelmBinary } from "../../lambdas/adapters/helm/binary.js";
import { hydrate, type HydrateDeps } from "../../lambdas/generate/hydrate/index.js";
import type { HelmRunner, KustomizeRunner } from "../../lambdas/ports.js";
import { installHelm } from "../engines/helm.js";
import { startRegistry, type Registry } from "../engines/registry.js";
import { memoryRepo } from "../generate/generators/memory-repo.js";
import { pushCharts, runHelm, startChartRepository, type ChartRepository } from "./chart-repository.js";

const CAPABILITIES = { kubeVersion: "v1.31.4-eks-2a1b", apiVersions: ["monitoring.coreos.com/v1"] };
const noKustomize: KustomizeRunner = {
  build() {
    throw new Error("kustomize should not run for a helm source");
  },
};

let helmPath: string;
let scratch: string;
let charts: ChartRepository;
let registry: Registry;
let helm: HelmRunner;

before(async () => {
  helmPath = await installHelm();
  scratch = await mkdtemp(join(tmpdir(), "radial-helm-test-"));
  charts = await startChartRepository(helmPath, [
    { chart: "web", version: "1.0.0" },
    { chart: "web", version: "1.1.0" },
  ]);
  registry = await startRegistry();
  await pushCharts(helmPath, [{ chart: "web", version: "1.0.0" }], registry, "charts");
  helm = HelmBinary(helmPath, {
    chartCache: join(scratch, "charts"),
    repositories: { [`oci://${registry.host}`]: { username: registry.username, password: registry.password, plainHttp: true } },
  });
});

after(async () => {
  await (charts as ChartRepository | undefined)?.stop();
  await (registry as Registry | undefined)?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function chartApp(source: Record<string, unknown>): Application {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "web" },
    spec: { source: { repoURL: charts.url, chart: "web", targetRevision: "1.0.0", ...source }, destination: { name: "in-cluster", namespace: "shop" } },
  };
}

const deps = (runner: HelmRunner = helm): HydrateDeps => ({
  repo: memoryRepo({}),
  revision: "c0ffee",
  kustomize: noKustomize,
  helm: runner,
  capabilities: () => Promise.resolve(CAPABILITIES),
});

/** `helm template` run directly on the chart pulled with helm itself, in our output order. */
async function helmTemplate(pull: string[], template: (chart: string) => string[]): Promise<K8sObject[]> {
  const home = await mkdtemp(join(scratch, "direct-"));
  await runHelm(helmPath, ["pull", ...pull, "--untar", "--untardir", join(home, "chart")], home);
  const chart = join(home, "chart", (await readdir(join(home, "chart")))[0]!);
  const out = await runHelm(helmPath, ["template", ...template(chart)], home);
  const objects = parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return render(objects).objects;
}

const byName = (objects: Record<string, unknown>[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && (o.metadata as { name: string }).name === name) as
    { data?: Record<string, string>; metadata: { annotations?: Record<string, string> } } | undefined;

const HELM_OPTIONS = {
  releaseName: "shop-web",
  valueFiles: ["values-prod.yaml"],
  values: "image: nginx:1.27.3\n",
  parameters: [
    { name: "tags", value: "{blue,green}" },
    { name: "replicas", value: "5", forceString: true },
  ],
  fileParameters: [{ name: "banner", path: "files/banner.txt" }],
};

test("a chart from an HTTP chart repository renders as helm template does, with every option", { timeout: 15 * 60_000 }, async () => {
  const hydrated = await hydrate(chartApp({ helm: HELM_OPTIONS }), deps());
  await writeFile(join(scratch, "inline.yaml"), HELM_OPTIONS.values);
  const direct = await helmTemplate(["web", "--repo", charts.url, "--version", "1.0.0"], (chart) => [
    chart,
    "--name-template",
    "shop-web",
    "--namespace",
    "shop",
    "--kube-version",
    "1.31.4",
    "--set",
    "tags={blue,green}",
    "--set-string",
    "replicas=5",
    "--set-file",
    `banner=${chart}/files/banner.txt`,
    "--values",
    `${chart}/values-prod.yaml`,
    "--values",
    join(scratch, "inline.yaml"),
    "--api-versions",
    "monitoring.coreos.com/v1",
    "--include-crds",
  ]);
  assert.deepEqual(hydrated.objects, direct);
  const settings = byName(hydrated.objects, "ConfigMap", "shop-web-settings")!;
  assert.deepEqual(settings.data, {
    greeting: "hello from prod",
    replicas: "5",
    kubeVersion: "v1.31.4",
    monitoring: "true",
    banner: "welcome, operator\n",
    tags: "blue,green",
  });
  assert.ok(byName(hydrated.objects, "CustomResourceDefinition", "widgets.example.radial.dev"), "CRDs are included");
  assert.equal(byName(hydrated.objects, "ConfigMap", "shop-web-migrate")!.metadata.annotations!["helm.sh/hook"], "pre-install,pre-upgrade");
  assert.ok(byName(hydrated.objects, "Pod", "shop-web-test-connection"), "test hooks are rendered unless skipTests");

  const again = await hydrate(chartApp({ helm: HELM_OPTIONS }), deps());
  assert.equal(again.manifests, hydrated.manifests, "the same inputs give byte-identical output");
});

test("skipCrds, skipTests, helm.namespace and the version's own values", { timeout: 5 * 60_000 }, async () => {
  const out = await hydrate(chartApp({ targetRevision: "1.1.0", helm: { skipCrds: true, skipTests: true, namespace: "other", version: "v3" } }), deps());
  assert.equal(byName(out.objects, "CustomResourceDefinition", "widgets.example.radial.dev"), undefined);
  assert.equal(byName(out.objects, "Pod", "web-test-connection"), undefined);
  const settings = byName(out.objects, "ConfigMap", "web-settings")!;
  assert.equal((settings.metadata as { namespace?: string }).namespace, "other");
  assert.equal(settings.data!.greeting, "hello");
});

test("a chart from an OCI registry with basic auth renders as the same chart from the HTTP repository", { timeout: 5 * 60_000 }, async () => {
  const oci = await hydrate(chartApp({ repoURL: `${registry.host}/charts`, helm: HELM_OPTIONS }), deps());
  const http = await hydrate(chartApp({ helm: HELM_OPTIONS }), deps());
  assert.equal(oci.manifests, http.manifests);
  const scheme = await hydrate(chartApp({ repoURL: `oci://${registry.host}/charts` }), deps());
  assert.ok(byName(scheme.objects, "Deployment", "web"));
});

test(
  "a registry refusing the credentials, a chart or version that does not exist: errors naming chart, version and repository",
  { timeout: 5 * 60_000 },
  async () => {
    const wrong = HelmBinary(helmPath, {
      chartCache: join(scratch, "wrong"),
      repositories: { [`oci://${registry.host}/charts`]: { username: registry.username, password: "wrong-password", plainHttp: true } },
    });
    await assert.rejects(hydrate(chartApp({ repoURL: `${registry.host}/charts` }), deps(wrong)), (error: Error) => {
      assert.match(error.message, new RegExp(`^spec\\.source\\.chart: chart web version 1\\.0\\.0 from ${registry.host}/charts: .*(401|unauthorized)`, "i"));
      assert.doesNotMatch(error.message, /wrong-password/);
      return true;
    });
    await assert.rejects(
      hydrate(chartApp({ chart: "nope" }), deps()),
      /spec\.source\.chart: chart nope version 1\.0\.0 from http:\/\/127\.0\.0\.1:\d+\/charts: .*not found/,
    );
    await assert.rejects(
      hydrate(chartApp({ targetRevision: "9.9.9" }), deps()),
      /spec\.source\.chart: chart web version 9\.9\.9 from .*: .*9\.9\.9.*not found/,
    );
  },
);

test("values that fail to parse and missing value files are refused naming the field, chart, version and file", { timeout: 5 * 60_000 }, async () => {
  await assert.rejects(
    hydrate(chartApp({ helm: { values: "replicas: [1\n" } }), deps()),
    /spec\.source\.helm\.values: chart web version 1\.0\.0 from \S+: helm\.values:2: invalid YAML/,
  );
  await assert.rejects(hydrate(chartApp({ helm: { values: "- a\n" } }), deps()), /spec\.source\.helm\.values: chart web version 1\.0\.0 .*not a mapping/);
  await assert.rejects(
    hydrate(chartApp({ helm: { valueFiles: ["values-prod.yaml", "values-staging.yaml"] } }), deps()),
    /spec\.source\.helm\.valueFiles\[1\]: chart web version 1\.0\.0 from \S+: values file "values-staging\.yaml" does not exist/,
  );
  const ignored = await hydrate(chartApp({ helm: { valueFiles: ["values-staging.yaml"], ignoreMissingValueFiles: true } }), deps());
  assert.equal(byName(ignored.objects, "ConfigMap", "web-settings")!.data!.greeting, "hello");
  await assert.rejects(
    hydrate(chartApp({ helm: { valueFiles: ["../../etc/passwd"] } }), deps()),
    /valueFiles\[0\]: "..\/..\/etc\/passwd" leaves the repository/,
  );
  await assert.rejects(hydrate(chartApp({ helm: { version: "v2" } }), deps()), /spec\.source\.helm\.version: must be "v3" or "v4"/);
});

test("a multi-source Application: a chart with $values files from a git source, and a git folder, in one manifests.yaml", { timeout: 5 * 60_000 }, async () => {
  const valuesURL = "https://git.example.com/values.git";
  const values = memoryRepo(
    { "envs/prod/web.yaml": "greeting: hello from git\nreplicas: 2\n", "envs/prod/bad.yaml": "greeting: [\n", "banner.txt": "from git\n" },
    { repoURL: valuesURL, revision: "beef" },
  );
  const fleet = memoryRepo({ "apps/extra/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n" });
  const multi = (helmOptions: Record<string, unknown>): Application => ({
    ...chartApp({}),
    spec: {
      sources: [
        { repoURL: charts.url, chart: "web", targetRevision: "1.0.0", helm: helmOptions },
        { repoURL: valuesURL, targetRevision: "main", ref: "values" },
        { repoURL: "https://git.example.com/fleet.git", path: "apps/extra" },
      ] as never,
      destination: { name: "in-cluster", namespace: "shop" },
    },
  });
  const multiDeps = { ...deps(), repo: fleet, checkouts: [undefined, { reader: values, revision: "beef" }, undefined] };
  const out = await hydrate(multi({ valueFiles: ["$values/envs/prod/web.yaml"], fileParameters: [{ name: "banner", path: "$values/banner.txt" }] }), multiDeps);
  assert.deepEqual(byName(out.objects, "ConfigMap", "web-settings")!.data, {
    greeting: "hello from git",
    replicas: "2",
    kubeVersion: "v1.31.4",
    monitoring: "true",
    banner: "from git\n",
  });
  assert.ok(byName(out.objects, "ConfigMap", "extra"), "the git folder's manifests are in the same list");
  assert.match(out.manifests, /name: extra\n/);

  await assert.rejects(
    hydrate(multi({ valueFiles: ["$values/envs/prod/bad.yaml"] }), multiDeps),
    /spec\.sources\[0\]\.helm\.valueFiles\[0\]: chart web version 1\.0\.0 from \S+: values file \$values\/envs\/prod\/bad\.yaml:\d+: invalid YAML/,
  );
  await assert.rejects(hydrate(multi({ valueFiles: ["$other/x.yaml"] }), multiDeps), /valueFiles\[0\]: .*names \$other, but no source has ref: other/);
});

test("a chart folder in git renders as helm template on the same folder", { timeout: 5 * 60_000 }, async () => {
  const files: Record<string, string> = {};
  const root = join(import.meta.dirname, "charts", "web");
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else files[`charts/web/${prefix}${entry.name}`] = await readFile(join(dir, entry.name), "utf8");
    }
  };
  await walk(root, "");
  const app: Application = {
    ...chartApp({}),
    spec: { source: { repoURL: "https://git.example.com/fleet.git", path: "charts/web" }, destination: { name: "in-cluster", namespace: "shop" } },
  };
  const out = await hydrate(app, { ...deps(), repo: memoryRepo(files) });
  const home = await mkdtemp(join(scratch, "git-"));
  const direct = parseAllDocuments(
    await runHelm(
      helmPath,
      [
        "template",
        root,
        "--name-template",
        "web",
        "--namespace",
        "shop",
        "--kube-version",
        "1.31.4",
        "--api-versions",
        "monitoring.coreos.com/v1",
        "--include-crds",
      ],
      home,
    ),
  )
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  assert.deepEqual(out.objects, render(direct).objects);
});
