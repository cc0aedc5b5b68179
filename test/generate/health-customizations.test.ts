// Users' health checks from the fleet repo's health/argocd-cm.yaml: read as Argo CD reads argocd-cm
// (split keys, the older block, `all`, wildcards, useOpenLibs), refused with the key at fault, and
// delivered to every deploy branch by a real generation run against a real git smart-HTTP server,
// where a file that does not read keeps each branch's checks while the rest of the run goes on.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { parse } from "yaml";
import { HealthCustomizations } from "../../contract/health-customizations.js";
import { GitRepository } from "../../lambdas/adapters/git/repository.js";
import { KustomizeBinary } from "../../lambdas/adapters/kustomize/binary.js";
import { GenerationCaches } from "../../lambdas/generate/caches.js";
import { HEALTH_SETTINGS_FILE, HealthSettingsError, parseHealthSettings } from "../../lambdas/generate/health-customizations.js";
import type { InventoryCluster } from "../../lambdas/generate/params.js";
import { runGeneration, type GenerationResult } from "../../lambdas/generate/pipeline/run.js";
import { startGitServer } from "../engines/git-server.js";
import { scratchDir } from "../scratch.js";

const configMap = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata:\n${data}`;

const CERTIFICATE = `    hs = {}
    if obj.status ~= nil and obj.status.conditions ~= nil then
      for i, condition in ipairs(obj.status.conditions) do
        if condition.type == "Ready" and condition.status == "False" then
          hs.status = "Degraded"
          hs.message = condition.message
          return hs
        end
      end
    end
    hs.status = "Healthy"
    return hs
`;

describe("reading argocd-cm's health keys", () => {
  test("split keys, the older block (split keys win), the core group, all and wildcards, and the generic switch", () => {
    const settings = parseHealthSettings(
      configMap(`  url: https://argocd.example.com
  resource.customizations.health.cert-manager.io_Certificate: |
${CERTIFICATE}  resource.customizations.useOpenLibs.cert-manager.io_Certificate: "true"
  resource.customizations.health.ConfigMap: return { status = "Healthy" }
  resource.customizations.health.all: return { status = "Progressing" }
  resource.customizations.health.*.crossplane.io_*: return { status = "Suspended" }
  resource.customizations.ignoreDifferences.apps_Deployment: "jsonPointers: [/spec/replicas]"
  resource.customizations: |
    cert-manager.io/Certificate:
      health.lua: return { status = "Unknown" }
    example.com/Widget:
      health.lua.useOpenLibs: true
      health.lua: |
        return { status = "Degraded", message = "from the block" }
  radial.health.genericConditions: "true"
`),
    );
    assert.deepEqual(
      settings.spec.checks.map((check) => check.groupKind),
      ["*.crossplane.io/*", "*/*", "ConfigMap", "cert-manager.io/Certificate", "example.com/Widget"],
    );
    assert.equal(settings.spec.checks.find((check) => check.groupKind === "cert-manager.io/Certificate")?.lua, CERTIFICATE.replace(/^ {4}/gm, ""));
    assert.equal(settings.spec.genericConditions, true);
    assert.equal(HealthCustomizations.safeParse(settings).success, true);
    assert.equal(parseHealthSettings(configMap("  url: x\n")).spec.genericConditions, false);
  });

  const refused: [string, string, RegExp][] = [
    ["bad YAML", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [\n", /^invalid YAML: line \d+/],
    ["not a ConfigMap", "apiVersion: v1\nkind: Secret\n", /^kind: must be ConfigMap/],
    [
      "a value that is not a string",
      configMap("  radial.health.genericConditions: true\n"),
      /^radial\.health\.genericConditions: must be a string, not boolean$/,
    ],
    [
      "three parts in the group and kind",
      configMap("  resource.customizations.health.a_b_c: return {}\n"),
      /^resource\.customizations\.health\.a_b_c: the group and kind must read/,
    ],
    [
      "a customization type Argo CD does not have",
      configMap("  resource.customizations.healthz.apps_Deployment: x\n"),
      /resource customization type healthz not supported$/,
    ],
    [
      "useOpenLibs that is not a boolean",
      configMap('  resource.customizations.useOpenLibs.apps_Deployment: "yes"\n'),
      /^resource\.customizations\.useOpenLibs\.apps_Deployment: "yes" is not a boolean$/,
    ],
    [
      "an empty script",
      configMap('  resource.customizations.health.apps_Deployment: " "\n'),
      /^resource\.customizations\.health\.apps_Deployment: the health check must be a non-empty Lua script$/,
    ],
    [
      "a wildcard that does not compile",
      configMap("  resource.customizations.health.[a_b: return {}\n"),
      /^resource\.customizations\.health\.\[a_b: not a valid group\/kind pattern/,
    ],
    ["a block that is not YAML", configMap("  resource.customizations: |\n    a: [\n"), /^resource\.customizations: invalid YAML/],
    [
      "a block entry whose script is not text",
      configMap("  resource.customizations: |\n    a/B:\n      health.lua: 3\n"),
      /^resource\.customizations a\/B health\.lua: the health check must be/,
    ],
  ];
  for (const [what, text, message] of refused) {
    test(`refuses ${what}, naming the key`, () => {
      assert.throws(
        () => parseHealthSettings(text),
        (error: unknown) => error instanceof HealthSettingsError && message.test(error.message),
      );
    });
  }
});

const author = { name: "Radial Hub", email: "hub@radial.invalid" };
const clock = () => new Date("2026-01-02T03:04:05Z");
const cluster = (name: string): InventoryCluster => ({ name, server: `https://${name}.example.com`, labels: {}, annotations: {} });

