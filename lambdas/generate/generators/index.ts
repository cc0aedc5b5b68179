// ApplicationSet generators (list, clusters, git directories/files, matrix, merge, post-selector)
// with Argo CD's parameter names and shapes. Written after argoproj/argo-cd's
// applicationset/generators/*.go and generator_spec_processor.go (Transform); domain code, no I/O
// but the RepoReader it is given.
import { selectorFromObject, matches, SelectorError, type LabelSelectorObject } from "../../../core/labels/selector.js";
import { ApplicationSetError, type InventoryCluster, type Params } from "../params.js";
import type { RepoReader } from "../../../core/git/reader.js";
import { renderTemplate } from "../template/index.js";
import { gitPathspecMatch, goPathMatch } from "./glob.js";
import { applyPostSelector, parsePostSelector } from "./post-selector.js";
import { deepMerge, flatten, goString, isObject, parseYamlLikeGo, sanitizeName } from "./values.js";

export interface GeneratorContext {
  clusters: InventoryCluster[];
  repo: RepoReader;
  /** Resolves a repo's ref (branch, tag, HEAD) to the commit this run reads. */
  revision: (repoURL: string, targetRevision: string) => string;
  goTemplate: boolean;
  goTemplateOptions: string[];
  /** Where this generator sits, e.g. `spec.generators[0]`, for error messages. */
  field: string;
}

/** The label every Argo CD cluster Secret carries; Argo's cluster generator exposes and matches it. */
export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

const UNSUPPORTED_GENERATORS = ["scmProvider", "pullRequest", "plugin", "clusterDecisionResource"] as const;
const SUPPORTED_GENERATORS = ["list", "clusters", "git", "matrix", "merge"] as const;
type GeneratorKind = (typeof SUPPORTED_GENERATORS)[number];

/** How deep a generator sits: top-level entries may hold matrix/merge, whose children may hold one more level, whose children are terminal. */
type Level = "top" | "nested" | "terminal";

/**
 * The parameter sets one entry of `spec.generators` yields, after its post-selector. Anything
 * Radial does not evaluate (SCM provider, pull request, plugin, cluster-decision-resource,
 * unknown fields, per-generator `template`) is refused with an ApplicationSetError naming it.
 */
export async function generateParams(generator: unknown, context: GeneratorContext): Promise<Params[]> {
  return transform(generator, context, context.field, "top", undefined);
}

/** Argo's Transform: pick the one generator, interpolate it with the matrix's first-child params, run it, post-select. */
async function transform(generator: unknown, context: GeneratorContext, field: string, level: Level, interpolateWith: Params | undefined): Promise<Params[]> {
  if (!isObject(generator)) throw new ApplicationSetError(field, "a generator must be an object such as { list: … } or { clusters: … }");
  const kind = generatorKind(generator, field, level);
  let spec = generator;
  if (interpolateWith !== undefined && Object.keys(interpolateWith).length > 0) spec = interpolateGenerator(generator, interpolateWith, context, field);
  const selector = parsePostSelector(spec["selector"], `${field}.selector`);
  const inner = spec[kind];
  const where = `${field}.${kind}`;
  if (!isObject(inner)) throw new ApplicationSetError(where, "must be an object");
  rejectTemplate(inner, where, level);
  let params: Params[];
  switch (kind) {
    case "list":
      params = listParams(inner, context, where);
      break;
    case "clusters":
      params = clusterParams(inner, context, where);
      break;
    case "git":
      params = await gitParams(inner, context, where);
      break;
    case "matrix":
      params = await matrixParams(inner, context, where, level);
      break;
    case "merge":
      params = await mergeParams(inner, context, where, level);
      break;
  }
  return applyPostSelector(selector, params);
}

