// Rendering an ApplicationSet's Application template the way Argo CD's controller does
// (applicationset/utils/utils.go: Render.Replace, deeplyReplace; controllers/template/patch.go).
import type { Params } from "../params.js";
import { execute, type MissingKey } from "./exec.js";
import { TemplateParseError } from "./parse.js";
import { isMap } from "./values.js";
import { parseGoYAML } from "./funcs.js";

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

/** Argo's ConvertYAMLToJSON + json.Unmarshal: JSON when it starts with `{`, else YAML. */
function parsePatch(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch (e) {
      throw new Error(`invalid templatePatch ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  try {
    return parseGoYAML(text);
  } catch (e) {
    throw new Error(`error while converting template to json ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Lists whose patch strategy is "merge" on the Application type (ObjectMeta.finalizers: a set of strings). */
const MERGE_LISTS = new Set(["metadata.finalizers"]);

/**
 * A strategic merge patch restricted to what the Application type declares: objects merge
 * recursively, `null` deletes a key, `$patch: replace` / `$patch: delete` directives on objects
 * are honoured, lists replace the original (Application has no merge keys), except
 * `metadata.finalizers`, which merges as a set.
 */
function strategicMerge(original: unknown, patch: unknown, path: string): unknown {
  if (!isMap(patch)) {
    if (Array.isArray(patch) && Array.isArray(original) && MERGE_LISTS.has(path)) {
      const out = [...(original as unknown[])];
      for (const item of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(item))) out.push(item);
      return out;
    }
    return structuredClone(patch);
  }
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  const base: Record<string, unknown> = directive === "replace" || !isMap(original) ? {} : structuredClone(original);
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch") continue;
    if (v === null) {
      Reflect.deleteProperty(base, k);
      continue;
    }
    const merged = strategicMerge(base[k], v, path ? `${path}.${k}` : k);
    if (merged === undefined) Reflect.deleteProperty(base, k);
    else base[k] = merged;
  }
  return base;
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
  const parsed = parsePatch(rendered);
  if (parsed === null || parsed === undefined) return structuredClone(application);
  if (!isMap(parsed)) {
    const kind = Array.isArray(parsed) ? "array" : typeof parsed === "boolean" ? "bool" : typeof parsed;
    throw new Error(`invalid templatePatch ${JSON.stringify(rendered)}: json: cannot unmarshal ${kind} into Go value of type v1alpha1.Application`);
  }
  const result = strategicMerge(application, parsed, "") as Record<string, unknown>;
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
