/**
 * Hydration: turn an Application's single git source into plain manifests, deterministically.
 *
 * - Directory sources: `*.yaml`, `*.yml`, `*.json` directly in the folder (or below it with
 *   `directory.recurse`), filtered by `directory.exclude` then `directory.include` (Argo CD globs on
 *   the path relative to the app folder). `.jsonnet` files are refused.
 * - Kustomize sources (folder has a kustomization file, or `spec.source.kustomize` is set): the repo
 *   tree at the revision is written to a temp dir, the Application's kustomize options are written
 *   into the kustomization file there, and `kustomize build` runs on the app folder.
 * - Objects whose `items` is an array (`List` kinds) are expanded into their items, as Argo CD does.
 * - Output order: API group, kind, namespace, name (then apiVersion, then content); each object is
 *   serialized with the same `yaml` options; documents are joined with `---\n`. Namespaces are left
 *   as written: the agent, which has discovery, sets them.
 */
import type { Application } from "../../../contract/application.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { buildEnv } from "./envsubst.js";
import { globMatch } from "./glob.js";
import type { KustomizeRunner } from "../../ports.js";
import { applyKustomizeOptions, findKustomization, withRepoTree } from "./kustomize.js";
import { expandAndCheck, parseJsonManifests, parseYamlManifests, render, ManifestError, type K8sObject } from "../../../core/manifests/objects.js";
import { HydrationError, plan, type DirectoryOptions } from "./source.js";

export { HydrationError } from "./source.js";
export { ManifestError } from "../../../core/manifests/objects.js";

export interface HydrateDeps {
  repo: RepoReader;
  /** The commit to read the source repo at. */
  revision: string;
  kustomize: KustomizeRunner;
}

export interface Hydrated {
  /** The objects, in output order. */
  objects: Record<string, unknown>[];
  /** The objects as one multi-document YAML string ending with a newline ("" when there are none). */
  manifests: string;
}

export async function hydrate(application: Application, deps: HydrateDeps): Promise<Hydrated> {
  const p = plan(application);
  const files = await deps.repo.listFiles(p.repoURL, deps.revision);
  const fileSet = new Set(files);
  const inApp = p.path === "" ? files : files.filter((f) => f.startsWith(`${p.path}/`));
  if (inApp.length === 0)
    throw new HydrationError("spec.source.path", `${p.path === "" ? "the repository" : JSON.stringify(p.path)} has no files at ${deps.revision}`);

  if (p.type === "directory") return render(await readDirectory(deps, p.repoURL, p.path, inApp, p.directory));

  const kustomization = findKustomization(fileSet, p.path);
  if (p.auto && kustomization === undefined) {
    const helm = p.path === "" ? "Chart.yaml" : `${p.path}/Chart.yaml`;
    if (fileSet.has(helm)) throw new HydrationError("spec.source.path", `${helm} makes this a helm source; helm sources are not supported for hydration yet`);
    return render(await readDirectory(deps, p.repoURL, p.path, inApp, {}));
  }
  if (kustomization === undefined) throw new HydrationError("spec.source.kustomize", `is set but ${JSON.stringify(p.path || ".")} has no kustomization file`);

  const output = await withRepoTree(deps.repo, p.repoURL, deps.revision, files, async (root) => {
    await applyKustomizeOptions(`${root}/${kustomization}`, p.kustomize, buildEnv(application, deps.revision));
    return deps.kustomize.build(p.path === "" ? root : `${root}/${p.path}`);
  });
  const where = `kustomize build of ${p.path || "."}`;
  return render(expandAndCheck(parseYamlManifests(output, where), where));
}

const MANIFEST_FILE = /\.(yaml|yml|json|jsonnet)$/;

async function readDirectory(deps: HydrateDeps, repoURL: string, appPath: string, inApp: string[], options: DirectoryOptions): Promise<K8sObject[]> {
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
    const text = stripBom(new TextDecoder("utf-8", { fatal: false }).decode(await deps.repo.readFile(repoURL, deps.revision, file)));
    const parsed = file.endsWith(".json") ? parseJsonManifests(text, file) : parseYamlManifests(text, file);
    objects.push(...expandAndCheck(parsed, file));
  }
  return objects;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
