/**
 * Hydration: turn an Application's sources into plain manifests, deterministically. A
 * multi-source Application (`spec.sources`) gives one list: each source hydrated as below, a source
 * with only a `ref` lending its files to the others' `$<ref>/…` value files.
 *
 * - Directory sources: `*.yaml`, `*.yml`, `*.json` directly in the folder (or below it with
 *   `directory.recurse`), filtered by `directory.exclude` then `directory.include` (Argo CD globs on
 *   the path relative to the app folder). `.jsonnet` files are refused.
 * - Kustomize sources (folder has a kustomization file, or `spec.source.kustomize` is set): the repo
 *   tree at the revision is written to a temp dir, the Application's kustomize options are written
 *   into the kustomization file there, and `kustomize build` runs on the app folder.
 * - Helm sources (`chart` from a chart repository or registry, `helm` options, or a folder with a
 *   Chart.yaml and no kustomization): `helm template`, as Argo CD runs it (./helm.ts).
 * - Objects whose `items` is an array (`List` kinds) are expanded into their items, as Argo CD does.
 * - Output order: API group, kind, namespace, name (then apiVersion, then content); each object is
 *   serialized with the same `yaml` options; documents are joined with `---\n`. Namespaces are left
 *   as written: the agent, which has discovery, sets them.
 */
import type { Application } from "../../../contract/application.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { buildEnv } from "./envsubst.js";
import { globMatch } from "../../../core/glob.js";
import type { HelmRunner, KustomizeRunner, SourceCheckout } from "../../ports.js";
import { hydrateHelm, type CapabilitiesLookup, type SourceFiles } from "./helm.js";
import { applyKustomizeOptions, findKustomization, withRepoTree } from "./kustomize.js";
import { expandAndCheck, parseJsonManifests, parseYamlManifests, render, ManifestError, type K8sObject } from "../../../core/manifests/objects.js";
import { HydrationError, plan, type DirectoryOptions, type Plan } from "./source.js";

export { HydrationError } from "./source.js";
export { ManifestError } from "../../../core/manifests/objects.js";
export type { CapabilitiesLookup, ClusterCapabilities } from "./helm.js";

export interface HydrateDeps {
  repo: RepoReader;
  /** The commit to read the source repo at. */
  revision: string;
  /** Sources read elsewhere (another repository or revision), by index in `spec.sources` (0 for `spec.source`). */
  checkouts?: readonly (SourceCheckout | undefined)[];
  kustomize: KustomizeRunner;
  /** Without it, helm sources are refused. */
  helm?: HelmRunner | undefined;
  /** What the destination cluster reports, for helm's `--kube-version` and `--api-versions`. */
  capabilities?: CapabilitiesLookup | undefined;
}

export interface Hydrated {
  /** The objects, in output order. */
  objects: Record<string, unknown>[];
  /** The objects as one multi-document YAML string ending with a newline ("" when there are none). */
  manifests: string;
  /** Whether the output depends on the destination cluster's capabilities (a chart asked for them). */
  readsCapabilities: boolean;
}

/** Every source of the Application hydrated into one list of objects, in output order. */
export async function hydrate(application: Application, deps: HydrateDeps): Promise<Hydrated> {
  const plans = plan(application);
  const sources = application.spec.sources ?? [application.spec.source!];
  const refs = new Map<string, SourceFiles>();
  for (const p of plans) {
    const ref = sources[p.index]?.ref;
    const chart = p.type === "helm" && p.chart !== undefined;
    if (ref !== undefined && application.spec.sources !== undefined && !chart) refs.set(ref, filesOf(p, deps));
  }
  let readsCapabilities = false;
  // Marked even without a lookup: a chart rendered with helm's defaults is not valid for a cluster that reported.
  const capabilities: CapabilitiesLookup = async () => {
    readsCapabilities = true;
    return deps.capabilities?.();
  };
  const objects: K8sObject[] = [];
  for (const p of plans) if (p.type !== "ref") objects.push(...(await hydrateSource(application, p, { ...deps, capabilities }, refs)));
  return { ...render(objects), readsCapabilities };
}

