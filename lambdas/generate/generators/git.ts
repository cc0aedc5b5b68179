import { ApplicationSetError, type Params } from "../params.js";
import type { GeneratorContext } from "./context.js";
import { appendValues, rejectUnknownFields, stringMap } from "./fields.js";
import { gitPathspecMatch, goPathMatch } from "./glob.js";
import { flatten, goString, isObject, parseYamlLikeGo, sanitizeName } from "./values.js";

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
    if (typeof item.path !== "string") throw new ApplicationSetError(`${where}.path`, "must be a string");
    const exclude = item.exclude ?? false;
    if (typeof exclude !== "boolean") throw new ApplicationSetError(`${where}.exclude`, "must be a boolean");
    return { path: item.path, exclude };
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
    if (file !== undefined) p.filename = basename(file);
    p.basenameNormalized = sanitizeName(basename(dir));
    if (file !== undefined) p.filenameNormalized = sanitizeName(basename(file));
    p.segments = dir.split("/");
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
export async function gitParams(spec: Record<string, unknown>, context: GeneratorContext, field: string): Promise<Params[]> {
  rejectUnknownFields(spec, ["repoURL", "revision", "directories", "files", "pathParamPrefix", "values", "requeueAfterSeconds", "template"], field, "git");
  // requeueAfterSeconds is accepted: it is Argo's polling interval, and Radial re-reads Git on every run.
  const repoURL = spec.repoURL;
  if (typeof repoURL !== "string" || repoURL === "") throw new ApplicationSetError(`${field}.repoURL`, "is required");
  const revisionRef = spec.revision ?? "";
  if (typeof revisionRef !== "string") throw new ApplicationSetError(`${field}.revision`, "must be a string");
  const prefix = spec.pathParamPrefix ?? "";
  if (typeof prefix !== "string") throw new ApplicationSetError(`${field}.pathParamPrefix`, "must be a string");
  const values = stringMap(spec.values, `${field}.values`);
  const hasDirectories = Array.isArray(spec.directories) && spec.directories.length > 0;
  const hasFiles = Array.isArray(spec.files) && spec.files.length > 0;
  if (hasDirectories && hasFiles)
    throw new ApplicationSetError(`${field}.files`, "a git generator takes directories or files, not both (Argo CD would ignore files)");
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
    const items = pathItems(spec.directories, `${field}.directories`);
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

  const items = pathItems(spec.files, `${field}.files`);
  const includes = items.filter((i) => !i.exclude);
  const excludes = items.filter((i) => i.exclude);
  const selected = files.filter((file) => includes.some((i) => gitPathspecMatch(i.path, file)) && !excludes.some((i) => gitPathspecMatch(i.path, file))).sort();
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
