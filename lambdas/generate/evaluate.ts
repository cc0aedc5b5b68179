import { Application, fieldPath } from "../../contract/index.js";
import type { ApplicationSet } from "./application-set.js";
import { generateParams } from "./generators/index.js";
import { ApplicationSetError, type InventoryCluster, type Params } from "./params.js";
import type { RepoReader } from "../../core/git/reader.js";
import { applyTemplatePatch, renderTemplate } from "./template/index.js";

export interface EvaluationContext {
  clusters: InventoryCluster[];
  repo: RepoReader;
  /** Resolves a repo's targetRevision (branch, tag, HEAD) to the commit the run reads. */
  revision: (repoURL: string, targetRevision: string) => string;
}

export interface GeneratedApplication {
  application: Application;
  /** The registered cluster it deploys to. */
  cluster: string;
  /** Which generator produced it, e.g. `spec.generators[0]`. */
  generator: string;
}

/** One thing that went wrong, with enough to find it: set, generator, Application, field. */
export interface EvaluationProblem {
  applicationSet: string;
  generator?: string;
  application?: string;
  field?: string;
  message: string;
}

export interface Evaluation {
  applications: GeneratedApplication[];
  problems: EvaluationProblem[];
  /**
   * False when the set as a whole failed (a generator error, duplicate names): then it yields no
   * Applications and the caller keeps whatever it produced before.
   */
  complete: boolean;
}

interface ClusterIndex {
  byName: Map<string, InventoryCluster>;
  /** The first registered cluster with each server, as a scan in inventory order would find. */
  byServer: Map<string, InventoryCluster>;
}

/** One index per inventory list: a fleet-wide run resolves tens of thousands of destinations against it. */
const indexes = new WeakMap<InventoryCluster[], ClusterIndex>();

function clusterIndex(clusters: InventoryCluster[]): ClusterIndex {
  let index = indexes.get(clusters);
  if (!index) {
    index = { byName: new Map(), byServer: new Map() };
    for (const cluster of clusters) {
      if (!index.byName.has(cluster.name)) index.byName.set(cluster.name, cluster);
      if (cluster.server !== null && !index.byServer.has(cluster.server)) index.byServer.set(cluster.server, cluster);
    }
    indexes.set(clusters, index);
  }
  return index;
}

/** Resolves `destination.name` or `destination.server` to a registered cluster, as Argo CD does. */
function destinationCluster(application: Application, clusters: InventoryCluster[]): InventoryCluster | string {
  const { name, server } = application.spec.destination;
  const index = clusterIndex(clusters);
  const found = name ? index.byName.get(name) : server === undefined ? undefined : index.byServer.get(server);
  if (found) return found;
  return name ? `destination.name "${name}" is not a registered cluster` : `destination.server "${server}" is not the server of any registered cluster`;
}

function renderApplication(set: ApplicationSet, params: Params): unknown {
  const options = { goTemplate: set.spec.goTemplate ?? false, goTemplateOptions: set.spec.goTemplateOptions ?? [] };
  const rendered = renderTemplate(set.spec.template, params, options) as Record<string, unknown>;
  const patched = set.spec.templatePatch === undefined ? rendered : applyTemplatePatch(rendered, set.spec.templatePatch, params, options.goTemplateOptions);
  return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...patched };
}

type Rendered = { ok: true; application: Application } | { ok: false; field: string; message: string; application?: string | undefined };

/**
 * Rendered Applications by (template, parameters), across runs: relabeling one cluster changes one
 * parameter set, so a run renders only that cluster's Applications again. Rendering is a pure
 * function (the template functions read no clock, randomness or environment). Entries are frozen,
 * as they are shared by every run that renders them.
 */
const renderCache = new Map<string, Map<string, Rendered>>();
const RENDER_CACHE_ENTRIES = 200_000;
let renderCacheEntries = 0;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function templateKeyOf(set: ApplicationSet): string {
  const { template, templatePatch, goTemplate, goTemplateOptions } = set.spec;
  return JSON.stringify([template, templatePatch, goTemplate, goTemplateOptions]);
}

