import { Application, fieldPath } from "../../contract/index.js";
import type { RepoReader } from "../../core/git/reader.js";
import type { ApplicationSet } from "./application-set.js";
import { generateParams, paramsPerCluster } from "./generators/index.js";
import type { GeneratorContext } from "./generators/context.js";
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

/**
 * Evaluation results kept between runs, each in groups that a run replaces with the entries it
 * used (so entries of clusters gone or relabeled leave with the next run), least recently used
 * groups dropped past a bound on entries in all. Rendering is a pure function of template and
 * parameters (the template functions read no clock, randomness or environment), so an entry never
 * goes stale.
 */
export interface EvaluationCaches {
  /** Set (its whole spec) → cluster (everything a generator reads of it) → outcome: cluster generators. */
  perCluster: LruMap<string, Map<string, ClusterOutcome>>;
  /** Template (with patch and options) → parameters → Application: every other generator. */
  renders: LruMap<string, Map<string, Rendered>>;
}

export interface EvaluationCacheBounds {
  /** (set, cluster) outcomes kept in all; default 500,000 (25 sets over 20,000 clusters). */
  maxClusterOutcomes: number;
  /** Rendered Applications of other generators kept in all; default 200,000. */
  maxRenders: number;
}

/** Groups are bounded by their entries in all; the number of groups alone by this. */
const MAX_GROUPS = 10_000;

export function evaluationCaches(bounds: Partial<EvaluationCacheBounds> = {}): EvaluationCaches {
  const groups = <V>(maxEntries: number) => new LruMap<string, Map<string, V>>(MAX_GROUPS, { sizeOf: (group) => group.size, maxSize: maxEntries });
  return { perCluster: groups(bounds.maxClusterOutcomes ?? 500_000), renders: groups(bounds.maxRenders ?? 200_000) };
}

/** Resolves `destination.name` or `destination.server` to a registered cluster, as Argo CD does. */
function destinationCluster(application: Application, inventory: InventoryView): string | { problem: string } {
  const { name, server } = application.spec.destination;
  const found = name ? inventory.byName.get(name) : server === undefined ? undefined : inventory.byServer.get(server);
  if (found) return found.name;
  return { problem: name ? `destination.name "${name}" is not a registered cluster` : `destination.server "${server}" is not the server of any registered cluster` };
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
    const rendered = renderTemplate(set.spec.template, params, options) as Record<string, unknown>;
    const patched = set.spec.templatePatch === undefined ? rendered : applyTemplatePatch(rendered, set.spec.templatePatch, params, options.goTemplateOptions);
    const candidate = { apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...patched };
    const parsed = Application.safeParse(candidate);
    if (parsed.success) return deepFreeze({ ok: true, application: parsed.data });
    const name = (candidate as { metadata?: { name?: unknown } }).metadata?.name;
    const issue = parsed.error.issues[0]!;
    return deepFreeze({ ok: false, application: typeof name === "string" ? name : undefined, field: fieldPath(issue.path), message: `${fieldPath(issue.path)}: ${issue.message}` });
  } catch (error) {
    return deepFreeze({ ok: false, field: "spec.template", message: (error as Error).message });
  }
}

/** The same entries `from` had for the keys a run asks for, plus new ones; stored as the group's entries when the run is done. */
class GroupOfRun<V> {
  readonly used = new Map<string, V>();
  private readonly previous: Map<string, V> | undefined;

  constructor(
    private readonly cache: LruMap<string, Map<string, V>>,
    private readonly group: string,
  ) {
    this.previous = cache.get(group);
  }

  get(key: string, compute: () => V): V {
    let value = this.used.get(key) ?? this.previous?.get(key);
    if (value === undefined) value = compute();
    this.used.set(key, value);
    return value;
  }

  store(): void {
    this.cache.set(this.group, this.used);
  }
}

type GeneratorOutput = { rendered: Rendered[] } | { problem: EvaluationProblem };

function failure(set: ApplicationSet, field: string, error: unknown): { problem: EvaluationProblem } {
  const at = error instanceof ApplicationSetError ? error.field : field;
  return { problem: { applicationSet: set.metadata.name, generator: field, field: at, message: (error as Error).message } };
}

/** A cluster generator, one cluster at a time: a cluster whose view is unchanged since the last run is a map lookup. */
function renderPerCluster(set: ApplicationSet, field: string, perCluster: (view: ClusterView) => Params[], context: EvaluationContext): GeneratorOutput {
  const group = new GroupOfRun(context.caches.perCluster, `${field}\u0000${JSON.stringify(set)}`);
  const rendered: Rendered[] = [];
  for (const view of context.inventory.sorted) {
    const outcome = group.get(view.key, (): ClusterOutcome => {
      try {
        return { rendered: perCluster(view).map((params) => render(set, params)) };
      } catch (error) {
        return { error: error as Error };
      }
    });
    if ("error" in outcome) return failure(set, field, outcome.error);
    for (const one of outcome.rendered) rendered.push(one);
  }
  group.store();
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
  const group = new GroupOfRun(caches.renders, JSON.stringify([template, templatePatch, goTemplate, goTemplateOptions]));
  const rendered = paramSets.map((params) => group.get(JSON.stringify(params), () => render(set, params)));
  group.store();
  return { rendered };
}

/** The Applications of one generator entry. */
async function renderGenerator(set: ApplicationSet, generator: unknown, field: string, context: EvaluationContext): Promise<GeneratorOutput> {
  const generatorContext: GeneratorContext = { ...context, goTemplate: set.spec.goTemplate ?? false, goTemplateOptions: set.spec.goTemplateOptions ?? [], field };
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
        problems.push({ applicationSet: setName, generator: field, ...("application" in rendered ? { application: rendered.application } : {}), field: at, message });
        continue;
      }
      const cluster = destinationCluster(rendered.application, context.inventory);
      if (typeof cluster !== "string") {
        problems.push({ applicationSet: setName, generator: field, application: rendered.application.metadata.name, field: "spec.destination", message: cluster.problem });
        continue;
      }
      applications.push({ application: rendered.application, cluster, generator: field });
    }
  }
  const duplicate = duplicateName(set, applications);
  if (duplicate) return { applications: [], problems: [...problems, duplicate], complete: false };
  applications.sort((a, b) => a.application.metadata.name.localeCompare(b.application.metadata.name));
  return { applications, problems, complete: true };
}
