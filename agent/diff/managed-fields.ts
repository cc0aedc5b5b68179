// Who owns which field, from the live object's metadata.managedFields (fieldsV1): `f:<name>` is a
// field, `k:<json>` an item of a keyed list, `v:<json>` an item of a set, `i:<n>` an item by index,
// and `.` the node itself. An empty node is a leaf, owned whole (an atomic value or list).
import type { ManagedFieldsEntry } from "../kube/object.js";
import type { FieldPath, Segment } from "./path.js";

type FieldSet = Record<string, unknown>;

const isSet = (value: unknown): value is FieldSet => value !== null && typeof value === "object" && !Array.isArray(value);

function sameKey(entry: string, keys: Record<string, unknown>): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.slice(2));
  } catch {
    return false;
  }
  if (!isSet(parsed)) return false;
  const names = Object.keys(keys);
  return Object.keys(parsed).length === names.length && names.every((name) => String(parsed[name]) === String(keys[name]));
}

function child(set: FieldSet, segment: Segment): unknown {
  if ("field" in segment) return set[`f:${segment.field}`];
  if ("index" in segment) return set[`i:${segment.index}`];
  const entry = Object.keys(set).find((name) => name.startsWith("k:") && sameKey(name, segment.keys));
  return entry === undefined ? undefined : set[entry];
}

/** Whether this field set holds `path`, or an atomic value above it. */
export function owns(fields: FieldSet | undefined, path: FieldPath): boolean {
  let node: unknown = fields;
  for (const segment of path) {
    if (!isSet(node)) return false;
    if (node !== fields && Object.keys(node).length === 0) return true;
    node = child(node, segment);
  }
  return isSet(node);
}

/** The manager that last wrote `path` (the latest of its owners), if any entry owns it. */
export function managerOf(entries: ManagedFieldsEntry[], path: FieldPath): string | undefined {
  let latest: ManagedFieldsEntry | undefined;
  for (const entry of entries) {
    if (!owns(entry.fieldsV1, path)) continue;
    if (!latest || (entry.time ?? "") >= (latest.time ?? "")) latest = entry;
  }
  return latest?.manager;
}