function generatorKind(generator: Record<string, unknown>, field: string, level: Level): GeneratorKind {
  const kinds: GeneratorKind[] = [];
  for (const key of Object.keys(generator)) {
    if (key === "selector") continue;
    if ((UNSUPPORTED_GENERATORS as readonly string[]).includes(key)) throw new ApplicationSetError(`${field}.${key}`, `the ${key} generator is not supported by Radial`);
    if (!(SUPPORTED_GENERATORS as readonly string[]).includes(key)) throw new ApplicationSetError(`${field}.${key}`, `unknown generator "${key}" (Radial supports ${SUPPORTED_GENERATORS.join(", ")} and the post-generator selector)`);
    if (generator[key] === null || generator[key] === undefined) continue;
    kinds.push(key as GeneratorKind);
  }
  if (kinds.length === 0) throw new ApplicationSetError(field, `names no generator: give exactly one of ${SUPPORTED_GENERATORS.join(", ")}`);
  if (kinds.length > 1) throw new ApplicationSetError(field, `names ${kinds.length} generators (${kinds.join(", ")}); give each generator its own entry`);
  const kind = kinds[0]!;
  if (level === "terminal" && (kind === "matrix" || kind === "merge")) {
    throw new ApplicationSetError(`${field}.${kind}`, "Argo CD nests matrix and merge generators only two levels deep; a generator at this depth must be list, clusters or git");
  }
  return kind;
}

function rejectUnknownFields(object: Record<string, unknown>, allowed: string[], field: string, what: string) {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new ApplicationSetError(`${field}.${key}`, `unknown field of the ${what} generator (it has ${allowed.join(", ")})`);
  }
}

/**
 * A generator's own `template` overrides the spec template in Argo CD (top level), and is ignored
 * by Argo for matrix/merge children. Radial renders the spec template only, so a non-empty one is
 * refused by name rather than ignored.
 */
function rejectTemplate(inner: Record<string, unknown>, field: string, level: Level) {
  const template = inner["template"];
  if (template === undefined || template === null || (isObject(template) && Object.keys(template).length === 0)) return;
  const why =
    level === "top"
      ? "a per-generator template is not supported by Radial; move it into spec.template (or use spec.templatePatch)"
      : "a template on a matrix or merge child is ignored by Argo CD; remove it";
  throw new ApplicationSetError(`${field}.template`, why);
}

// ---------------------------------------------------------------------------------------------
// Templating helpers

function render(text: string, params: Params, context: GeneratorContext, goTemplateOptions = context.goTemplateOptions): string {
  return renderTemplate(text, params, { goTemplate: context.goTemplate, goTemplateOptions }) as string;
}

function stringMap(raw: unknown, field: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new ApplicationSetError(field, "must be a map of strings");
  for (const [k, v] of Object.entries(raw)) if (typeof v !== "string") throw new ApplicationSetError(`${field}.${k}`, "must be a string");
  return raw as Record<string, string>;
}

/**
 * value_interpolation.go appendTemplatedValues: every `values` entry is rendered with the
 * params generated so far (not with the other values) and added as `values.<k>` (plain) or
 * under `values` (goTemplate).
 */
function appendValues(params: Params, values: Record<string, string>, context: GeneratorContext, field: string): Params {
  const entries = Object.entries(values);
  if (entries.length === 0) return params;
  const rendered: Record<string, string> = {};
  for (const [k, v] of entries) {
    try {
      rendered[k] = render(v, params, context);
    } catch (error) {
      throw new ApplicationSetError(`${field}.values.${k}`, `failed to render: ${(error as Error).message}`);
    }
  }
  if (context.goTemplate) return { ...params, values: rendered };
  const out = { ...params };
  for (const [k, v] of Object.entries(rendered)) out[`values.${k}`] = v;
  return out;
}

function isMissingKeyError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.includes("map has no entry for key") || message.includes("can't evaluate field");
}

/**
 * utils.RenderGeneratorParams: the matrix's second child is rendered with each param set of the
 * first. With goTemplate the missingkey option is forced to `error`, except inside the `values`
 * of clusters and git generators, where a value that refers to a key the first child lacks is
 * left as written (it usually names the child's own params, rendered later).
 */