function filesOf(p: Plan, deps: HydrateDeps): SourceFiles {
  const checkout = deps.checkouts?.[p.index];
  return { reader: checkout?.reader ?? deps.repo, repoURL: p.repoURL, revision: checkout?.revision ?? deps.revision };
}

async function hydrateSource(
  application: Application,
  p: Exclude<Plan, { type: "ref" }>,
  deps: HydrateDeps,
  refs: Map<string, SourceFiles>,
): Promise<K8sObject[]> {
  const source = filesOf(p, deps);
  const helm = (helmPlan: Extract<Plan, { type: "helm" }>) =>
    hydrateHelm(application, helmPlan, {
      helm: deps.helm,
      checkout: helmPlan.chart === undefined ? source : undefined,
      refs,
      capabilities: deps.capabilities,
      env: buildEnv(application, source.revision),
    });
  if (p.type === "helm" && p.chart !== undefined) return helm(p);

  const files = await source.reader.listFiles(p.repoURL, source.revision);
  const fileSet = new Set(files);
  const inApp = p.path === "" ? files : files.filter((f) => f.startsWith(`${p.path}/`));
  if (inApp.length === 0)
    throw new HydrationError(`${p.field}.path`, `${p.path === "" ? "the repository" : JSON.stringify(p.path)} has no files at ${source.revision}`);

  if (p.type === "directory") return readDirectory(source, p.path, inApp, p.directory);
  const chartYaml = p.path === "" ? "Chart.yaml" : `${p.path}/Chart.yaml`;
  if (p.type === "helm") {
    if (!fileSet.has(chartYaml)) throw new HydrationError(`${p.field}.helm`, `is set but ${JSON.stringify(p.path || ".")} has no Chart.yaml`);
    return helm(p);
  }

  const kustomization = findKustomization(fileSet, p.path);
  if (p.auto && kustomization === undefined) {
    if (fileSet.has(chartYaml)) return helm({ ...p, type: "helm", version: "", helm: {} });
    return readDirectory(source, p.path, inApp, {});
  }
  if (kustomization === undefined) throw new HydrationError(`${p.field}.kustomize`, `is set but ${JSON.stringify(p.path || ".")} has no kustomization file`);

  const output = await withRepoTree(source.reader, p.repoURL, source.revision, files, async (root) => {
    await applyKustomizeOptions(`${root}/${kustomization}`, p.kustomize, buildEnv(application, source.revision));
    return deps.kustomize.build(p.path === "" ? root : `${root}/${p.path}`);
  });
  const where = `kustomize build of ${p.path || "."}`;
  return expandAndCheck(parseYamlManifests(output, where), where);
}

const MANIFEST_FILE = /\.(yaml|yml|json|jsonnet)$/;

async function readDirectory(source: SourceFiles, appPath: string, inApp: string[], options: DirectoryOptions): Promise<K8sObject[]> {
  const prefix = appPath === "" ? "" : `${appPath}/`;
  const selected = inApp
    .map((file) => ({ file, rel: file.slice(prefix.length) }))
    .filter(({ rel }) => options.recurse === true || !rel.includes("/"))
    .filter(({ rel }) => MANIFEST_FILE.test(rel.slice(rel.lastIndexOf("/") + 1)))
    .filter(({ rel }) => !(options.exclude && globMatch(options.exclude, rel)))
    .filter(({ rel }) => !options.include || globMatch(options.include, rel))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const objects: K8sObject[] = [];
  for (const { file } of selected) {
    if (file.endsWith(".jsonnet")) throw new ManifestError(`${file}: jsonnet is not supported for hydration yet`);
    const text = stripBom(new TextDecoder("utf-8", { fatal: false }).decode(await source.reader.readFile(source.repoURL, source.revision, file)));
    const parsed = file.endsWith(".json") ? parseJsonManifests(text, file) : parseYamlManifests(text, file);
    objects.push(...expandAndCheck(parsed, file));
  }
  return objects;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
