import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import type { RepoReader } from "../../../core/git/reader.js";
import { yamlErrorText } from "../../../core/manifests/yaml-error.js";
import { envsubst } from "./envsubst.js";
import { isSafeRepoPath, type KustomizeOptions } from "./source.js";

/** File names kustomize accepts for a kustomization, in the order it looks for them. */
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** The kustomization file directly in `dir` (a repo path, "" for root), from the repo listing. */
export function findKustomization(files: ReadonlySet<string>, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const path = dir === "" ? name : `${dir}/${name}`;
    if (files.has(path)) return path;
  }
  return undefined;
}

/**
 * Writes every file of the repo at `revision` under a new temp dir and calls `use` with it; the dir
 * is removed afterwards. The whole tree is copied because a kustomization may reference any folder
 * of the repo (bases, components, patches). Paths that could escape the dir are refused.
 */
export async function withRepoTree<T>(repo: RepoReader, repoURL: string, revision: string, files: string[], use: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), "radial-hydrate-"));
  try {
    for (const file of files) if (!isSafeRepoPath(file)) throw new Error(`refusing repository file path ${JSON.stringify(file)}`);
    const dirs = new Set(files.map((f) => dirname(join(root, f))));
    for (const dir of [...dirs].sort()) await mkdir(dir, { recursive: true });
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++]!;
        await writeFile(join(root, file), await repo.readFile(repoURL, revision, file));
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
    return await use(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Applies the Application's `spec.source.kustomize` options to the kustomization file, to the same
 * effect as the `kustomize edit` commands Argo CD runs (set nameprefix/namesuffix/namespace, set
 * image, add label/annotation [--force]) and its direct append of `patches`. Images and label values
 * (annotation values with `commonAnnotationsEnvsubst`) get ARGOCD_APP_* variables substituted.
 */
export async function applyKustomizeOptions(file: string, options: KustomizeOptions, env: Record<string, string> = {}): Promise<void> {
  const edits = Object.entries<unknown>(options).filter(([, v]) => v !== undefined);
  if (edits.length === 0) return;
  const doc = parseDocument(await readFile(file, "utf8"));
  if (doc.errors.length > 0) throw new Error(`kustomization ${file}: ${yamlErrorText(doc.errors[0])}`);
  doc.contents ??= doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error(`kustomization ${file} is not a mapping`);

  if (options.namePrefix !== undefined) doc.set("namePrefix", options.namePrefix);
  if (options.nameSuffix !== undefined) doc.set("nameSuffix", options.nameSuffix);
  if (options.namespace !== undefined) doc.set("namespace", options.namespace);

  if (options.images && options.images.length > 0) {
    const images = (doc.toJS() as { images?: Record<string, unknown>[] | null }).images ?? [];
    for (const spec of options.images) setImage(images, parseImage(envsubst(spec, env)));
    doc.set("images", doc.createNode(images));
  }

  const addToMap = (
    key: "commonLabels" | "commonAnnotations",
    entries: Record<string, string> | undefined,
    force: boolean,
    noun: string,
    substitute: boolean,
  ) => {
    if (!entries || Object.keys(entries).length === 0) return;
    let map = doc.get(key);
    if (map === undefined || map === null) {
      map = new YAMLMap();
      doc.set(key, map);
    }
    if (!isMap(map)) throw new Error(`kustomization ${file}: ${key} is not a mapping`);
    for (const [name, value] of Object.entries(entries)) {
      if (map.has(name) && !force)
        throw new Error(
          `kustomize: ${noun} ${name} already in kustomization file (set spec.source.kustomize.force${key[0]!.toUpperCase()}${key.slice(1)} to override)`,
        );
      map.set(name, substitute ? envsubst(value, env) : value);
    }
  };
  addToMap("commonLabels", options.commonLabels, options.forceCommonLabels ?? false, "label", true);
  addToMap("commonAnnotations", options.commonAnnotations, options.forceCommonAnnotations ?? false, "annotation", options.commonAnnotationsEnvsubst ?? false);

  if (options.patches && options.patches.length > 0) {
    let seq = doc.get("patches");
    if (seq === undefined || seq === null) {
      seq = new YAMLSeq();
      doc.set("patches", seq);
    }
    if (!isSeq(seq)) throw new Error(`kustomization ${file}: patches is not a list`);
    for (const patch of options.patches) seq.add(doc.createNode(patch));
  }
  await writeFile(file, doc.toString({ lineWidth: 0 }));
}

export interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/**
 * Parses an Argo CD / `kustomize edit set image` image: `name=newName:tag`, `name=newName@digest`,
 * `name=newName`, `name:tag`, `name@digest`. A `:` before the last `/` is a registry port.
 */
export function parseImage(spec: string): Image {
  const eq = spec.indexOf("=");
  const name = eq === -1 ? undefined : spec.slice(0, eq);
  const ref = splitReference(eq === -1 ? spec : spec.slice(eq + 1));
  if (name === undefined) {
    if (ref.tag === undefined && ref.digest === undefined)
      throw new Error(`spec.source.kustomize.images: ${JSON.stringify(spec)} sets neither a new name, a tag nor a digest`);
    return { name: ref.name, ...(ref.tag !== undefined && { newTag: ref.tag }), ...(ref.digest !== undefined && { digest: ref.digest }) };
  }
  if (name === "" || ref.name === "") throw new Error(`spec.source.kustomize.images: cannot parse ${JSON.stringify(spec)}`);
  return { name, newName: ref.name, ...(ref.tag !== undefined && { newTag: ref.tag }), ...(ref.digest !== undefined && { digest: ref.digest }) };
}

function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest !== undefined && { digest }) };
  return { name: rest, ...(digest !== undefined && { digest }) };
}

/** As `kustomize edit set image`: update the entry with the same name, or append one. */
function setImage(images: Record<string, unknown>[], image: Image): void {
  const existing = images.find((i) => i.name === image.name);
  if (!existing) {
    images.push({ ...image });
    return;
  }
  if (image.newName !== undefined) existing.newName = image.newName;
  if (image.newTag !== undefined) {
    existing.newTag = image.newTag;
    if (image.digest === undefined) delete existing.digest;
  }
  if (image.digest !== undefined) {
    existing.digest = image.digest;
    if (image.newTag === undefined) delete existing.newTag;
  }
}
