// What one field manager last applied, read back from a live object through its managedFields entry
// (fieldsV1), as client-go's Extract<Kind>(object, fieldManager) does. After a restart the agent no
// longer holds the desired state of an application whose folder left Git; the fields it applied,
// with their live values, are what a later edit is told apart from.
import type { KubeObject } from "../kube/object.js";
import { isObject, type Json } from "./compare.js";

type FieldSet = Record<string, unknown>;

const isSet = (value: unknown): value is FieldSet => isObject(value);

function parseKey(entry: string): unknown {
  try {
    return JSON.parse(entry.slice(2));
  } catch {
    return undefined;
  }
}

/** Whether a list item is the one a `k:`, `v:` or `i:` entry names. */
function names(entry: string, item: Json, index: number): boolean {
  if (entry.startsWith("i:")) return entry === `i:${index}`;
  const parsed = parseKey(entry);
  if (entry.startsWith("v:")) return JSON.stringify(parsed) === JSON.stringify(item);
  if (!entry.startsWith("k:") || !isObject(parsed) || !isObject(item)) return false;
  return Object.entries(parsed).every(([key, value]) => keyText(item[key]) === keyText(value));
}

/** A key field's value as text: a number and its string are the same key, as the apiserver matches them. */
const keyText = (value: Json | undefined): string => (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));

/** The part of `value` that `set` holds; an empty set is a leaf, owned whole. */
function pick(value: Json, set: FieldSet): Json {
  const entries = Object.keys(set).filter((entry) => entry !== ".");
  if (entries.length === 0) return value;
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => {
      const entry = entries.find((candidate) => names(candidate, item, index));
      const child = entry === undefined ? undefined : set[entry];
      return isSet(child) ? [pick(item, child)] : [];
    });
  }
  if (!isObject(value)) return value;
  const picked: Record<string, Json> = {};
  for (const entry of entries) {
    const child = set[entry];
    const field = entry.slice(2);
    if (entry.startsWith("f:") && isSet(child) && value[field] !== undefined) picked[field] = pick(value[field], child);
  }
  return picked;
}

/** The object as `manager` last applied it (identity kept); only identity when it applied nothing. */
export function appliedBy(live: KubeObject, manager: string): KubeObject {
  const entry = live.metadata.managedFields?.find((e) => e.manager === manager && e.operation === "Apply" && !e.subresource);
  const picked = entry?.fieldsV1 ? (pick(live as unknown as Json, entry.fieldsV1) as Record<string, Json>) : {};
  const metadata = isObject(picked.metadata) ? picked.metadata : {};
  const { namespace, name } = live.metadata;
  return { ...picked, apiVersion: live.apiVersion, kind: live.kind, metadata: { ...metadata, name, ...(namespace ? { namespace } : {}) } };
}
