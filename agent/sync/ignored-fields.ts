import type { KubeObject } from "../kube/object.js";
import { compileIgnoreRules } from "../diff/ignore.js";
import type { IgnoreDifference } from "../diff/index.js";
import { owns } from "../diff/managed-fields.js";
import type { FieldPath } from "../diff/path.js";

type Json = Record<string, unknown>;
const isMap = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Puts back, into what the agent applies, whatever `ignoring` took out of `live`: the live values
 * of ignored fields. A field that differs between the two at a list stays whole, as a JSON merge
 * patch would (Argo CD's RespectIgnoreDifferences does the same).
 */
function restore(target: Json, live: Json, ignoring: Json): void {
  for (const [key, value] of Object.entries(live)) {
    if (!(key in ignoring)) target[key] = structuredClone(value);
    else if (isMap(value) && isMap(ignoring[key])) {
      if (!isMap(target[key])) target[key] = {};
      restore(target[key] as Json, value, ignoring[key]);
    } else if (!same(value, ignoring[key])) target[key] = structuredClone(value);
  }
}

/** Removes from `target` what `ignoring` took out of the desired object and the live one lacks. */
function dropAbsent(target: Json, desiredIgnoring: Json, live: Json | undefined): void {
  for (const key of Object.keys(target)) {
    if (live && key in live) {
      if (isMap(target[key]) && isMap(desiredIgnoring[key]) && isMap(live[key])) dropAbsent(target[key], desiredIgnoring[key], live[key]);
    } else if (!(key in desiredIgnoring)) Reflect.deleteProperty(target, key);
  }
}

/** Fields of `target` (maps only) owned live by one of `managers`: they take the live value. */
function yieldOwned(target: Json, live: Json | undefined, fieldsOf: Record<string, unknown>[], path: FieldPath): void {
  for (const key of Object.keys(target)) {
    const at = [...path, { field: key }];
    if (fieldsOf.some((fields) => owns(fields, at) && !isMap(target[key]))) {
      if (live && key in live) target[key] = structuredClone(live[key]);
      else Reflect.deleteProperty(target, key);
    } else if (isMap(target[key])) yieldOwned(target[key], isMap(live?.[key]) ? live[key] : undefined, fieldsOf, at);
  }
}

/**
 * The object to apply so that fields the Application's ignoreDifferences exclude keep their live
 * values: the agent applies every object at every revision, and without this a server-side apply
 * would reset an HPA's `spec.replicas` each time. Dropping the field instead would not do: when
 * the agent is its only owner, the apiserver would remove it. Objects not yet live apply whole.
 */
export function keepIgnoredLiveValues(desired: KubeObject, live: KubeObject | undefined, ignore: IgnoreDifference[]): KubeObject {
  if (!live) return desired;
  const rules = compileIgnoreRules(ignore).filter((rule) => rule.matches(live));
  if (rules.length === 0) return desired;
  const target = structuredClone(desired) as unknown as Json;
  const liveJson = live as unknown as Json;
  const liveIgnoring = structuredClone(liveJson);
  const desiredIgnoring = structuredClone(target);
  for (const rule of rules) {
    rule.remove(liveIgnoring);
    rule.remove(desiredIgnoring);
  }
  const { metadata: _lm, status: _ls, ...liveRest } = liveJson;
  const { metadata: _im, status: _is, ...ignoringRest } = liveIgnoring;
  restore(target, liveRest, ignoringRest);
  dropAbsent(target, desiredIgnoring, liveJson);
  const managers = new Set(rules.flatMap((rule) => rule.managers));
  const fieldsOf = (live.metadata.managedFields ?? [])
    .filter((entry) => entry.manager && managers.has(entry.manager) && entry.fieldsV1)
    .map((entry) => entry.fieldsV1!);
  if (fieldsOf.length > 0) yieldOwned(target, liveJson, fieldsOf, []);
  return target as unknown as KubeObject;
}