function interpolateGenerator(generator: Record<string, unknown>, params: Params, context: GeneratorContext, field: string): Record<string, unknown> {
  const options = context.goTemplate ? [...context.goTemplateOptions.filter((o) => !o.startsWith("missingkey=")), "missingkey=error"] : context.goTemplateOptions;
  const renderTree = (tree: unknown, where: string): unknown => {
    try {
      return renderTemplate(tree, params, { goTemplate: context.goTemplate, goTemplateOptions: options });
    } catch (error) {
      throw new ApplicationSetError(where, `failed to interpolate the first generator's params: ${(error as Error).message}`);
    }
  };
  const walk = (gen: Record<string, unknown>, where: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(gen)) {
      if ((key === "clusters" || key === "git") && isObject(value)) {
        const { values, ...rest } = value;
        const renderedRest = renderTree(rest, `${where}.${key}`) as Record<string, unknown>;
        if (isObject(values)) {
          const renderedValues: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(values)) {
            if (typeof v !== "string") {
              renderedValues[k] = v;
              continue;
            }
            try {
              renderedValues[k] = renderTemplate(v, params, { goTemplate: context.goTemplate, goTemplateOptions: options });
            } catch (error) {
              if (isMissingKeyError(error)) renderedValues[k] = v;
              else throw new ApplicationSetError(`${where}.${key}.values.${k}`, `failed to interpolate: ${(error as Error).message}`);
            }
          }
          out[key] = { ...renderedRest, values: renderedValues };
        } else {
          out[key] = values === undefined ? renderedRest : { ...renderedRest, values };
        }
      } else if ((key === "matrix" || key === "merge") && isObject(value) && Array.isArray(value["generators"])) {
        const { generators, ...rest } = value;
        const children = (generators as unknown[]).map((child, i) => (isObject(child) ? walk(child, `${where}.${key}.generators[${i}]`) : child));
        out[key] = { ...(renderTree(rest, `${where}.${key}`) as Record<string, unknown>), generators: children };
      } else {
        out[key] = renderTree(value, `${where}.${key}`);
      }
    }
    return out;
  };
  return walk(generator, field);
}

// ---------------------------------------------------------------------------------------------
// list

