import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { Application } from "../../../contract/application.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { KustomizeBinary } from "../../../lambdas/adapters/kustomize/binary.js";
import { hydrate } from "../../../lambdas/generate/hydrate/index.js";
import type { KustomizeRunner } from "../../../lambdas/ports.js";
import { globMatch } from "../../../core/glob.js";
import { parseImage } from "../../../lambdas/generate/hydrate/kustomize.js";
import { envsubst } from "../../../lambdas/generate/hydrate/envsubst.js";
import { installKustomize } from "../../engines/kustomize.js";
import { settle } from "../generators/memory-repo.js";

const REPO = "https://git.example.com/fleet.git";
const REV = "c0ffee";

/** A repo as a map from path to content at one revision; `order` controls how listFiles orders paths. */
function repo(files: Record<string, string>, order: "sorted" | "reversed" = "sorted"): RepoReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    listFiles(repoURL, revision) {
      return settle(() => {
        assert.equal(repoURL, REPO);
        assert.equal(revision, REV);
        const paths = Object.keys(files).sort();
        return order === "sorted" ? paths : paths.reverse();
      });
    },
    readFile(repoURL, revision, path) {
      return settle(() => {
        assert.equal(repoURL, REPO);
        assert.equal(revision, REV);
        const content = files[path];
        if (content === undefined) throw new Error(`no file ${path}`);
        reads.push(path);
        return new TextEncoder().encode(content);
      });
    },
  };
}

function app(source: Record<string, unknown>): Application {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "web" },
    spec: { source: { repoURL: REPO, ...source }, destination: { name: "in-cluster", namespace: "web" } },
  };
}

const noKustomize: KustomizeRunner = {
  build() {
    throw new Error("kustomize should not run for a directory source");
  },
};

const cm = (name: string, extra = "") => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
const names = (objects: Record<string, unknown>[]) => objects.map((o) => `${o.kind as string}/${(o.metadata as { name: string }).name}`);

/** What these tests read of the objects kustomize builds. */
interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface BuiltConfigMap {
  metadata: Metadata;
  data: Record<string, string>;
}
interface BuiltDeployment {
  metadata: Metadata;
  spec: { selector: { matchLabels: Record<string, string> }; template: { spec: { containers: [{ image: string }] } } };
}

