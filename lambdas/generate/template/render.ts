// Rendering an ApplicationSet's Application template the way Argo CD's controller does
// (applicationset/utils/utils.go: Render.Replace, deeplyReplace; controllers/template/patch.go).
import type { Params } from "../params.js";
import { execute, type MissingKey } from "./exec.js";
import { TemplateParseError } from "./parse.js";
import { formatV, goQuote, isMap } from "./values.js";
import { goJSON, parseGoYAML } from "./funcs.js";

/** Argo's isTemplatedRegex `.*{{.*}}.*`: some line holds `{{` and, after it, `}}` (Go's `.` does not match a newline). */
function isTemplated(text: string): boolean {
  if (!text.includes("{{")) return false;
  return text.split("\n").some((line) => {
    const i = line.indexOf("{{");
    return i >= 0 && line.includes("}}", i + 2);
  });
}

/**
 * Argo's non-goTemplate mode (valyala/fasttemplate with `{{`/`}}`): every `{{ tag }}` whose trimmed
 * tag names a string parameter is replaced; any other tag (unknown, empty, non-string) is left
 * exactly as written. A `{{` with no closing `}}` after it is an error (when the string looks templated).
 */
export function renderFasttemplate(text: string, params: Record<string, string>): string {
  if (!isTemplated(text)) return text;
  let out = "";
  let i = 0;
  for (;;) {
    const start = text.indexOf("{{", i);
    if (start < 0) {
      out += text.slice(i);
      return out;
    }
    out += text.slice(i, start);
    const end = text.indexOf("}}", start + 2);
    if (end < 0) {
      throw new Error(
        `invalid template: Cannot find end tag=${JSON.stringify("}}")} in the template=${JSON.stringify(text)} starting from ${JSON.stringify(text.slice(start + 2))}`,
      );
    }
    const tag = text.slice(start + 2, end);
    const key = tag.trim();
    const value = Object.prototype.hasOwnProperty.call(params, key) ? params[key] : undefined;
    out += key === "" || typeof value !== "string" ? `{{${tag}}}` : value;
    i = end + 2;
  }
}

export interface GoTemplateOptions {
  missingKey: MissingKey;
}

/**
 * Go text/template with Argo's function map. Throws Go-style errors:
 * `template: base:1: function "x" not defined` (parse) or
 * `template: base:1:6: executing "base" at <.x>: map has no entry for key "x"` (execution).
 */
export function renderGoTemplate(text: string, data: unknown, options: GoTemplateOptions): string {
  return execute(text, data, options.missingKey);
}

/** Parses `goTemplateOptions` like Go's Template.Option: later options win; anything unknown is an error. */
export function parseGoTemplateOptions(options: readonly string[]): GoTemplateOptions {
  let missingKey: MissingKey = "default";
  for (const opt of options) {
    if (opt === "") throw new Error("empty option string");
    const m = /^missingkey=(default|invalid|zero|error)$/.exec(opt);
    if (!m) throw new Error(`unrecognized option: ${opt}`);
    missingKey = m[1] as MissingKey;
  }
  return { missingKey };
}

/** Argo's Render.Replace for one string: go template or fasttemplate, with Argo's error wrapping. */
export function replaceString(text: string, params: Params, goTemplate: boolean, options: GoTemplateOptions): string {
  if (goTemplate) {
    if (!text.includes("{{")) return text; // plain text renders to itself
    try {
      return renderGoTemplate(text, params, options);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof TemplateParseError) throw new Error(`failed to parse template ${text}: ${msg}`, { cause: e });
      throw new Error(`failed to execute go template ${text}: ${msg}`, { cause: e });
    }
  }
  return renderFasttemplate(text, params as Record<string, string>);
}

/**
 * Renders an Application template (`{ metadata, spec }`) for one parameter set, as Argo's
 * RenderTemplateParams: every string in the tree, and every object key, is templated; null values
 * inside objects are dropped (Argo skips nil map entries); other scalars are kept. With no params
 * at all the template is returned unrendered (Argo does the same). Never mutates the input.
 */
export function renderTemplate(template: unknown, params: Params, options: { goTemplate: boolean; goTemplateOptions: string[] }): unknown {
  const opts = parseGoTemplateOptions(options.goTemplate ? options.goTemplateOptions : []);
  if (Object.keys(params).length === 0) return structuredClone(template);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replaceString(v, params, options.goTemplate, opts);
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) {
        if (val === null || val === undefined) continue;
        const rendered = walk(val);
        const key = replaceString(k, params, options.goTemplate, opts);
        out[key] = rendered;
      }
      return out;
    }
    return v;
  };
  return walk(template);
}

/**
 * Argo's ConvertYAMLToJSON + json.Unmarshal: JSON when it starts with `{`, else YAML. `json` is
 * the text Argo quotes in its errors: the patch as written when JSON, its JSON conversion when YAML.
 */
