// Compares what Git sets with the live object: only fields Git sets count, so values the apiserver
// or controllers add (defaults, status, other managers' fields) are not drift.
import { keyOf, listKeys } from "./list-keys.js";
import type { FieldPath, Scalar } from "./path.js";

export type Json = null | Scalar | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, Json>;

export const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * A value Git writes that the apiserver drops when it equals the type's zero value (omitempty):
 * `hostNetwork: false`, `minReadySeconds: 0`, `annotations: {}` match an absent live field.
 */
const isZero = (value: Json): boolean =>
  value === "" || value === 0 || value === false || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/** A number and its decimal string are equal: YAML `"8080"` and `8080` mean the same port or count. */
function sameScalar(desired: Scalar, live: unknown): boolean {
  if (desired === live) return true;
  const pair = [typeof desired, typeof live].sort().join();
  return pair === "number,string" && String(desired) === String(live);
}

/** Whether `live` has everything `desired` sets (the subset rule, used inside atomic lists too). */
function covers(desired: Json, live: unknown): boolean {
  const drifted: FieldPath[] = [];
  compareValue(desired, live, [], "", drifted);
  return drifted.length === 0;
}

/** Appends to `drifted` the paths under `path` where `live` does not hold what `desired` sets. */
export function compareValue(desired: Json, live: unknown, path: FieldPath, field: string, drifted: FieldPath[]): void {
  if (desired === null) return; // null in an apply configuration sets nothing
  if (live === undefined || live === null) {
    if (!isZero(desired)) drifted.push(path);
    return;
  }
  if (isObject(desired)) {
    if (!isObject(live)) return void drifted.push(path);
    for (const [key, value] of Object.entries(desired)) compareValue(value, live[key], [...path, { field: key }], key, drifted);
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) return void drifted.push(path);
    compareList(desired, live, path, field, drifted);
    return;
  }
  if (!sameScalar(desired, live)) drifted.push(path);
}

function compareList(desired: Json[], live: unknown[], path: FieldPath, field: string, drifted: FieldPath[]): void {
  const items = desired.filter(isObject);
  const keyed = items.length === desired.length && items.length > 0 ? listKeys(field, items) : undefined;
  const keys = keyed && items.map((item) => keyOf(item, keyed));
  if (keyed && keys?.every((key) => key !== undefined)) {
    const liveItems = live.filter(isObject).flatMap((item) => {
      const key = keyOf(item, keyed);
      return key ? [{ item, key }] : [];
    });
    items.forEach((item, index) => {
      const key = keys[index]!;
      const match = liveItems.find((candidate) => keyed.keys.every((name) => sameScalar(key[name]!, candidate.key[name])));
      if (!match) drifted.push([...path, { keys: key }]);
      else compareValue(item, match.item, [...path, { keys: match.key }], "", drifted);
    });
    return;
  }
  // An atomic list: Git owns it whole, so a different length, order or item is one difference.
  if (desired.length !== live.length || desired.some((item, index) => !covers(item, live[index]))) drifted.push(path);
}