test("directory: only top-level yaml/yml/json files, multi-document, empty documents skipped", async () => {
  const r = repo({
    "apps/web/a.yaml": `${cm("a")}---\n---\n# just a comment\n---\n${cm("b")}`,
    "apps/web/c.yml": cm("c"),
    "apps/web/README.md": "not a manifest",
    "apps/web/sub/d.yaml": cm("d"),
    "apps/other/e.yaml": cm("e"),
  });
  const out = await hydrate(app({ path: "apps/web" }), { repo: r, revision: REV, kustomize: noKustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/a", "ConfigMap/b", "ConfigMap/c"]);
  assert.ok(out.manifests.endsWith("\n"));
  assert.equal(out.manifests.split("---\n").length, 3);
});

test("directory: recurse, include and exclude use Argo CD globs on the path relative to the app folder", async () => {
  const files = {
    "apps/web/a.yaml": cm("a"),
    "apps/web/b.yaml": cm("b"),
    "apps/web/sub/c.yaml": cm("c"),
    "apps/web/sub/deep/d.json": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d" } }),
    "apps/web/skip/e.yaml": cm("e"),
  };
  const run = async (directory: Record<string, unknown>) =>
    names((await hydrate(app({ path: "apps/web", directory }), { repo: repo(files), revision: REV, kustomize: noKustomize })).objects);

  assert.deepEqual(await run({}), ["ConfigMap/a", "ConfigMap/b"]);
  assert.deepEqual(await run({ recurse: true }), ["ConfigMap/a", "ConfigMap/b", "ConfigMap/c", "ConfigMap/d", "ConfigMap/e"]);
  // `*` crosses `/` (gobwas glob without separators, as Argo CD compiles it)
  assert.deepEqual(await run({ recurse: true, exclude: "skip/*" }), ["ConfigMap/a", "ConfigMap/b", "ConfigMap/c", "ConfigMap/d"]);
  assert.deepEqual(await run({ recurse: true, include: "{a.yaml,sub/*}" }), ["ConfigMap/a", "ConfigMap/c", "ConfigMap/d"]);
  assert.deepEqual(await run({ recurse: true, include: "*.json" }), ["ConfigMap/d"]);
  // exclude wins over include
  assert.deepEqual(await run({ recurse: true, include: "*.yaml", exclude: "{b.yaml,sub/*}" }), ["ConfigMap/a", "ConfigMap/e"]);
  // without recurse, include cannot reach into subfolders
  assert.deepEqual(await run({ include: "sub/*" }), []);
});

test("glob syntax: braces nest, classes, negation, escapes", () => {
  assert.ok(globMatch("{*.json,x/{a,b}.yaml}", "x/b.yaml"));
  assert.ok(!globMatch("{*.json,x/{a,b}.yaml}", "x/c.yaml"));
  assert.ok(globMatch("[a-c]?.yaml", "b1.yaml"));
  assert.ok(!globMatch("[!a]*.yaml", "a.yaml"));
  assert.ok(globMatch("\\*.yaml", "*.yaml"));
  assert.ok(!globMatch("\\*.yaml", "a.yaml"));
  assert.ok(globMatch("**/*.yaml", "a/b/c.yaml"));
});

test("directory: a JSON list and a v1 List are expanded into their items", async () => {
  const r = repo({
    "apps/web/list.json": JSON.stringify([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "j1" } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "j2" } },
    ]),
    "apps/web/one.json": JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }),
    "apps/web/v1list.yaml": `apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: d\n- ${cm("l1").replace(/\n(?=.)/g, "\n  ")}`,
    "apps/web/empty-list.yaml": "apiVersion: v1\nkind: ConfigMapList\nitems: null\n",
  });
  const out = await hydrate(app({ path: "apps/web" }), { repo: r, revision: REV, kustomize: noKustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/j1", "ConfigMap/j2", "ConfigMap/l1", "Secret/s", "Deployment/d"]);
});

test("directory: sort key is group, kind, namespace, name; YAML 1.1 scalars read as Kubernetes reads them", async () => {
  const r = repo({
    "apps/web/all.yaml": [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n",
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: z\n",
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: c\n",
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  on: "yes"\n  time: 10:30\n  date: 2024-01-01\n',
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n  - name: v\n    secret:\n      defaultMode: 0755\n",
    ].join("---\n"),
  });
  const out = await hydrate(app({ path: "apps/web" }), { repo: r, revision: REV, kustomize: noKustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/cfg", "Pod/p", "Service/c", "Service/b", "Deployment/a"]);
  const pod = out.objects[1] as { spec: { volumes: [{ secret: { defaultMode: number } }] } };
  assert.equal(pod.spec.volumes[0].secret.defaultMode, 0o755);
  const cfg = out.objects[0] as { data: Record<string, unknown> };
  assert.deepEqual(cfg.data, { true: "yes", time: "10:30", date: "2024-01-01" });
  // the output keeps those strings strings for any YAML reader
  assert.match(out.manifests, /time: "10:30"/);
  assert.match(out.manifests, /date: "2024-01-01"/);
  assert.doesNotMatch(out.manifests, /namespace: web/);
});

test("same input gives byte-identical manifests whatever order files are listed in", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`apps/web/f${i}.yaml`] = cm(`cm-${(i * 7) % 20}`, `data:\n  long: "${"x".repeat(200)} ${i}"\n`);
  files["apps/web/dup1.yaml"] = cm("same", "data:\n  v: one\n");
  files["apps/web/dup2.yaml"] = cm("same", "data:\n  v: two\n");
  const a = await hydrate(app({ path: "apps/web" }), { repo: repo(files, "sorted"), revision: REV, kustomize: noKustomize });
  const b = await hydrate(app({ path: "apps/web" }), { repo: repo(files, "reversed"), revision: REV, kustomize: noKustomize });
  assert.equal(a.manifests, b.manifests);
  assert.equal(a.objects.length, 22);
  // no line wrapping
  assert.ok(a.manifests.split("\n").some((l) => l.length > 200));
});