function parsePatch(text: string): { value: unknown; json: () => string } {
  if (text.trim().startsWith("{")) {
    try {
      return { value: JSON.parse(text) as unknown, json: () => text };
    } catch (e) {
      throw new Error(`invalid templatePatch ${goQuote(text)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  let value: unknown;
  try {
    value = parseGoYAML(text);
  } catch (e) {
    throw new Error(`error while converting template to json ${goQuote(text)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return { value, json: () => goJSON(value, true) };
}

/** Lists whose patch strategy is "merge" on the Application type (ObjectMeta.finalizers: a set of strings). */
const MERGE_LISTS = new Set(["metadata.finalizers"]);

/**
 * Free-form fields of the Application (runtime.RawExtension): strategicpatch finds no struct fields
 * in them, so merging a map or list inside one into a map or list already there is its error
 * (argoproj/argo-cd#22850); scalars and new keys merge.
 */
const RAW_EXTENSIONS = new Set(["spec.source.helm.valuesObject"]);

/** Go's reflect.TypeOf a decoded JSON value, as far as strategicpatch compares them. */
function jsonKind(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

/**
 * A patch value taken as it is, where the original has nothing of its kind to merge it into
 * (strategicpatch's discardNullValuesFromPatch, then removeDirectives): null map entries are
 * dropped, and so is every map that holds a `$patch` directive (undefined: the key goes).
 */
function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives).filter((x) => x !== undefined);
  if (!isMap(v)) return v;
  if (Object.hasOwn(v, "$patch") && v.$patch !== null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) continue;
    const kept = withoutDirectives(x);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

/** What `$patch: replace` leaves once Go unmarshals it into the Application: no nulls, no `$patch` keys. */
function asReplacement(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asReplacement);
  if (!isMap(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && k !== "$patch") out[k] = asReplacement(x);
  return out;
}

/**
 * strategicpatch's mergeSlice for a merge list of scalars: the union of both, without duplicates,
 * the patch's items in the patch's order, the original's other items woven in where they stood
 * relative to the patch's items (normalizeElementOrder), e.g. [a, b, c] + [c, a] = [b, c, a].
 */
function mergeScalarList(original: unknown[], patch: unknown[]): unknown[] {
  const unique = (xs: unknown[]) => xs.filter((x, i) => xs.indexOf(x) === i);
  const fromPatch = unique(patch);
  const serverOnly = unique(original).filter((x) => !patch.includes(x));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]);
    // mergeSortedSlice: the original's item first only when both stood in the original, it before
    // (a patch-only item's index is -1, never above the original item's).
    else out.push(original.indexOf(serverOnly[i]) < original.indexOf(fromPatch[j]) ? serverOnly[i++] : fromPatch[j++]);
  }
  return out;
}

/**
 * strategicpatch's mergeMap, restricted to what the Application type declares: `$patch: replace`
 * takes the patch's map, `$patch: delete` empties the map (the key stays, as `{}`); a null deletes
 * a key; maps merge recursively; lists replace the original (Application has no merge keys), except
 * `metadata.finalizers`, which merges as a set; a value with nothing of its kind to merge into is
 * taken without its nulls and directives; maps and lists inside `valuesObject` do not merge.
 */
function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, path: string): Record<string, unknown> {
  if (Object.hasOwn(patch, "$patch")) {
    const directive = patch.$patch;
    if (directive === "replace") return asReplacement(patch) as Record<string, unknown>;
    if (directive === "delete") return {};
    throw new Error(`unknown patch type: ${formatV(directive)} in map: ${formatV(patch)}`);
  }
  const out = structuredClone(original);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      Reflect.deleteProperty(out, k);
      continue;
    }
    const orig = out[k];
    const key = path ? `${path}.${k}` : k;
    if (jsonKind(orig) !== jsonKind(v)) {
      // Not in the original (undefined), or not of the patch's kind: nothing to merge into.
      const taken = withoutDirectives(v);
      if (taken === undefined) Reflect.deleteProperty(out, k);
      else out[k] = taken;
      continue;
    }
    if ((isMap(orig) || Array.isArray(orig)) && RAW_EXTENSIONS.has(path)) {
      throw new Error(`unable to find api field in struct RawExtension for the json field ${goQuote(k)}`);
    }
    if (isMap(orig)) out[k] = mergeMap(orig, v as Record<string, unknown>, key);
    else if (Array.isArray(orig)) out[k] = MERGE_LISTS.has(key) ? mergeScalarList(orig, v as unknown[]) : structuredClone(v);
    else out[k] = v;
  }
  return out;
}

/**
 * Argo's templatePatch (goTemplate only): render the patch text with the go template engine, parse it
 * as JSON or YAML, strategic-merge it into the Application, and keep the original `spec.project`
 * (Argo forbids a patch from changing the project).
 */
export function applyTemplatePatch(application: object, patch: string, params: Params, goTemplateOptions: string[]): object {
  const opts = parseGoTemplateOptions(goTemplateOptions);
  let rendered: string;
  try {
    rendered = replaceString(patch, params, true, opts);
  } catch (e) {
    throw new Error(`error replacing values in templatePatch: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const { value: parsed, json } = parsePatch(rendered);
  if (parsed === null || parsed === undefined) return structuredClone(application);
  if (!isMap(parsed)) {
    const kind = Array.isArray(parsed) ? "array" : typeof parsed === "boolean" ? "bool" : typeof parsed;
    throw new Error(`invalid templatePatch ${goQuote(json())}: json: cannot unmarshal ${kind} into Go value of type v1alpha1.Application`);
  }
  let result: Record<string, unknown>;
  try {
    result = mergeMap(application as Record<string, unknown>, parsed, "");
  } catch (e) {
    throw new Error(`error while applying templatePatch template to json ${goQuote(json())}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const origSpec = (application as Record<string, unknown>).spec;
  const origProject = isMap(origSpec) ? origSpec.project : undefined;
  if (isMap(result.spec)) {
    if (origProject === undefined) delete result.spec.project;
    else result.spec.project = origProject;
  } else if (origProject !== undefined) {
    result.spec = { project: origProject };
  }
  return result;
}
