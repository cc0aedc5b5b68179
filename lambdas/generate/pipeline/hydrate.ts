/**
 * Stage 2, hydrate: each generated Application's source into plain manifests, memoized (the same
 * source at the same commit renders once, in this run and later ones). Sources in other
 * repositories, or at a revision other than the source branch, are read through `sources`.
 */
import type { Application } from "../../../contract/application.js";
import { pool } from "../../../core/pool.js";
import type { HelmRunner, KustomizeRunner, SourceCheckout, SourceRepositories, SourceRepository } from "../../ports.js";
import type { HydrationCache } from "../hydrate/cache.js";
import type { ClusterCapabilities, Hydrated } from "../hydrate/index.js";
import type { Generated } from "./evaluate.js";
import { fileOf } from "./folder.js";
import type { GenerationError } from "./result.js";

/** Hydrations run at once (kustomize is a child process). */
const HYDRATE_CONCURRENCY = 4;

export interface HydrateInput {
  fleet: SourceRepository;
  sourceBranch: string;
  sourceRevision: string;
  sources?: SourceRepositories | undefined;
  kustomize: KustomizeRunner;
  helm?: HelmRunner | undefined;
  /** Each cluster's capabilities as its agent reported them, for charts; asked at most once per cluster in a run. */
  capabilities?: ((cluster: string) => Promise<ClusterCapabilities | undefined>) | undefined;
  hydrations: HydrationCache;
}

export type HydratedApplication =
  { cluster: string; app: string; from: string; application: Application; hydrated: Hydrated } | { cluster: string; app: string; error: GenerationError };

/** A repository URL without trailing slashes and `.git`, as Argo CD compares them. */
const normalizedRepo = (url: string) => url.replace(/\/+$/, "").replace(/\.git$/, "");

export function sameRepo(a: string, b: string): boolean {
  return a === b || normalizedRepo(a) === normalizedRepo(b);
}

/** Whether a source is read from the fleet repo at the source branch, or from no git repository at all (a chart). */
function isSourceBranch(source: { repoURL: string; targetRevision?: string | undefined; chart?: string | undefined }, input: HydrateInput): boolean {
  if (source.chart !== undefined) return true;
  const target = source.targetRevision ?? "";
  return sameRepo(source.repoURL, input.fleet.url) && (target === "" || target === "HEAD" || target === input.sourceBranch || target === input.sourceRevision);
}

/** Whether every source of the Application is the fleet repo at the source branch. */
function readsSourceBranch(application: Application, input: HydrateInput): boolean {
  const { source, sources } = application.spec;
  return source ? isSourceBranch(source, input) : (sources ?? []).every((one) => isSourceBranch(one, input));
}

/** Where each of the Application's sources is read outside the fleet repo's source branch, by index (none for the others). */
async function checkoutsOf(
  application: Application,
  input: HydrateInput,
  fail: (message: string, field: string) => HydratedApplication,
): Promise<(SourceCheckout | undefined)[] | HydratedApplication> {
  const sources = application.spec.source ? [application.spec.source] : (application.spec.sources ?? []);
  const checkouts: (SourceCheckout | undefined)[] = [];
  for (const [index, source] of sources.entries()) {
    const field = application.spec.source ? "spec.source" : `spec.sources[${index}]`;
    const target = source.targetRevision ?? "";
    if (isSourceBranch(source, input)) {
      checkouts.push(undefined);
      continue;
    }
    if (!input.sources)
      return fail(
        `source ${source.repoURL} at ${JSON.stringify(target)}: only the fleet repo's source branch (${input.sourceBranch}) is read by this hub`,
        `${field}.repoURL`,
      );
    try {
      checkouts.push(await input.sources.checkout(source.repoURL, target));
    } catch (error) {
      return fail(`source ${source.repoURL} at ${JSON.stringify(target || "HEAD")}: ${(error as Error).message}`, `${field}.targetRevision`);
    }
  }
  return checkouts;
}

type Lookups = Map<string, Promise<ClusterCapabilities | undefined>>;

async function hydrateOne({ generated, from }: Generated, input: HydrateInput, lookups: Lookups): Promise<HydratedApplication> {
  const { application, cluster } = generated;
  const app = application.metadata.name;
  const fail = (message: string, field?: string): HydratedApplication => ({
    cluster,
    app,
    error: { file: fileOf(from), applicationSet: from.slice(fileOf(from).length + 1), application: app, cluster, ...(field ? { field } : {}), message },
  });
  const checkouts = await checkoutsOf(application, input, fail);
  if (!Array.isArray(checkouts)) return checkouts;
  try {
    const hydrated = await input.hydrations.hydrate(application, {
      repo: input.fleet,
      revision: input.sourceRevision,
      checkouts,
      kustomize: input.kustomize,
      helm: input.helm,
      capabilities: () => {
        let lookup = lookups.get(cluster);
        if (!lookup) lookups.set(cluster, (lookup = input.capabilities?.(cluster) ?? Promise.resolve(undefined)));
        return lookup;
      },
    });
    return { cluster, app, from, application, hydrated };
  } catch (error) {
    return fail(`hydration failed: ${(error as Error).message}`);
  }
}

/**
 * Every generated Application hydrated, or the error that stopped it, in the order given. One
 * already hydrated from the source branch is taken from the cache without waiting: at fleet scale
 * almost all are.
 */
export async function hydrateApplications(generated: Generated[], input: HydrateInput): Promise<HydratedApplication[]> {
  const out = new Array<HydratedApplication>(generated.length);
  const pending: number[] = [];
  generated.forEach((job, i) => {
    const { application, cluster } = job.generated;
    const hydrated = readsSourceBranch(application, input) ? input.hydrations.settled(application, input.sourceRevision) : undefined;
    if (hydrated) out[i] = { cluster, app: application.metadata.name, from: job.from, application, hydrated };
    else pending.push(i);
  });
  const lookups: Lookups = new Map();
  const done = await pool(pending, HYDRATE_CONCURRENCY, (i) => hydrateOne(generated[i]!, input, lookups));
  pending.forEach((index, i) => (out[index] = done[i]!));
  return out;
}
