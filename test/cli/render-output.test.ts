// `radial render`'s output and its refusals, through the real CLI: the default table, YAML, a single
// file or a folder (*.yaml and *.yml only), the repository defaulting to the current folder, and
// exit 2 for a clusters file or generators path it cannot use (nothing rendered).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "yaml";
import { Application } from "../../contract/index.js";
import { EXIT } from "../../core/exit.js";
import { radial } from "./radial-cli.js";

let dir: string;
const at = (path: string) => join(dir, path);

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(at(path)), { recursive: true });
  await writeFile(at(path), content);
}

const listSet = (name: string, elements: string, options: { project?: string; namespace?: boolean } = {}) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: ${name} }
spec:
  generators:
    - list: { elements: ${elements} }
  template:
    metadata: { name: '{{app}}-${name}' }
    spec:
${options.project ? `      project: ${options.project}\n` : ""}      source: { repoURL: https://git.example/fleet.git, path: 'apps/{{app}}' }
      destination: { server: https://p1${options.namespace === false ? "" : ", namespace: '{{app}}'"} }
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "radial-render-output-"));
  await write("clusters.yaml", "- { name: prod-1, server: https://p1, labels: { env: prod } }\n");
  await write("generators/a.yaml", listSet("a", "[{ app: web }, { app: api }]", { project: "team-a" }));
  await write("generators/b.yml", listSet("b", "[{ app: worker }]", { namespace: false }));
  await write("generators/notes.txt", "not an ApplicationSet\n");
  await write("generators/nested/c.yaml", listSet("c", "[{ app: hidden }]"));
  await write(
    "generators/git.yaml",
    `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: dirs }
spec:
  goTemplate: true
  generators:
    - git: { repoURL: https://git.example/fleet.git, revision: HEAD, directories: [{ path: "apps/*" }] }
  template:
    metadata: { name: 'dir-{{.path.basename}}' }
    spec:
      project: default
      sources: [{ repoURL: https://git.example/fleet.git, path: '{{.path.path}}' }, { repoURL: https://charts.example, chart: extra }]
      destination: { server: https://p1, namespace: '{{.path.basename}}' }
`,
  );
  await write("checkout/apps/only/kustomization.yaml", "resources: []\n");
});

after(() => rm(dir, { recursive: true, force: true }));

const render = (generators: string, extra: string[] = [], cwd?: string) =>
  radial(["render", "--clusters", at("clusters.yaml"), "--generators", generators, ...extra], cwd ? { cwd } : {});

test("the default output is a table sorted by name: project, source (repo and path) and namespace, - when unset", async () => {
  const result = await render(at("generators"), [], at("checkout"));
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      "NAME      CLUSTER  PROJECT  SOURCE                                     NAMESPACE",
      "api-a     prod-1   team-a   https://git.example/fleet.git apps/api     api",
      "dir-only  prod-1   default  https://git.example/fleet.git apps/only    only",
      "web-a     prod-1   team-a   https://git.example/fleet.git apps/web     web",
      "worker-b  prod-1   -        https://git.example/fleet.git apps/worker  -",
      "",
    ].join("\n"),
    "*.yaml and *.yml directly in the folder; notes.txt and nested/ are not read; git reads the current folder",
  );
  assert.equal(result.stderr, "");
});

test("-o yaml prints the Applications as one YAML list; a single file renders alone", async () => {
  const result = await render(at("generators/b.yml"), ["-o", "yaml"]);
  assert.equal(result.status, 0, result.stderr);
  const applications = (parse(result.stdout) as unknown[]).map((a) => Application.parse(a));
  assert.deepEqual(
    applications.map((a) => [a.metadata.name, a.spec.destination.namespace]),
    [["worker-b", undefined]],
  );
});

test("--repo names the checkout the git generators read, whatever their repoURL", async () => {
  await write("other/apps/elsewhere/kustomization.yaml", "resources: []\n");
  const result = await render(at("generators/git.yaml"), ["--repo", at("other"), "-o", "json"]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    (JSON.parse(result.stdout) as { metadata: { name: string } }[]).map((a) => a.metadata.name),
    ["dir-elsewhere"],
  );
});

test("one problem is counted as one, and the Applications that rendered are still printed", async () => {
  await write("broken/ok.yaml", listSet("ok", "[{ app: web }]"));
  await write(
    "broken/bad.yaml",
    "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: bad }\nspec: { generators: [], template: {}, nope: 1 }\n",
  );
  const result = await render(at("broken"), ["-o", "json"]);
  assert.equal(result.status, EXIT.refused);
  assert.match(result.stderr, /^error: 1 problem:\n {2}\S*bad\.yaml: /);
  assert.deepEqual(
    (JSON.parse(result.stdout) as { metadata: { name: string } }[]).map((a) => a.metadata.name),
    ["web-ok"],
  );
});

test("a clusters file or generators path render cannot use exits 2 naming it, and prints nothing", async () => {
  await write("bad-yaml.yaml", "- { name: a\n");
  await write("bad-label.yaml", "- { name: a, labels: { 'bad key': x } }\n");
  await write("not-a-list.yaml", "name: a\n");
  const cases: [args: string[], message: RegExp][] = [
    [["--clusters", at("bad-yaml.yaml"), "--generators", at("generators")], /--clusters \S*bad-yaml\.yaml: /],
    [["--clusters", at("bad-label.yaml"), "--generators", at("generators")], /clusters file \S*bad-label\.yaml: \[0\] a: label key "bad key"/],
    [["--clusters", at("not-a-list.yaml"), "--generators", at("generators")], /invalid clusters file \S*not-a-list\.yaml/],
    [["--clusters", at("missing.yaml"), "--generators", at("generators")], /--clusters \S*missing\.yaml: .*ENOENT/],
    [["--clusters", at("clusters.yaml"), "--generators", at("nowhere")], /--generators \S*nowhere: no such file or folder/],
  ];
  for (const [args, message] of cases) {
    const result = await radial(["render", ...args]);
    assert.equal(result.status, EXIT.usage, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, "");
  }
});