function renderAndValidate(set: ApplicationSet, templateKey: string, params: Params): Rendered {
  let byParams = renderCache.get(templateKey);
  if (!byParams) {
    byParams = new Map();
    renderCache.set(templateKey, byParams);
  }
  const key = JSON.stringify(params);
  const cached = byParams.get(key);
  if (cached) return cached;
  let outcome: Rendered;
  try {
    const candidate = renderApplication(set, params);
    const name = (candidate as { metadata?: { name?: unknown } }).metadata?.name;
    const parsed = Application.safeParse(candidate);
    if (parsed.success) outcome = { ok: true, application: parsed.data };
    else {
      const issue = parsed.error.issues[0]!;
      outcome = { ok: false, application: typeof name === "string" ? name : undefined, field: fieldPath(issue.path), message: `${fieldPath(issue.path)}: ${issue.message}` };
    }
  } catch (error) {
    outcome = { ok: false, field: "spec.template", message: (error as Error).message };
  }
  // Past the bound, start over rather than track age: a fleet that large renders once per run anyway.
  if (renderCacheEntries >= RENDER_CACHE_ENTRIES) {
    for (const entries of renderCache.values()) entries.clear();
    renderCacheEntries = 0;
  }
  byParams.set(key, deepFreeze(outcome));
  renderCacheEntries += 1;
  return outcome;
}

/**
 * Evaluates one ApplicationSet against the inventory: every generator's parameter sets, each
 * rendered into an Application aimed at a registered cluster. An Application that fails (bad
 * template, unknown destination) is reported and the rest go on; a failing generator or duplicate
 * names fail the whole set, as in Argo CD.
 */
export async function evaluateApplicationSet(set: ApplicationSet, context: EvaluationContext): Promise<Evaluation> {
  const setName = set.metadata.name;
  const applications: GeneratedApplication[] = [];
  const problems: EvaluationProblem[] = [];
  const templateKey = templateKeyOf(set);
  for (const [index, generator] of set.spec.generators.entries()) {
    const field = `spec.generators[${index}]`;
    let paramSets: Params[];
    try {
      paramSets = await generateParams(generator, {
        ...context,
        goTemplate: set.spec.goTemplate ?? false,
        goTemplateOptions: set.spec.goTemplateOptions ?? [],
        field,
      });
    } catch (error) {
      const at = error instanceof ApplicationSetError ? error.field : field;
      return { applications: [], problems: [{ applicationSet: setName, generator: field, field: at, message: (error as Error).message }], complete: false };
    }
    for (const params of paramSets) {
      const rendered = renderAndValidate(set, templateKey, params);
      if (!rendered.ok) {
        const { field: at, message } = rendered;
        problems.push({ applicationSet: setName, generator: field, ...("application" in rendered ? { application: rendered.application } : {}), field: at, message });
        continue;
      }
      const cluster = destinationCluster(rendered.application, context.clusters);
      if (typeof cluster === "string") {
        problems.push({ applicationSet: setName, generator: field, application: rendered.application.metadata.name, field: "spec.destination", message: cluster });
        continue;
      }
      applications.push({ application: rendered.application, cluster: cluster.name, generator: field });
    }
  }
  const seen = new Map<string, string>();
  for (const { application, generator } of applications) {
    const name = application.metadata.name;
    const first = seen.get(name);
    if (first !== undefined) {
      const message = `two Applications are named "${name}" (from ${first} and ${generator}); names must be unique, as in Argo CD`;
      return { applications: [], problems: [...problems, { applicationSet: setName, generator, application: name, field: "metadata.name", message }], complete: false };
    }
    seen.set(name, generator);
  }
  applications.sort((a, b) => a.application.metadata.name.localeCompare(b.application.metadata.name));
  return { applications, problems, complete: true };
}