const fleetFiles = (url: string, color: string, health?: string): Record<string, string> => ({
  "generators/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: web }
spec:
  generators:
    - clusters: {}
  template:
    metadata: { name: 'web-{{name}}' }
    spec:
      project: default
      source: { repoURL: ${url}, targetRevision: HEAD, path: apps/web }
      destination: { name: '{{name}}', namespace: web }
`,
  "apps/web/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: ${color}\n`,
  ...(health === undefined ? {} : { [HEALTH_SETTINGS_FILE]: health }),
});

async function setup(t: TestContext) {
  const server = await startGitServer();
  t.after(() => server.stop());
  const dir = await scratchDir(t);
  const url = `${server.url}/fleet.git`;
  await server.createRepo("fleet", {
    seed: fleetFiles(url, "blue", configMap(`  resource.customizations.health.cert-manager.io_Certificate: |\n${CERTIFICATE}`)),
  });
  const hub = new GitRepository({ url, dir: join(dir, "hub") });
  const reader = new GitRepository({ url, dir: join(dir, "reader") });
  const caches = new GenerationCaches();
  const kustomize = KustomizeBinary("kustomize-is-not-needed");
  return {
    url,
    push: (files: Record<string, string>) => hub.writeBranches([{ branch: "main", files, message: "update fleet" }], { author, now: clock() }),
    run: (): Promise<GenerationResult> =>
      runGeneration(
        { clusters: [cluster("a"), cluster("b")], dryRun: false, force: false },
        { fleet: hub, sourceBranch: "main", deploy: hub, kustomize, clock, author, caches },
      ),
    async files(name: string): Promise<Record<string, string>> {
      const commit = await reader.fetch(`radial/clusters/${name}`);
      const out: Record<string, string> = {};
      for (const path of await reader.listFiles(url, commit)) out[path] = new TextDecoder().decode(await reader.readFile(url, commit, path));
      return out;
    },
  };
}

test("a generation run delivers the checks to every branch; a file that does not read keeps them; no file removes them", async (t) => {
  const fleet = await setup(t);
  const first = await fleet.run();
  assert.deepEqual(first.errors, []);
  for (const name of ["a", "b"]) {
    const files = await fleet.files(name);
    const delivered = HealthCustomizations.parse(parse(files[`clusters/${name}/health-customizations.yaml`]!));
    assert.deepEqual(delivered.spec, {
      checks: [{ groupKind: "cert-manager.io/Certificate", lua: CERTIFICATE.replace(/^ {4}/gm, "") }],
      genericConditions: false,
    });
  }
  const before = (await fleet.files("a"))["clusters/a/health-customizations.yaml"];

  // A bad key: the run reports it, changes the manifests all the same, and keeps the branches' checks.
  await fleet.push(fleetFiles(fleet.url, "green", configMap('  resource.customizations.useOpenLibs.cert-manager.io_Certificate: "maybe"\n')));
  const bad = await fleet.run();
  assert.deepEqual(bad.errors, [
    {
      file: HEALTH_SETTINGS_FILE,
      field: "resource.customizations.useOpenLibs.cert-manager.io_Certificate",
      message: 'resource.customizations.useOpenLibs.cert-manager.io_Certificate: "maybe" is not a boolean; every cluster keeps the health checks it has',
    },
  ]);
  const kept = await fleet.files("a");
  assert.equal(kept["clusters/a/health-customizations.yaml"], before);
  assert.match(kept["clusters/a/web-a/manifests.yaml"]!, /color: green/);

  // Bad YAML: the same.
  await fleet.push(fleetFiles(fleet.url, "green", "data: [\n"));
  const broken = await fleet.run();
  assert.equal(broken.errors.length, 1);
  assert.match(broken.errors[0]!.message, /^invalid YAML: line \d+, column \d+: .*; every cluster keeps the health checks it has$/);
  assert.equal((await fleet.files("b"))["clusters/b/health-customizations.yaml"], before);

  // The generic switch alone; then no file at all.
  await fleet.push(fleetFiles(fleet.url, "green", configMap('  radial.health.genericConditions: "true"\n')));
  assert.deepEqual((await fleet.run()).errors, []);
  assert.deepEqual(HealthCustomizations.parse(parse((await fleet.files("a"))["clusters/a/health-customizations.yaml"]!)).spec, {
    checks: [],
    genericConditions: true,
  });
  await fleet.push(fleetFiles(fleet.url, "green"));
  const none = await fleet.run();
  assert.deepEqual(none.errors, []);
  assert.deepEqual(
    none.clusters.map((c) => c.commit !== null),
    [true, true],
  );
  assert.deepEqual(Object.keys(await fleet.files("a")).sort(), ["clusters/a/web-a/application.yaml", "clusters/a/web-a/manifests.yaml"]);
});
