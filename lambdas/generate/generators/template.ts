// A generator's own `template`, merged over `spec.template` as Argo CD's mergeGeneratorTemplate does
// (applicationset/generators/generator_spec_processor.go): mergo.Merge(generatorTemplate, specTemplate)
// without override, over the typed ApplicationSetTemplate. Domain code, no I/O.
import type { ApplicationSet } from "../application-set.js";
import { ApplicationSetError } from "../params.js";
import { isObject } from "./values.js";

/**
 * Keys whose Go type is opaque to mergo (helm's `valuesObject` is a runtime.RawExtension: raw bytes),
 * so a value the generator gives is kept whole, never merged key by key.
 */
const OPAQUE_KEYS = new Set(["valuesObject"]);

/** Go's zero values, which mergo fills from the other side: "", false, 0, nil, an empty list. */
function isZero(value: unknown): boolean {
  return value === undefined || value === null || value === "" || value === false || value === 0 || (Array.isArray(value) && value.length === 0);
}

/**
 * mergo.Merge(dst, src) without override, on JSON shaped like Go structs: objects (structs, pointers
 * to structs, maps) merge key by key, and a zero value in `dst` is filled from `src`; lists and
 * other values in `dst` are kept whole.
 */
export function mergeTemplate(dst: unknown, src: unknown, key = ""): unknown {
  if (OPAQUE_KEYS.has(key)) return dst ?? src;
  if (isObject(dst) && isObject(src)) {
    const out: Record<string, unknown> = { ...dst };
    for (const [k, v] of Object.entries(src)) out[k] = mergeTemplate(dst[k], v, k);
    return out;
  }
  return isZero(dst) && src !== undefined ? src : dst;
}

/** The generator's template of a top-level entry (`{ list: { template } }`), if it gives one. */
function generatorTemplate(generator: unknown, field: string): Record<string, unknown> | undefined {
  if (!isObject(generator)) return undefined;
  for (const [kind, inner] of Object.entries(generator)) {
    if (kind === "selector" || !isObject(inner)) continue;
    const template = inner.template;
    if (template === undefined || template === null) return undefined;
    if (!isObject(template)) throw new ApplicationSetError(`${field}.${kind}.template`, "must be an Application template (metadata, spec)");
    return Object.keys(template).length === 0 ? undefined : template;
  }
  return undefined;
}

/**
 * The set as one top-level generator entry renders it: with that generator's own `template` merged
 * over `spec.template`. The same object when the generator gives none, so caches keyed by the set
 * see no change.
 */
export function withGeneratorTemplate(set: ApplicationSet, generator: unknown, field: string): ApplicationSet {
  const own = generatorTemplate(generator, field);
  if (own === undefined) return set;
  const template = mergeTemplate(own, set.spec.template) as Record<string, unknown>;
  return { ...set, spec: { ...set.spec, template } };
}