test("invalid YAML is an error naming the file and line", async () => {
  const r = repo({ "apps/web/ok.yaml": cm("ok"), "apps/web/bad.yaml": `${cm("x")}data:\n  a: [1, 2\n  b: c: d\n` });
  await assert.rejects(hydrate(app({ path: "apps/web" }), { repo: r, revision: REV, kustomize: noKustomize }), /apps\/web\/bad\.yaml:\d+: invalid YAML/);
  const j = repo({ "apps/web/bad.json": "{ nope" });
  await assert.rejects(hydrate(app({ path: "apps/web" }), { repo: j, revision: REV, kustomize: noKustomize }), /apps\/web\/bad\.json: invalid JSON/);
});

test("objects without apiVersion, kind or metadata.name are refused naming the file", async () => {
  const r = repo({ "apps/web/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n" });
  await assert.rejects(
    hydrate(app({ path: "apps/web" }), { repo: r, revision: REV, kustomize: noKustomize }),
    /apps\/web\/x\.yaml: ConfigMap has no metadata\.name/,
  );
  const s = repo({ "apps/web/x.yaml": "just: values\n" });
  await assert.rejects(
    hydrate(app({ path: "apps/web" }), { repo: s, revision: REV, kustomize: noKustomize }),
    /apps\/web\/x\.yaml: an object has no apiVersion, kind, metadata\.name/,
  );
});