/** list.go: plain templates take string values (and a `values` map → `values.<k>`); goTemplate keeps elements as they are. */
function listParams(list: Record<string, unknown>, context: GeneratorContext, field: string): Params[] {
  rejectUnknownFields(list, ["elements", "elementsYaml", "template"], field, "list");
  const elements = list["elements"] ?? [];
  if (!Array.isArray(elements)) throw new ApplicationSetError(`${field}.elements`, "must be a list");
  const out: Params[] = [];
  elements.forEach((element: unknown, index) => {
    const where = `${field}.elements[${index}]`;
    if (element === null) {
      out.push({});
      return;
    }
    if (!isObject(element)) throw new ApplicationSetError(where, "each element must be an object");
    if (context.goTemplate) {
      out.push(element);
      return;
    }
    const params: Params = {};
    for (const [key, value] of Object.entries(element)) {
      if (key === "values") {
        if (!isObject(value)) throw new ApplicationSetError(`${where}.values`, "error parsing values map: must be a map of strings");
        for (const [k, v] of Object.entries(value)) {
          if (typeof v !== "string") throw new ApplicationSetError(`${where}.values.${k}`, "must be a string (without goTemplate, list values must be strings, as in Argo CD)");
          params[`values.${k}`] = v;
        }
      } else {
        if (typeof value !== "string") throw new ApplicationSetError(`${where}.${key}`, "must be a string (without goTemplate, list element values must be strings, as in Argo CD; quote numbers and booleans)");
        params[key] = value;
      }
    }
    out.push(params);
  });
  const elementsYaml = list["elementsYaml"];
  if (elementsYaml !== undefined && elementsYaml !== null && elementsYaml !== "") {
    if (typeof elementsYaml !== "string") throw new ApplicationSetError(`${field}.elementsYaml`, "must be a string of YAML");
    let parsed: unknown;
    try {
      parsed = parseYamlLikeGo(elementsYaml);
    } catch (error) {
      throw new ApplicationSetError(`${field}.elementsYaml`, `error unmarshalling elementsYaml: ${(error as Error).message}`);
    }
    if (parsed === null) parsed = [];
    if (!Array.isArray(parsed)) throw new ApplicationSetError(`${field}.elementsYaml`, "must be a YAML list of objects");
    parsed.forEach((item: unknown, index) => {
      if (item !== null && !isObject(item)) throw new ApplicationSetError(`${field}.elementsYaml[${index}]`, "each element must be an object");
      // Appended as parsed (nested), whatever the template style, as list.go does.
      out.push(item ?? {});
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// clusters

/**
 * cluster.go: one param set per registered cluster matching `selector`. Radial differences:
 * - there is no implicit `in-cluster` (the hub manages no cluster of its own);
 * - every cluster carries the label `argocd.argoproj.io/secret-type: cluster`, as every Argo CD
 *   cluster Secret does, so templates and selectors that use it behave the same;
 * - `project` is always "" (Radial clusters have no Argo CD project);
 * - a cluster registered without a server gets `server: ""` (Argo's param for a Secret without
 *   a server field is also ""); such a cluster can only be targeted by `destination.name`;
 * - clusters come in name order (Argo iterates a Go map, so its order is random).
 */
interface ClusterView {
  cluster: InventoryCluster;
  /** Its labels as Argo CD's cluster Secret carries them. */
  labels: Record<string, string>;
  nameNormalized: string;
}

/** The inventory sorted by name, with each cluster's labels, once per inventory list: every cluster generator of a run shares it. */
const clusterViews = new WeakMap<InventoryCluster[], ClusterView[]>();

function clusterViewsOf(clusters: InventoryCluster[]): ClusterView[] {
  let views = clusterViews.get(clusters);
  if (!views) {
    views = [...clusters]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((cluster) => ({ cluster, labels: { ...cluster.labels, [CLUSTER_SECRET_TYPE_LABEL]: "cluster" }, nameNormalized: sanitizeName(cluster.name) }));
    clusterViews.set(clusters, views);
  }
  return views;
}

function clusterParams(spec: Record<string, unknown>, context: GeneratorContext, field: string): Params[] {
  rejectUnknownFields(spec, ["selector", "values", "flatList", "template"], field, "clusters");
  const rawSelector = spec["selector"] ?? {};
  if (!isObject(rawSelector)) throw new ApplicationSetError(`${field}.selector`, "must be a label selector (matchLabels, matchExpressions)");
  for (const key of Object.keys(rawSelector)) if (key !== "matchLabels" && key !== "matchExpressions") throw new ApplicationSetError(`${field}.selector.${key}`, "unknown selector field; a selector has matchLabels and matchExpressions");
  let selector;
  try {
    selector = selectorFromObject(rawSelector as LabelSelectorObject);
  } catch (error) {
    if (error instanceof SelectorError) throw new ApplicationSetError(`${field}.selector`, error.message);
    throw error;
  }
  const values = stringMap(spec["values"], `${field}.values`);
  const flatList = spec["flatList"] ?? false;
  if (typeof flatList !== "boolean") throw new ApplicationSetError(`${field}.flatList`, "must be a boolean");

  const out: Params[] = [];
  for (const { cluster, labels, nameNormalized } of clusterViewsOf(context.clusters)) {
    if (!matches(selector, labels)) continue;
    const params: Params = { name: cluster.name, nameNormalized, server: cluster.server ?? "", project: "" };
    if (context.goTemplate) {
      const metadata: Record<string, unknown> = {};
      if (Object.keys(cluster.annotations).length > 0) metadata["annotations"] = { ...cluster.annotations };
      metadata["labels"] = { ...labels };
      params["metadata"] = metadata;
    } else {
      for (const [k, v] of Object.entries(cluster.annotations)) params[`metadata.annotations.${k}`] = v;
      for (const [k, v] of Object.entries(labels)) params[`metadata.labels.${k}`] = v;
    }
    out.push(appendValues(params, values, context, field));
  }
  return flatList ? [{ clusters: out }] : out;
}

// ---------------------------------------------------------------------------------------------
// git

interface PathItem {
  path: string;
  exclude: boolean;
}

function pathItems(raw: unknown, field: string): PathItem[] {
  if (!Array.isArray(raw)) throw new ApplicationSetError(field, "must be a list of { path, exclude }");
  return raw.map((item: unknown, i) => {
    const where = `${field}[${i}]`;
    if (!isObject(item)) throw new ApplicationSetError(where, "must be an object with path and optional exclude");
    rejectUnknownFields(item, ["path", "exclude"], where, "git path item of the git");
    if (typeof item["path"] !== "string") throw new ApplicationSetError(`${where}.path`, "must be a string");
    const exclude = item["exclude"] ?? false;
    if (typeof exclude !== "boolean") throw new ApplicationSetError(`${where}.exclude`, "must be a boolean");
    return { path: item["path"], exclude };
  });
}

/** Directories as Argo's repo-server walks them: every directory holding a file, hidden ones (and all below them) left out, in filepath.WalkDir order. */
export function repoDirectories(files: string[]): string[] {
  const directories = new Set<string>();
  for (const file of files) {
    const segments = file.split("/");
    for (let i = 1; i < segments.length; i++) {
      if (segments[i - 1]!.startsWith(".")) break;
      directories.add(segments.slice(0, i).join("/"));
    }
  }
  return [...directories].sort(compareWalkOrder);
}

function compareWalkOrder(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

function basename(path: string): string {
  // Go's path.Base
  if (path === "") return ".";
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function dirname(path: string): string {
  // Go's path.Dir for clean relative paths
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function pathParams(dir: string, file: string | undefined, prefix: string, goTemplate: boolean): Params {
  if (goTemplate) {
    const p: Record<string, unknown> = { path: dir, basename: basename(dir) };
    if (file !== undefined) p["filename"] = basename(file);
    p["basenameNormalized"] = sanitizeName(basename(dir));
    if (file !== undefined) p["filenameNormalized"] = sanitizeName(basename(file));
    p["segments"] = dir.split("/");
    return prefix !== "" ? { [prefix]: { path: p } } : { path: p };
  }
  const name = prefix !== "" ? `${prefix}.path` : "path";
  const out: Params = { [name]: dir, [`${name}.basename`]: basename(dir) };
  if (file !== undefined) out[`${name}.filename`] = basename(file);
  out[`${name}.basenameNormalized`] = sanitizeName(basename(dir));
  if (file !== undefined) out[`${name}.filenameNormalized`] = sanitizeName(basename(file));
  dir.split("/").forEach((segment, i) => {
    if (segment !== "") out[`${name}[${i}]`] = segment;
  });
  return out;
}

/** git.go: directories (path.Match, exclude wins) or files (git pathspec, JSON/YAML content). */
async function gitParams(spec: Record<string, unknown>, context: GeneratorContext, field: string): Promise<Params[]> {
  rejectUnknownFields(spec, ["repoURL", "revision", "directories", "files", "pathParamPrefix", "values", "requeueAfterSeconds", "template"], field, "git");
  // requeueAfterSeconds is accepted: it is Argo's polling interval, and Radial re-reads Git on every run.
  const repoURL = spec["repoURL"];
  if (typeof repoURL !== "string" || repoURL === "") throw new ApplicationSetError(`${field}.repoURL`, "is required");
  const revisionRef = spec["revision"] ?? "";
  if (typeof revisionRef !== "string") throw new ApplicationSetError(`${field}.revision`, "must be a string");
  const prefix = spec["pathParamPrefix"] ?? "";
  if (typeof prefix !== "string") throw new ApplicationSetError(`${field}.pathParamPrefix`, "must be a string");
  const values = stringMap(spec["values"], `${field}.values`);
  const hasDirectories = Array.isArray(spec["directories"]) && spec["directories"].length > 0;
  const hasFiles = Array.isArray(spec["files"]) && spec["files"].length > 0;
  if (hasDirectories && hasFiles) throw new ApplicationSetError(`${field}.files`, "a git generator takes directories or files, not both (Argo CD would ignore files)");
  if (!hasDirectories && !hasFiles) throw new ApplicationSetError(field, "needs directories or files");

  let revision: string;
  let files: string[];
  try {
    revision = context.revision(repoURL, revisionRef === "" ? "HEAD" : revisionRef);
    files = await context.repo.listFiles(repoURL, revision);
  } catch (error) {
    throw new ApplicationSetError(field, `cannot read ${repoURL} at ${revisionRef || "HEAD"}: ${(error as Error).message}`);
  }

  if (hasDirectories) {
    const items = pathItems(spec["directories"], `${field}.directories`);
    const selected = repoDirectories(files).filter((dir) => {
      let include = false;
      let exclude = false;
      for (const item of items) {
        if (!goPathMatch(item.path, dir)) continue;
        if (item.exclude) exclude = true;
        else include = true;
      }
      return include && !exclude;
    });
    return selected.map((dir) => appendValues(pathParams(dir, undefined, prefix, context.goTemplate), values, context, field));
  }

  const items = pathItems(spec["files"], `${field}.files`);
  const includes = items.filter((i) => !i.exclude);
  const excludes = items.filter((i) => i.exclude);
  const selected = files
    .filter((file) => includes.some((i) => gitPathspecMatch(i.path, file)) && !excludes.some((i) => gitPathspecMatch(i.path, file)))
    .sort();
  const out: Params[] = [];
  for (const file of selected) {
    let content: string;
    try {
      content = new TextDecoder("utf-8", { fatal: false }).decode(await context.repo.readFile(repoURL, revision, file));
    } catch (error) {
      throw new ApplicationSetError(field, `cannot read ${file} from ${repoURL}: ${(error as Error).message}`);
    }
    for (const object of fileObjects(content, file, repoURL, field)) {
      let params: Params;
      if (context.goTemplate) {
        params = { ...object, ...pathParams(dirname(file), file, prefix, true) };
      } else {
        params = {};
        for (const [k, v] of Object.entries(flatten(object))) params[k] = goString(v);
        Object.assign(params, pathParams(dirname(file), file, prefix, false));
      }
      out.push(appendValues(params, values, context, field));
    }
  }
  return out;
}

/** generateParamsFromGitFile: one object, or a top-level list of objects; an empty file is one empty object. */
function fileObjects(content: string, file: string, repoURL: string, field: string): Record<string, unknown>[] {
  const fail = (why: string): never => {
    throw new ApplicationSetError(field, `unable to process file '${file}' from repository '${repoURL}': unable to parse file: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = parseYamlLikeGo(content);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (parsed === null) return [{}];
  if (isObject(parsed)) return [parsed];
  if (Array.isArray(parsed)) {
    return parsed.map((item) => {
      if (item === null) return {};
      if (!isObject(item)) return fail("a list in a generator file must hold objects");
      return item;
    });
  }
  return fail("the file must hold an object or a list of objects");
}

// ---------------------------------------------------------------------------------------------
// matrix and merge

function childGenerators(spec: Record<string, unknown>, field: string): unknown[] {
  const generators = spec["generators"];
  if (!Array.isArray(generators)) throw new ApplicationSetError(`${field}.generators`, "must be a list of generators");
  return generators;
}

/**
 * matrix.go: exactly two children; the second is interpolated with each param set of the first
 * and run again for it. goTemplate: the first child's params are merged deeply over the second's
 * (mergo WithOverride). Plain: both become string maps and a key with two different values is an
 * error, as in Argo CD.
 */
async function matrixParams(spec: Record<string, unknown>, context: GeneratorContext, field: string, level: Level): Promise<Params[]> {
  rejectUnknownFields(spec, ["generators", "template"], field, "matrix");
  const generators = childGenerators(spec, field);
  if (generators.length < 2) throw new ApplicationSetError(`${field}.generators`, "found less than two generators, Matrix support only two");
  if (generators.length > 2) throw new ApplicationSetError(`${field}.generators`, "found more than two generators, Matrix support only two");
  const childLevel: Level = level === "top" ? "nested" : "terminal";
  const first = await transform(generators[0], context, `${field}.generators[0]`, childLevel, undefined);
  const out: Params[] = [];
  for (const a of first) {
    const second = await transform(generators[1], context, `${field}.generators[1]`, childLevel, a);
    for (const b of second) {
      if (context.goTemplate) {
        out.push(deepMerge(deepMerge({}, b), a));
        continue;
      }
      const combined: Params = {};
      for (const [k, v] of Object.entries(a)) combined[k] = goString(v);
      for (const [k, v] of Object.entries(b)) {
        const value = goString(v);
        if (k in combined && combined[k] !== value) {
          throw new ApplicationSetError(field, `found duplicate key ${k} with different value, a: ${String(combined[k])} ,b: ${value} (rename one, e.g. with pathParamPrefix on a git generator)`);
        }
        combined[k] = value;
      }
      out.push(combined);
    }
  }
  return out;
}

function mergeKeyOf(params: Params, keys: string[]): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
    return value ?? null;
  };
  return JSON.stringify(Object.fromEntries([...new Set(keys)].sort().map((k) => [k, sortKeys(params[k])])));
}

/**
 * merge.go: the first child is the base; a later child's param set with the same values for all
 * `mergeKeys` overrides (shallow for plain templates, deep with goTemplate). Param sets of later
 * children that match no base set are dropped; two sets of one child with the same key are an
 * error. Output follows the base child's order (Argo's order is a Go map's, i.e. random).
 */
async function mergeParams(spec: Record<string, unknown>, context: GeneratorContext, field: string, level: Level): Promise<Params[]> {
  rejectUnknownFields(spec, ["generators", "mergeKeys", "template"], field, "merge");
  const generators = childGenerators(spec, field);
  if (generators.length < 2) throw new ApplicationSetError(`${field}.generators`, "found less than two generators, Merge requires two or more");
  const mergeKeys = spec["mergeKeys"];
  if (!Array.isArray(mergeKeys) || mergeKeys.some((k) => typeof k !== "string")) throw new ApplicationSetError(`${field}.mergeKeys`, "must be a list of strings");
  if (mergeKeys.length === 0) throw new ApplicationSetError(`${field}.mergeKeys`, "no merge keys were specified, Merge requires at least one");
  const keys = mergeKeys as string[];
  const childLevel: Level = level === "top" ? "nested" : "terminal";
  const byKey = (sets: Params[], where: string): Map<string, Params> => {
    const map = new Map<string, Params>();
    for (const set of sets) {
      const key = mergeKeyOf(set, keys);
      if (map.has(key)) throw new ApplicationSetError(where, `the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${key}`);
      map.set(key, set);
    }
    return map;
  };
  const base = byKey(await transform(generators[0], context, `${field}.generators[0]`, childLevel, undefined), `${field}.generators[0]`);
  for (let i = 1; i < generators.length; i++) {
    const where = `${field}.generators[${i}]`;
    const overrides = byKey(await transform(generators[i], context, where, childLevel, undefined), where);
    for (const [key, set] of base) {
      const override = overrides.get(key);
      if (override === undefined) continue;
      base.set(key, context.goTemplate ? deepMerge(set, override) : { ...set, ...override });
    }
  }
  return [...base.values()];
}
