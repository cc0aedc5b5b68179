// The ApplicationSet generator dispatcher: picks the one generator of an entry (list.ts, cluster.ts,
// git.ts, matrix.ts, merge.ts), interpolates it for a matrix, runs it, post-selects (post-selector.ts),
// with Argo CD's parameter names and shapes. Written after argoproj/argo-cd's
// applicationset/generators/*.go and generator_spec_processor.go (Transform); domain code, no I/O
// but the RepoReader it is given.
import { ApplicationSetError, type Params } from "../params.js";
import type { ClusterView } from "../inventory-view.js";
import { clusterParams, clusterParamsOf, parseClusterGenerator } from "./cluster.js";
import type { GeneratorContext, Level } from "./context.js";
import { gitParams } from "./git.js";
import { interpolateGenerator } from "./interpolate.js";
import { listParams } from "./list.js";
import { matrixParams } from "./matrix.js";
import { mergeParams } from "./merge.js";
import { applyPostSelector, parsePostSelector } from "./post-selector.js";
import { isObject } from "./values.js";

const UNSUPPORTED_GENERATORS = ["scmProvider", "pullRequest", "plugin", "clusterDecisionResource"] as const;
const SUPPORTED_GENERATORS = ["list", "clusters", "git", "matrix", "merge"] as const;
type GeneratorKind = (typeof SUPPORTED_GENERATORS)[number];

/**
 * The parameter sets one entry of `spec.generators` yields, after its post-selector. Anything
 * Radial does not evaluate (SCM provider, pull request, plugin, cluster-decision-resource,
 * unknown fields, a `template` on a matrix or merge child) is refused with an ApplicationSetError naming it.
 */
export async function generateParams(generator: unknown, context: GeneratorContext): Promise<Params[]> {
  return transform(generator, context, context.field, "top", undefined);
}

/** Argo's Transform: pick the one generator, interpolate it with the matrix's first-child params, run it, post-select. */
async function transform(generator: unknown, context: GeneratorContext, field: string, level: Level, interpolateWith: Params | undefined): Promise<Params[]> {
  if (!isObject(generator)) throw new ApplicationSetError(field, "a generator must be an object such as { list: … } or { clusters: … }");
  const kind = generatorKind(generator, field, level);
  // The post-selector is read from the entry as written: Transform parses it before interpolating.
  const selector = parsePostSelector(generator.selector, `${field}.selector`);
  let spec = generator;
  if (interpolateWith !== undefined && Object.keys(interpolateWith).length > 0) spec = interpolateGenerator(generator, interpolateWith, context, field);
  const inner = spec[kind];
  const where = `${field}.${kind}`;
  if (!isObject(inner)) throw new ApplicationSetError(where, "must be an object");
  rejectTemplate(inner, where, level);
  let params: Params[];
  switch (kind) {
    case "list":
      params = listParams(inner, context, where);
      break;
    case "clusters":
      params = clusterParams(inner, context, where);
      break;
    case "git":
      params = await gitParams(inner, context, where);
      break;
    case "matrix":
      params = await matrixParams(inner, context, where, level, transform);
      break;
    case "merge":
      params = await mergeParams(inner, context, where, level, transform);
      break;
  }
  return applyPostSelector(selector, params);
}

/**
 * For an entry that is a cluster generator (not `flatList`): the param sets one cluster yields on
 * its own, which depend on that cluster alone, so `generateParams` equals this over the inventory
 * in name order. Undefined for any other generator; a bad entry throws as `generateParams` does.
 */
export function paramsPerCluster(generator: unknown, context: GeneratorContext): ((view: ClusterView) => Params[]) | undefined {
  if (!isObject(generator) || !isObject(generator.clusters)) return undefined;
  const field = context.field;
  generatorKind(generator, field, "top");
  const selector = parsePostSelector(generator.selector, `${field}.selector`);
  const where = `${field}.clusters`;
  const inner = generator.clusters;
  rejectTemplate(inner, where, "top");
  const spec = parseClusterGenerator(inner, where);
  if (spec.flatList) return undefined;
  return (view) => {
    const params = clusterParamsOf(spec, view, context, where);
    return params === undefined ? [] : applyPostSelector(selector, [params]);
  };
}

function generatorKind(generator: Record<string, unknown>, field: string, level: Level): GeneratorKind {
  const kinds: GeneratorKind[] = [];
  for (const key of Object.keys(generator)) {
    if (key === "selector") continue;
    if ((UNSUPPORTED_GENERATORS as readonly string[]).includes(key))
      throw new ApplicationSetError(`${field}.${key}`, `the ${key} generator is not supported by Radial`);
    if (!(SUPPORTED_GENERATORS as readonly string[]).includes(key))
      throw new ApplicationSetError(
        `${field}.${key}`,
        `unknown generator "${key}" (Radial supports ${SUPPORTED_GENERATORS.join(", ")} and the post-generator selector)`,
      );
    if (generator[key] === null || generator[key] === undefined) continue;
    kinds.push(key as GeneratorKind);
  }
  if (kinds.length === 0) throw new ApplicationSetError(field, `names no generator: give exactly one of ${SUPPORTED_GENERATORS.join(", ")}`);
  if (kinds.length > 1) throw new ApplicationSetError(field, `names ${kinds.length} generators (${kinds.join(", ")}); give each generator its own entry`);
  const kind = kinds[0]!;
  if (level === "terminal" && (kind === "matrix" || kind === "merge")) {
    throw new ApplicationSetError(
      `${field}.${kind}`,
      "Argo CD nests matrix and merge generators only two levels deep; a generator at this depth must be list, clusters or git",
    );
  }
  return kind;
}

/**
 * A top-level generator's own `template` is merged over the spec template (template.ts, called by
 * the evaluator). Argo CD ignores a template on a matrix or merge child, so one is refused by name
 * rather than silently ignored.
 */
function rejectTemplate(inner: Record<string, unknown>, field: string, level: Level) {
  const template = inner.template;
  if (level === "top" || template === undefined || template === null || (isObject(template) && Object.keys(template).length === 0)) return;
  throw new ApplicationSetError(`${field}.template`, "a template on a matrix or merge child is ignored by Argo CD; remove it");
}
