import { ApplicationSetError, type Params } from "../params.js";
import type { GeneratorContext, Level, Transform } from "./context.js";
import { childGenerators, rejectUnknownFields } from "./fields.js";
import { deepMerge, isObject } from "./values.js";

function mergeKeyOf(params: Params, keys: string[]): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (isObject(value))
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sortKeys(value[k])]),
      );
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
export async function mergeParams(
  spec: Record<string, unknown>,
  context: GeneratorContext,
  field: string,
  level: Level,
  transform: Transform,
): Promise<Params[]> {
  rejectUnknownFields(spec, ["generators", "mergeKeys", "template"], field, "merge");
  const generators = childGenerators(spec, field);
  if (generators.length < 2) throw new ApplicationSetError(`${field}.generators`, "found less than two generators, Merge requires two or more");
  const mergeKeys = spec.mergeKeys;
  if (!Array.isArray(mergeKeys) || mergeKeys.some((k) => typeof k !== "string"))
    throw new ApplicationSetError(`${field}.mergeKeys`, "must be a list of strings");
  if (mergeKeys.length === 0) throw new ApplicationSetError(`${field}.mergeKeys`, "no merge keys were specified, Merge requires at least one");
  const keys = mergeKeys as string[];
  const childLevel: Level = level === "top" ? "nested" : "terminal";
  const byKey = (sets: Params[], where: string): Map<string, Params> => {
    const map = new Map<string, Params>();
    for (const set of sets) {
      const key = mergeKeyOf(set, keys);
      if (map.has(key))
        throw new ApplicationSetError(
          where,
          `the parameters from a generator were not unique by the given mergeKeys, Merge requires all param sets to be unique. Duplicate key was ${key}`,
        );
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
