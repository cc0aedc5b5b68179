import { Application, fieldPath } from "../../contract/index.js";
import type { RepoReader } from "../../core/git/reader.js";
import type { ApplicationSet } from "./application-set.js";
import { asGenerated, withDefaultFinalizer } from "./application-set-output.js";
import { generateParams, paramsPerCluster } from "./generators/index.js";
import type { GeneratorContext } from "./generators/context.js";
import { withGeneratorTemplate } from "./generators/template.js";
import { clusterOutcomes, InventoryHistory, type ClusterGroup } from "./cluster-outcomes.js";
import type { ClusterView, InventoryView } from "./inventory-view.js";
import { LruMap } from "./lru.js";
import { ApplicationSetError, type Params } from "./params.js";
import { applyTemplatePatch, renderTemplate } from "./template/index.js";

export interface EvaluationContext {
  inventory: InventoryView;
  repo: RepoReader;
  /** Resolves a repo's targetRevision (branch, tag, HEAD) to the commit the run reads. */
  revision: (repoURL: string, targetRevision: string) => string;
  caches: EvaluationCaches;
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

/** An Application rendered from one parameter set, validated; frozen, as caches share it between runs. */
export type Rendered = { ok: true; application: Application } | { ok: false; field: string; message: string; application?: string | undefined };

/** What one cluster yields for one set: its rendered Applications, or the error that fails the whole set. */
export type ClusterOutcome = { rendered: readonly Rendered[] } | { error: Error };

/** A generator file at a revision: its ApplicationSets, or why it could not be parsed. */
export type GeneratorFile = { file: string; sets: readonly ApplicationSet[] } | { file: string; error: string };

/**
 * Evaluation results kept between runs, in groups (one per set or template): a cluster generator's
 * group holds the clusters of the last inventory it saw (cluster-outcomes.ts); another generator's
 * drops parameters no run asks for any more once they are a tenth of it. Past a bound on entries in
 * all, the least recently used groups go. Rendering is a pure function of template and parameters
 * (the template functions read no clock, randomness or environment), so an entry never goes stale.
 */
export interface EvaluationCaches {
  /** Source revision → its generator files, parsed: a run at an unchanged revision reads none. */
  generatorFiles: LruMap<string, GeneratorFile[]>;
  /** Set (its whole spec) → cluster (everything a generator reads of it) → outcome: cluster generators. */
  perCluster: LruMap<string, ClusterGroup<ClusterOutcome>>;
  /** The inventories evaluated, so that a run visits only the clusters changed since the last. */
  inventories: InventoryHistory;
  /** Template (with patch and options) → parameters → Application: every other generator. */
  renders: LruMap<string, CacheGroup<Rendered>>;
}

export interface EvaluationCacheBounds {
  /** (set, cluster) outcomes kept in all; default 500,000 (25 sets over 20,000 clusters). */
  maxClusterOutcomes: number;
  /** Rendered Applications of other generators kept in all; default 200,000. */
  maxRenders: number;
}

/** Source revisions whose generator files are kept. */
const MAX_REVISIONS = 8;
/** Groups are bounded by their entries in all; the number of groups alone by this. */
const MAX_GROUPS = 10_000;

export function evaluationCaches(bounds: Partial<EvaluationCacheBounds> = {}): EvaluationCaches {
  const groups = <G extends { entries: Map<string, unknown> }>(maxEntries: number) =>
    new LruMap<string, G>(MAX_GROUPS, { sizeOf: (group) => group.entries.size, maxSize: maxEntries });
  return {
    generatorFiles: new LruMap(MAX_REVISIONS),
    perCluster: groups(bounds.maxClusterOutcomes ?? 500_000),
    inventories: new InventoryHistory(),
    renders: groups(bounds.maxRenders ?? 200_000),
  };
}

/** Resolves `destination.name` or `destination.server` to a registered cluster, as Argo CD does. */
function destinationCluster(application: Application, inventory: InventoryView): string | { problem: string } {
  const { name, server } = application.spec.destination;
  const found = name ? inventory.byName.get(name) : server === undefined ? undefined : inventory.byServer.get(server);
  if (found) return found.name;
  return {
    problem: name ? `destination.name "${name}" is not a registered cluster` : `destination.server "${server}" is not the server of any registered cluster`,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function render(set: ApplicationSet, params: Params): Rendered {
  const options = { goTemplate: set.spec.goTemplate ?? false, goTemplateOptions: set.spec.goTemplateOptions ?? [] };
  try {
    const template = renderTemplate(set.spec.template, params, options);
    // Argo CD returns the template as written, without the default finalizer, when there are no params.
    const rendered = Object.keys(params).length === 0 ? template : withDefaultFinalizer(template, set);
    const patched =
      set.spec.templatePatch === undefined ? rendered : applyTemplatePatch(rendered as object, set.spec.templatePatch, params, options.goTemplateOptions);
    const candidate = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...(asGenerated(patched, set) as object) };
    const parsed = Application.safeParse(candidate);
    if (parsed.success) return deepFreeze({ ok: true, application: parsed.data });
    const name = (candidate as { metadata?: { name?: unknown } }).metadata?.name;
    const issue = parsed.error.issues[0]!;
    return deepFreeze({
      ok: false,
      application: typeof name === "string" ? name : undefined,
      field: fieldPath(issue.path),
      message: `${fieldPath(issue.path)}: ${issue.message}`,
    });
  } catch (error) {
    return deepFreeze({ ok: false, field: "spec.template", message: (error as Error).message });
  }
}

/** One group of an evaluation cache: its entries, each stamped with the last run that used it. */
export interface CacheGroup<V> {
  run: number;
  entries: Map<string, { value: V; run: number }>;
}

/**
 * A group's entries as a run uses them: a hit is a lookup, a miss is rendered and added. Entries no
 * run asks for any more (parameters no longer generated) are dropped once they are a tenth of the
 * group; the group's size counts against the cache's bound.
 */
class GroupOfRun<V> {
  private readonly group: CacheGroup<V>;
  private used = 0;

  constructor(
    private readonly cache: LruMap<string, CacheGroup<V>>,
    private readonly key: string,
  ) {
    const group: CacheGroup<V> = cache.get(key) ?? { run: 0, entries: new Map<string, { value: V; run: number }>() };
    this.group = { run: group.run + 1, entries: group.entries };
  }

  /** The entry for `key`, marked used by this run; undefined on a miss (then `add` it). */
  get(key: string): V | undefined {
    const entry = this.group.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.run !== this.group.run) {
      entry.run = this.group.run;
      this.used += 1;
    }
    return entry.value;
  }

  add(key: string, value: V): V {
    this.group.entries.set(key, { value, run: this.group.run });
    this.used += 1;
    return value;
  }

  store(): void {
    const { entries, run } = this.group;
    if ((entries.size - this.used) * 10 > entries.size) for (const [key, entry] of entries) if (entry.run !== run) entries.delete(key);
    this.cache.set(this.key, this.group);
  }
}

type GeneratorOutput = { rendered: Rendered[] } | { problem: EvaluationProblem };

function failure(set: ApplicationSet, field: string, error: unknown): { problem: EvaluationProblem } {
  const at = error instanceof ApplicationSetError ? error.field : field;
  return { problem: { applicationSet: set.metadata.name, generator: field, field: at, message: (error as Error).message } };
}

/** The outcome of a cluster the generator does not pick: shared, as most clusters are not picked by most sets. */
const NOT_PICKED: ClusterOutcome = Object.freeze({ rendered: Object.freeze([]) });

function clusterOutcome(set: ApplicationSet, view: ClusterView, perCluster: (view: ClusterView) => Params[]): ClusterOutcome {
  try {
    const paramSets = perCluster(view);
    return paramSets.length === 0 ? NOT_PICKED : { rendered: paramSets.map((params) => render(set, params)) };
  } catch (error) {
    return { error: error as Error };
  }
}

/** A cluster generator, one cluster at a time: a run visits only the clusters that changed since the last (cluster-outcomes.ts). */
function renderPerCluster(set: ApplicationSet, field: string, perCluster: (view: ClusterView) => Params[], context: EvaluationContext): GeneratorOutput {
  const picked = clusterOutcomes({
    cache: context.caches.perCluster,
    groupKey: `${field}\u0000${JSON.stringify(set)}`,
    inventory: context.inventory,
    history: context.caches.inventories,
    outcome: (view) => clusterOutcome(set, view, perCluster),
    picks: (outcome) => outcome !== NOT_PICKED,
  });
  const rendered: Rendered[] = [];
  for (const { outcome } of picked) {
    if ("error" in outcome) return failure(set, field, outcome.error);
    for (const one of outcome.rendered) rendered.push(one);
  }
  return { rendered };
}

/** Any other generator: its parameter sets, each rendered once per template and parameters. */
async function renderParamSets(set: ApplicationSet, generator: unknown, context: GeneratorContext, caches: EvaluationCaches): Promise<GeneratorOutput> {
  let paramSets: Params[];
  try {
    paramSets = await generateParams(generator, context);
  } catch (error) {
    return failure(set, context.field, error);
  }
  const { template, templatePatch, goTemplate, goTemplateOptions } = set.spec;
  // Everything render() reads of the set: its namespace and syncPolicy shape the Application too.
  const group = new GroupOfRun(
    caches.renders,
    JSON.stringify([template, templatePatch, goTemplate, goTemplateOptions, set.metadata.namespace, set.spec.syncPolicy]),
  );
  const rendered = paramSets.map((params) => {
    const key = JSON.stringify(params);
    return group.get(key) ?? group.add(key, render(set, params));
  });
  group.store();
  return { rendered };
}

/** The Applications of one generator entry. */
async function renderGenerator(spec: ApplicationSet, generator: unknown, field: string, context: EvaluationContext): Promise<GeneratorOutput> {
  let set: ApplicationSet;
  try {
    set = withGeneratorTemplate(spec, generator, field);
  } catch (error) {
    return failure(spec, field, error);
  }
  const generatorContext: GeneratorContext = {
    ...context,
    goTemplate: set.spec.goTemplate ?? false,
    goTemplateOptions: set.spec.goTemplateOptions ?? [],
    field,
  };
  let perCluster: ((view: ClusterView) => Params[]) | undefined;
  try {
    perCluster = paramsPerCluster(generator, generatorContext);
  } catch (error) {
    return failure(set, field, error);
  }
  if (perCluster) return renderPerCluster(set, field, perCluster, context);
  return renderParamSets(set, generator, generatorContext, context.caches);
}

/** The first duplicate Application name, as a problem that fails the set. */
function duplicateName(set: ApplicationSet, applications: GeneratedApplication[]): EvaluationProblem | undefined {
  const seen = new Map<string, string>();
  for (const { application, generator } of applications) {
    const name = application.metadata.name;
    const first = seen.get(name);
    if (first !== undefined) {
      const message = `two Applications are named "${name}" (from ${first} and ${generator}); names must be unique, as in Argo CD`;
      return { applicationSet: set.metadata.name, generator, application: name, field: "metadata.name", message };
    }
    seen.set(name, generator);
  }
  return undefined;
}

/**
 * Evaluates one ApplicationSet against the inventory: every generator's parameter sets, each
 * rendered into an Application aimed at a registered cluster. An Application that fails (bad
 * template, unknown destination) is reported and the rest go on; a failing generator or duplicate
 * names fail the whole set, as in Argo CD. A cluster generator is evaluated cluster by cluster, so
 * a run after one relabel renders only that cluster's Applications again.
 */
export async function evaluateApplicationSet(set: ApplicationSet, context: EvaluationContext): Promise<Evaluation> {
  const setName = set.metadata.name;
  const applications: GeneratedApplication[] = [];
  const problems: EvaluationProblem[] = [];
  for (const [index, generator] of set.spec.generators.entries()) {
    const field = `spec.generators[${index}]`;
    const output = await renderGenerator(set, generator, field, context);
    if ("problem" in output) return { applications: [], problems: [output.problem], complete: false };
    for (const rendered of output.rendered) {
      if (!rendered.ok) {
        const { field: at, message } = rendered;
        problems.push({
          applicationSet: setName,
          generator: field,
          ...("application" in rendered ? { application: rendered.application } : {}),
          field: at,
          message,
        });
        continue;
      }
      const cluster = destinationCluster(rendered.application, context.inventory);
      if (typeof cluster !== "string") {
        problems.push({
          applicationSet: setName,
          generator: field,
          application: rendered.application.metadata.name,
          field: "spec.destination",
          message: cluster.problem,
        });
        continue;
      }
      applications.push({ application: rendered.application, cluster, generator: field });
    }
  }
  const duplicate = duplicateName(set, applications);
  if (duplicate) return { applications: [], problems: [...problems, duplicate], complete: false };
  // By code point: the same order on every machine and locale, and cheap at fleet scale.
  applications.sort((a, b) =>
    a.application.metadata.name < b.application.metadata.name ? -1 : a.application.metadata.name > b.application.metadata.name ? 1 : 0,
  );
  return { applications, problems, complete: true };
}
