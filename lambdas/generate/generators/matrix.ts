import { ApplicationSetError, type Params } from "../params.js";
import type { GeneratorContext, Level, Transform } from "./context.js";
import { childGenerators, rejectUnknownFields } from "./fields.js";
import { deepMerge, goString } from "./values.js";

/**
 * matrix.go: exactly two children; the second is interpolated with each param set of the first
 * and run again for it. goTemplate: the first child's params are merged deeply over the second's
 * (mergo WithOverride). Plain: both become string maps and a key with two different values is an
 * error, as in Argo CD.
 */
export async function matrixParams(
  spec: Record<string, unknown>,
  context: GeneratorContext,
  field: string,
  level: Level,
  transform: Transform,
): Promise<Params[]> {
  rejectUnknownFields(spec, ["generators", "template"], field, "matrix");
  const generators = childGenerators(spec, field);
  if (generators.length < 2) throw new ApplicationSetError(`${field}.generators`, "found less than two generators, Matrix support only two");
  if (generators.length > 2) throw new ApplicationSetError(`${field}.generators`, "found more than two generators, Matrix support only two");
  const childLevel: Level = level === "top" ? "nested" : "terminal";
  const first = await transform(generators[0], context, `${field}.generators[0]`, childLevel, undefined);
  const out: Params[] = [];
  for (const a of first) {
    const second = await transform(generators[1], context, `${field}.generators[1]`, childLevel, a);
    for (const b of second) {
      if (context.goTemplate) {
        out.push(deepMerge(deepMerge({}, b), a));
        continue;
      }
      const combined: Params = {};
      for (const [k, v] of Object.entries(a)) combined[k] = goString(v);
      for (const [k, v] of Object.entries(b)) {
        const value = goString(v);
        if (k in combined && combined[k] !== value) {
          throw new ApplicationSetError(
            field,
            `found duplicate key ${k} with different value, a: ${String(combined[k])} ,b: ${value} (rename one, e.g. with pathParamPrefix on a git generator)`,
          );
        }
        combined[k] = value;
      }
      out.push(combined);
    }
  }
  return out;
}
