import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { Application } from "../../contract/index.js";
import { radial } from "./radial-cli.js";

let dir: string;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "radial-render-"));
  await write("clusters.yaml", "- { name: prod-1, server: https://p1, labels: { env: prod } }\n- { name: dev-1, server: https://d1, labels: { env: dev } }\n");
  await write("repo/apps/web/kustomization.yaml", "resources: []\n");
  await write("repo/apps/api/kustomization.yaml", "resources: []\n");
  await write(
    "generators/apps.yaml",
    `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: apps }
spec:
  goTemplate: true
  generators:
    - matrix:
        generators:
          - git: { repoURL: https://git.example/fleet.git, revision: HEAD, directories: [{ path: "apps/*" }] }
          - clusters: { selector: { matchLabels: { env: prod } } }
  template:
    metadata: { name: '{{.path.basename}}-{{.name}}' }
    spec:
      project: default
      source: { repoURL: https://git.example/fleet.git, targetRevision: HEAD, path: '{{.path.path}}' }
      destination: { name: '{{.name}}', namespace: '{{.path.basename}}' }
`,
  );
});
after(() => rm(dir, { recursive: true, force: true }));

test("radial render prints the Applications sorted by name, as one JSON array", async () => {
  const result = await radial([
    "render",
    "--clusters",
    join(dir, "clusters.yaml"),
    "--generators",
    join(dir, "generators"),
    "--repo",
    join(dir, "repo"),
    "-o",
    "json",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const applications = (JSON.parse(result.stdout) as unknown[]).map((a) => Application.parse(a));
  assert.deepEqual(
    applications.map((a) => a.metadata.name),
    ["api-prod-1", "web-prod-1"],
  );
  assert.equal(applications[1]!.spec.source!.path, "apps/web");
  assert.deepEqual(applications[1]!.spec.destination, { name: "prod-1", namespace: "web" });
});

test("a broken file makes render exit 1 naming file and field, and the valid Applications are still printed", async () => {
  await write(
    "generators/zz-broken.yaml",
    "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: broken }\nspec:\n  generators: [{ list: { elements: [{ a: 1 }] } }]\n  template: {}\n  strategy: { type: RollingSync }\n",
  );
  const result = await radial([
    "render",
    "--clusters",
    join(dir, "clusters.yaml"),
    "--generators",
    join(dir, "generators"),
    "--repo",
    join(dir, "repo"),
    "-o",
    "json",
  ]);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /zz-broken\.yaml: spec\.strategy: progressive syncs/);
  assert.equal((JSON.parse(result.stdout) as unknown[]).length, 2);
});
