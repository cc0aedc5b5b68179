// Small helpers that reproduce how Argo CD's ApplicationSet controller (Go) shapes parameter
// values: YAML decoding (sigs.k8s.io/yaml over go-yaml v2), fmt's %v, flattening
// (github.com/jeremywohl/flatten, dot style) and utils.SanitizeName. Pure functions, no I/O.
import { parseAllDocuments, type Tags } from "yaml";
import { yamlErrorText } from "../../../core/manifests/yaml-error.js";
import { sanitizeName } from "../template/funcs.js";
import { formatFloatV, isMap as isObject } from "../template/values.js";

export { isObject, sanitizeName };

/**
 * fmt.Sprintf("%v", x) for the values JSON decoding yields in Go (string, float64, bool, nil,
 * []interface{}, map[string]interface{}). A float64 prints as %g with the shortest digits and
 * switches to exponent form when the exponent is < -4 or >= 6 (so 1000000 prints "1e+06", as
 * `go run` confirms).
 */
export function goString(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return formatFloatV(value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(goString).join(" ")}]`;
  if (isObject(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goString(value[k])}`)
      .join(" ")}]`;
  }
  // Only a symbol or a function is left: each prints through its own toString.
  return (value as symbol | (() => unknown)).toString();
}

/**
 * flatten.Flatten(v, "", flatten.DotStyle): nested maps and lists become dotted keys
 * (`cluster.name`, `list.0`); empty maps and lists vanish, as in the Go library.
 */
export function flatten(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => assign(v, prefix === "" ? String(i) : `${prefix}.${i}`));
    else if (isObject(value)) for (const [k, v] of Object.entries(value)) assign(v, prefix === "" ? k : `${prefix}.${k}`);
  };
  const assign = (value: unknown, key: string) => {
    if (Array.isArray(value) || isObject(value)) walk(value, key);
    else out[key] = value;
  };
  walk(object, "");
  return out;
}

/** flatten, then every leaf through %v: the string map Argo uses for plain params and post-selectors. */
export function flattenToStrings(object: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(flatten(object))) out[k] = goString(v);
  return out;
}

/** Tags go-yaml v2 does not resolve for plain scalars (it keeps timestamps as strings, has no base 60, no sets). */
const NOT_IN_GO_YAML = new Set([
  "tag:yaml.org,2002:timestamp",
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
  "tag:yaml.org,2002:set",
]);

/**
 * Decodes YAML (or JSON) as sigs.k8s.io/yaml does in Argo CD: YAML 1.1 scalars (`yes`/`on` are
 * booleans, `0777` is octal), numbers become float64, and only the FIRST document is read
 * (go-yaml v2's Unmarshal stops there). An empty document is null.
 */
export function parseYamlLikeGo(text: string): unknown {
  const documents = parseAllDocuments(text, {
    version: "1.1",
    customTags: (tags: Tags) => tags.filter((t) => typeof t === "string" || (!NOT_IN_GO_YAML.has(t.tag) && t.format !== "TIME")),
    uniqueKeys: true,
  });
  if (!Array.isArray(documents) || documents.length === 0) return null;
  const first = documents[0]!;
  if (first.errors.length > 0) throw new Error(yamlErrorText(first.errors[0]));
  return first.toJS({ maxAliasCount: 100 }) ?? null;
}

/**
 * mergo.Merge(&dst, src, mergo.WithOverride) over map[string]interface{}: nested maps merge
 * key by key, anything else from `src` replaces what `dst` had. Returns a new object.
 */
export function deepMerge(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...dst };
  for (const [k, v] of Object.entries(src)) {
    const current = out[k];
    out[k] = isObject(current) && isObject(v) ? deepMerge(current, v) : v;
  }
  return out;
}
