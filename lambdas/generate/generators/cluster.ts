import { matches, selectorFromObject, SelectorError, type Selector } from "../../../core/labels/selector.js";
import { secretLabels, type ClusterView } from "../inventory-view.js";
import { ApplicationSetError, type Params } from "../params.js";
import type { GeneratorContext } from "./context.js";
import { appendValues, rejectUnknownFields, stringMap } from "./fields.js";
import { labelSelectorShape } from "./selector-shape.js";
import { sanitizeName } from "./values.js";

/**
 * cluster.go: one param set per registered cluster matching `selector`. Radial differences:
 * - there is no implicit `in-cluster` (the hub manages no cluster of its own);
 * - every cluster carries the label `argocd.argoproj.io/secret-type: cluster`, as every Argo CD
 *   cluster Secret does, so templates and selectors that use it behave the same;
 * - `project` is always "" (Radial clusters have no Argo CD project);
 * - a cluster registered without a server gets `server: ""` (Argo's param for a Secret without
 *   a server field is also ""); such a cluster can only be targeted by `destination.name`;
 * - clusters come in name order (Argo iterates a Go map, so its order is random).
 */
export interface ClusterGenerator {
  selector: Selector;
  values: Record<string, string>;
  flatList: boolean;
}

/** The `clusters` generator's own fields, checked. */
export function parseClusterGenerator(spec: Record<string, unknown>, field: string): ClusterGenerator {
  rejectUnknownFields(spec, ["selector", "values", "flatList", "template"], field, "clusters");
  const shape = labelSelectorShape(spec.selector ?? {}, `${field}.selector`);
  let selector;
  try {
    selector = selectorFromObject(shape);
  } catch (error) {
    if (error instanceof SelectorError) throw new ApplicationSetError(`${field}.selector`, error.message);
    throw error;
  }
  const values = stringMap(spec.values, `${field}.values`);
  const flatList = spec.flatList ?? false;
  if (typeof flatList !== "boolean") throw new ApplicationSetError(`${field}.flatList`, "must be a boolean");
  return { selector, values, flatList };
}

/** One cluster's param set, or undefined when the selector does not pick it: depends on that cluster alone. */
export function clusterParamsOf(generator: ClusterGenerator, view: ClusterView, context: GeneratorContext, field: string): Params | undefined {
  const { cluster } = view;
  const labels = secretLabels(view);
  if (!matches(generator.selector, labels)) return undefined;
  const params: Params = {
    name: cluster.name,
    nameNormalized: (view.nameNormalized ??= sanitizeName(cluster.name)),
    server: cluster.server ?? "",
    project: "",
  };
  if (context.goTemplate) {
    const metadata: Record<string, unknown> = {};
    if (Object.keys(cluster.annotations).length > 0) metadata.annotations = { ...cluster.annotations };
    metadata.labels = { ...labels };
    params.metadata = metadata;
  } else {
    for (const [k, v] of Object.entries(cluster.annotations)) params[`metadata.annotations.${k}`] = v;
    for (const [k, v] of Object.entries(labels)) params[`metadata.labels.${k}`] = v;
  }
  return appendValues(params, generator.values, context, field);
}

export function clusterParams(spec: Record<string, unknown>, context: GeneratorContext, field: string): Params[] {
  const generator = parseClusterGenerator(spec, field);
  const out: Params[] = [];
  for (const view of context.inventory.sorted) {
    const params = clusterParamsOf(generator, view, context, field);
    if (params !== undefined) out.push(params);
  }
  return generator.flatList ? [{ clusters: out }] : out;
}