test("paths escaping the repository are refused", async () => {
  const r = repo({ "apps/web/a.yaml": cm("a") });
  for (const path of ["../secrets", "apps/../../etc", "/etc/passwd", ".."]) {
    await assert.rejects(hydrate(app({ path }), { repo: r, revision: REV, kustomize: noKustomize }), /spec\.source\.path: /, path);
  }
  // staying inside is fine
  const out = await hydrate(app({ path: "apps/x/../web/" }), { repo: r, revision: REV, kustomize: noKustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/a"]);
  await assert.rejects(
    hydrate(app({ path: "apps/none" }), { repo: r, revision: REV, kustomize: noKustomize }),
    /spec\.source\.path: "apps\/none" has no files/,
  );
});

test("plugins, jsonnet, OCI artifacts and unknown options are refused naming the field; helm without a helm binary too", async () => {
  const r = repo({ "apps/web/a.yaml": cm("a"), "charts/web/Chart.yaml": "name: web\n", "jn/a.jsonnet": "{}" });
  const deps = { repo: r, revision: REV, kustomize: noKustomize };
  await assert.rejects(
    hydrate(app({ chart: "web", targetRevision: "1.0.0" }), deps),
    /spec\.source\.helm: chart web version 1\.0\.0 from \S+: this hub has no helm/,
  );
  await assert.rejects(hydrate(app({ path: "apps/web", helm: { values: "" } }), deps), /spec\.source\.helm: is set but "apps\/web" has no Chart\.yaml/);
  await assert.rejects(hydrate(app({ path: "charts/web" }), deps), /spec\.source\.helm: chart charts\/web of \S+: this hub has no helm/);
  await assert.rejects(hydrate(app({ path: "apps/web", helm: { values: "", foo: 1 } }), deps), /spec\.source\.helm\.foo: is not supported/);
  await assert.rejects(hydrate(app({ repoURL: "oci://registry.example.com/manifests", path: "." }), deps), /spec\.source\.repoURL: OCI artifact sources/);
  await assert.rejects(hydrate(app({ path: "apps/web", plugin: { name: "x" } }), deps), /spec\.source\.plugin: /);
  await assert.rejects(hydrate(app({ path: "jn" }), deps), /jn\/a\.jsonnet: jsonnet is not supported/);
  await assert.rejects(hydrate(app({ path: "apps/web", kustomize: { replicas: [] } }), deps), /spec\.source\.kustomize\.replicas: is not supported/);
  await assert.rejects(hydrate(app({ path: "apps/web", directory: { include: "{a" } }), deps), /spec\.source\.directory\.include: invalid glob/);
  await assert.rejects(hydrate(app({ path: "apps/web", directory: {}, helm: {} }), deps), /spec\.source: has both directory and helm options/);
});

test("multi-source: every source's manifests in one list; ref-only sources lend files and render nothing; refs are checked", async () => {
  const r = repo({ "apps/web/a.yaml": cm("a"), "apps/api/b.yaml": cm("b"), "values/x.yaml": cm("x") });
  const deps = { repo: r, revision: REV, kustomize: noKustomize };
  const multi = (sources: Record<string, unknown>[]): Application => {
    const application = app({});
    delete application.spec.source;
    application.spec.sources = sources.map((source) => ({ repoURL: REPO, ...source }));
    return application;
  };
  const out = await hydrate(multi([{ path: "apps/web" }, { ref: "values" }, { path: "apps/api" }]), deps);
  assert.deepEqual(names(out.objects), ["ConfigMap/a", "ConfigMap/b"]);
  await assert.rejects(hydrate(multi([{ path: "apps/web", ref: "v" }, { ref: "v" }]), deps), /spec\.sources\[1\]\.ref: "v" names another source too/);
  await assert.rejects(hydrate(multi([{ ref: "a/b" }]), deps), /spec\.sources\[0\]\.ref: must be letters, digits/);
  await assert.rejects(hydrate(multi([{ path: "apps/none" }]), deps), /spec\.sources\[0\]\.path: "apps\/none" has no files/);
});

test("image references parse as kustomize edit set image does", () => {
  assert.deepEqual(parseImage("nginx=registry.local:5000/nginx:1.27"), { name: "nginx", newName: "registry.local:5000/nginx", newTag: "1.27" });
  assert.deepEqual(parseImage("nginx:1.27"), { name: "nginx", newTag: "1.27" });
  assert.deepEqual(parseImage("nginx@sha256:abc"), { name: "nginx", digest: "sha256:abc" });
  assert.deepEqual(parseImage("nginx=mirror/nginx"), { name: "nginx", newName: "mirror/nginx" });
  assert.throws(() => parseImage("nginx"), /spec\.source\.kustomize\.images/);
});

// --- kustomize, with the real binary --------------------------------------------------------

const KUSTOMIZE_REPO = {
  "base/kustomization.yaml": "resources:\n- deployment.yaml\n- configmap.yaml\n",
  "base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
`,
  "base/configmap.yaml": cm("settings", "data:\n  greeting: hello\n"),
  "apps/web/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\ncommonLabels:\n  team: web\n",
};

test("kustomize: Application options namePrefix, images, commonLabels, patches are applied", { timeout: 15 * 60_000 }, async () => {
  const kustomize = KustomizeBinary(await installKustomize());
  const a = app({
    path: "apps/web",
    kustomize: {
      namePrefix: "prod-",
      nameSuffix: "-v1",
      images: ["nginx=mirror.local:5000/nginx:1.27"],
      commonLabels: { env: "prod", app: "$ARGOCD_APP_NAME" },
      commonAnnotations: { "radial.dev/owner": "platform", "radial.dev/raw": "$ARGOCD_APP_NAME" },
      patches: [{ target: { kind: "ConfigMap" }, patch: "- op: add\n  path: /data/extra\n  value: patched\n" }],
    },
  });
  const r = repo(KUSTOMIZE_REPO);
  const out = await hydrate(a, { repo: r, revision: REV, kustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/prod-settings-v1", "Deployment/prod-web-v1"]);
  const [configMap, deployment] = out.objects as unknown as [BuiltConfigMap, BuiltDeployment];
  assert.equal(deployment.spec.template.spec.containers[0].image, "mirror.local:5000/nginx:1.27");
  assert.deepEqual(deployment.metadata.labels, { app: "web", env: "prod", team: "web" });
  assert.deepEqual(deployment.spec.selector.matchLabels, { app: "web", env: "prod", team: "web" });
  assert.equal(configMap.metadata.annotations["radial.dev/owner"], "platform");
  // annotations are substituted only with commonAnnotationsEnvsubst, as in Argo CD
  assert.equal(configMap.metadata.annotations["radial.dev/raw"], "$ARGOCD_APP_NAME");
  assert.equal(configMap.data.extra, "patched");
  assert.equal(configMap.metadata.namespace, undefined);
  // the repo was read at the revision, and nothing from the temp copy leaks back
  assert.ok(r.reads.includes("base/deployment.yaml"));

  const again = await hydrate(a, { repo: repo(KUSTOMIZE_REPO, "reversed"), revision: REV, kustomize });
  assert.equal(again.manifests, out.manifests);
  assert.deepEqual(parse(out.manifests.split("---\n")[0]!), configMap);
});

test("kustomize: a label already in the kustomization needs forceCommonLabels, as with Argo CD", { timeout: 15 * 60_000 }, async () => {
  const kustomize = KustomizeBinary(await installKustomize());
  const deps = { repo: repo(KUSTOMIZE_REPO), revision: REV, kustomize };
  await assert.rejects(hydrate(app({ path: "apps/web", kustomize: { commonLabels: { team: "ops" } } }), deps), /label team already in kustomization file/);
  const out = await hydrate(app({ path: "apps/web", kustomize: { commonLabels: { team: "ops" }, forceCommonLabels: true, namespace: "shop" } }), deps);
  const deployment = out.objects[1] as unknown as BuiltDeployment;
  assert.equal(deployment.metadata.labels.team, "ops");
  const tagged = await hydrate(
    app({
      path: "apps/web",
      kustomize: { images: ["nginx:${ARGOCD_APP_REVISION_SHORT}"], commonAnnotations: { rev: "$ARGOCD_APP_REVISION" }, commonAnnotationsEnvsubst: true },
    }),
    deps,
  );
  const d = tagged.objects[1] as unknown as BuiltDeployment;
  assert.equal(d.spec.template.spec.containers[0].image, `nginx:${REV}`);
  assert.equal(d.metadata.annotations.rev, REV);
  assert.equal(deployment.metadata.namespace, "shop");
});

test("kustomize: without options the kustomization is built as is; errors carry kustomize's stderr", { timeout: 15 * 60_000 }, async () => {
  const kustomize = KustomizeBinary(await installKustomize());
  const out = await hydrate(app({ path: "apps/web" }), { repo: repo(KUSTOMIZE_REPO), revision: REV, kustomize });
  assert.deepEqual(names(out.objects), ["ConfigMap/settings", "Deployment/web"]);
  const broken = repo({ ...KUSTOMIZE_REPO, "apps/web/kustomization.yaml": "resources:\n- missing.yaml\n" });
  await assert.rejects(hydrate(app({ path: "apps/web" }), { repo: broken, revision: REV, kustomize }), /kustomize build failed: .*missing\.yaml/s);
  await assert.rejects(
    hydrate(app({ path: "base", directory: {}, kustomize: {} }), { repo: repo(KUSTOMIZE_REPO), revision: REV, kustomize }),
    /spec\.source: has both directory and kustomize/,
  );
});

test("KustomizeBinary kills a build that runs past its timeout and reports a missing binary", async () => {
  const { mkdtemp, writeFile, chmod, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const dir = await mkdtemp(path.join(tmpdir(), "radial-hydrate-test-"));
  try {
    const slow = path.join(dir, "slow-kustomize");
    await writeFile(slow, "#!/bin/sh\necho starting >&2\nexec sleep 30\n");
    await chmod(slow, 0o755);
    await assert.rejects(KustomizeBinary(slow, { timeoutMs: 300 }).build(dir), /kustomize build timed out after 300 ms: starting/);
    await assert.rejects(KustomizeBinary(path.join(dir, "absent")).build(dir), /kustomize binary not found/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("envsubst follows Go os.Expand with Argo CD's mapping", () => {
  const env = { A: "x", ARGOCD_APP_NAME: "web" };
  assert.equal(envsubst("$A-${ARGOCD_APP_NAME}", env), "x-web");
  assert.equal(envsubst("$UNKNOWN/${UNKNOWN}", env), "/");
  assert.equal(envsubst("cost $$5 and $", env), "cost $5 and $");
  assert.equal(envsubst("a $/b ${} ${open", env), "a $/b  open");
});
