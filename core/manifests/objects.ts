import { parseAllDocuments, stringify, type ParseOptions, type DocumentOptions, type SchemaOptions } from "yaml";
import { yamlProblem } from "./yaml-error.js";

export type K8sObject = Record<string, unknown>;

/** A manifest problem, naming the file (repo path, or "kustomize build output") it came from. */
export class ManifestError extends Error {}

/**
 * Manifests are read as Kubernetes reads them (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1):
 * `0755` is octal 493, `yes`/`on` are booleans, merge keys work. go-yaml v2 does not turn
 * `2024-01-01` into a timestamp or `10:30` into a base-60 number when decoding into JSON, so those
 * YAML 1.1 tags are dropped and such scalars stay strings.
 */
const READ_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  prettyErrors: true,
  uniqueKeys: true,
  customTags: (tags) =>
    tags.filter((tag) => {
      const t = tag as { tag?: string; format?: string };
      return t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME";
    }),
};

/**
 * Parses a multi-document YAML file into plain objects; empty documents are skipped. Errors name
 * the file and line.
 */
export function parseYamlManifests(text: string, file: string): K8sObject[] {
  const docs = parseAllDocuments(text, READ_OPTIONS);
  if (!Array.isArray(docs)) return []; // EmptyStream
  const out: K8sObject[] = [];
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const { what, line } = yamlProblem(error);
      throw new ManifestError(`${file}${line ? `:${line}` : ""}: invalid YAML: ${what}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      throw new ManifestError(`${file}: document ${index + 1}: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) return;
    if (!isPlainObject(value)) {
      const line = doc.contents?.range ? lineOf(text, doc.contents.range[0]) : undefined;
      throw new ManifestError(`${file}${line ? `:${line}` : ""}: document ${index + 1} is not a mapping`);
    }
    out.push(value);
  });
  return out;
}

/** A JSON file holds one object or an array of objects. */
export function parseJsonManifests(text: string, file: string): K8sObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const values = Array.isArray(value) ? value : [value];
  return values.map((v, i) => {
    if (!isPlainObject(v)) throw new ManifestError(`${file}: ${Array.isArray(value) ? `element ${i}` : "content"} is not an object`);
    return v;
  });
}

/**
 * As Argo CD does after generating manifests: an object whose `items` is an array (a v1 `List`
 * or any `*List`) is replaced by its items (one level); one whose `items` is null and that has no
 * spec or status is dropped. Then every object must have apiVersion, kind and metadata.name.
 */
export function expandAndCheck(objects: K8sObject[], file: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const obj of objects) {
    if (Array.isArray(obj.items)) {
      obj.items.forEach((item, i) => {
        if (!isPlainObject(item)) throw new ManifestError(`${file}: ${String(obj.kind)} item ${i} is not an object`);
        out.push(check(item, file));
      });
    } else if ("items" in obj && obj.items === null && !("spec" in obj) && !("status" in obj)) {
      continue;
    } else {
      out.push(check(obj, file));
    }
  }
  return out;
}

function check(obj: K8sObject, file: string): K8sObject {
  const metadata = obj.metadata;
  const name = isPlainObject(metadata) ? metadata.name : undefined;
  const missing = [
    typeof obj.apiVersion === "string" && obj.apiVersion !== "" ? null : "apiVersion",
    typeof obj.kind === "string" && obj.kind !== "" ? null : "kind",
    typeof name === "string" && name !== "" ? null : "metadata.name",
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    const what = typeof obj.kind === "string" ? `${obj.kind}${typeof name === "string" ? ` ${name}` : ""}` : "an object";
    throw new ManifestError(`${file}: ${what} has no ${missing.join(", ")}`);
  }
  return obj;
}

/** Stable options: no line wrapping, 2-space indent, no anchors for shared objects, YAML 1.1-safe quoting. */
const WRITE_OPTIONS = {
  version: "1.1",
  lineWidth: 0,
  minContentWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
} as const;

/** One object as YAML; strings YAML 1.1 would read differently (`yes`, `0755`, `10:30`) are quoted. */
export function serialize(obj: K8sObject): string {
  return stringify(obj, WRITE_OPTIONS);
}

/**
 * The sort key: API group (the part of apiVersion before `/`, "" for the core group), kind,
 * metadata.namespace ("" when unset), metadata.name; ties (the same object twice, or in two
 * versions) are broken by the full apiVersion, then by the serialized text, so the order never
 * depends on the order files were listed or read. Strings compare by UTF-16 code units, not locale.
 */
export function sortKey(obj: K8sObject): string[] {
  const apiVersion = obj.apiVersion as string;
  const slash = apiVersion.lastIndexOf("/");
  const metadata = obj.metadata as Record<string, unknown>;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "";
  return [slash === -1 ? "" : apiVersion.slice(0, slash), obj.kind as string, namespace, metadata.name as string, apiVersion];
}

/** Sorts objects stably and renders them as one multi-document YAML string ending with a newline. */
export function render(objects: K8sObject[]): { objects: K8sObject[]; manifests: string } {
  const entries = objects.map((obj) => ({ obj, key: sortKey(obj), text: serialize(obj) }));
  entries.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const c = compare(a.key[i]!, b.key[i]!);
      if (c !== 0) return c;
    }
    return compare(a.text, b.text);
  });
  return { objects: entries.map((e) => e.obj), manifests: entries.map((e) => e.text).join("---\n") };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
