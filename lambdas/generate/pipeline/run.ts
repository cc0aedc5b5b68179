/**
 * One generation run, as domain code (no HTTP, no timers, no DynamoDB): every generator file at the
 * source branch's head is evaluated against the inventory, each Application hydrated, and every
 * cluster's tree written to its deploy branch `radial/clusters/<cluster>`.
 *
 * Safety, in the order it is applied:
 * - The current deploy branches are read (their heads, and each head's app folders once per
 *   commit: see state.ts) while the run evaluates; if they cannot be read, the run fails before writing.
 * - A generator file that fails to parse changes nothing it produced before: every app folder whose
 *   `application.yaml` carries `radial.dev/generated-from: <file>#<set>` is carried over unchanged.
 *   The same holds for an ApplicationSet whose evaluation is not complete (and, while any set in a
 *   file is incomplete, for folders of that file whose set name was not evaluated completely — a
 *   renamed or broken set keeps its output).
 * - An Application that fails (template, destination, validation, hydration, a source in another
 *   repo) keeps its previous folder if it had one; when a set reports a failure that names no
 *   Application, every previous folder of that set that is not regenerated is kept.
 * - Cluster and Application names are validated (DNS-1123 label / subdomain) before they become
 *   paths, and GitRepository refuses path tricks again when it builds the tree.
 * - A run that would remove more than `maxRemovalShare` of all Applications on deploy branches
 *   writes nothing and reports `blocked`, unless `force`.
 * - A removed Application's folder is replaced by a tombstone, `deleted.yaml` (tombstone.ts),
 *   which tells the agent to delete it; a removal counts once, in the run that writes the tombstone.
 *
 * Speed at fleet scale, through the caches the caller owns (`GenerationCaches`, each bounded): a
 * cluster generator is evaluated cluster by cluster, so an unchanged cluster costs a lookup;
 * hydration is memoized by source and commit (hydrate/cache.ts); a cluster whose inputs digest the
 * same as those that produced its current head is not rebuilt at all; an app folder that did not
 * change is referenced by its tree id rather than sent again; every changed branch goes out in a few
 * multi-ref pushes.
 *
 * The run is a chain of stages, each a function of its own file with a typed input and result:
 * evaluate → hydrate → plan (what carries over) → guard (mass removal) → build (trees) → write.
 *
 * Clusters:
 * - A cluster with zero Applications gets no branch if it has none; if it has one, the branch is
 *   updated to an empty tree (unless the guard blocks the run).
 * - A cluster removed from the inventory keeps its branch untouched: its agent is gone or will be
 *   replaced (rebuild registers the same name again, and the next run rewrites the branch). Its
 *   Applications still count in the removal guard's denominator, but never as removals.
 * - A branch under `radial/clusters/` whose name is not a valid cluster name is ignored.
 *
 * Sources in other repositories, or at a targetRevision other than the source branch, are read
 * through `deps.sources` (without it, an error per Application). Git generators read the fleet repo
 * at the source branch only. Not yet: multi-source Applications (hydrate refuses them).
 *
 * `input.signal` (the lease heartbeat) is checked before every push: an aborted run writes no more.
 */
import { DEPLOY_BRANCH_PREFIX } from "../../../contract/deploy-branch.js";
import type { DeployRepository, HelmRunner, KustomizeRunner, SourceRepositories, SourceRepository } from "../../ports.js";
import type { GenerationCaches } from "../caches.js";
import type { ClusterCapabilities } from "../hydrate/index.js";
import { inventoryView } from "../inventory-view.js";
import type { InventoryCluster } from "../params.js";
import { admitClusters } from "./admit.js";
import { buildBranches } from "./build.js";
import { evaluateFleet } from "./evaluate.js";
import { readHealthOutput } from "./health.js";
import { hydrateApplications, sameRepo } from "./hydrate.js";
import { DEFAULT_MAX_REMOVAL_SHARE, guardRemovals } from "./guard.js";
import { planBranches } from "./plan.js";
import { keepWrittenApplications } from "./policy.js";
import type { GenerationResult } from "./result.js";
import { readDeployStates } from "./state.js";
import { writeBranches } from "./write.js";

export { appFolder, applicationYaml } from "./folder.js";
export { DEFAULT_MAX_REMOVAL_SHARE } from "./guard.js";
export type { ClusterResult, FileDiff, GenerationError, GenerationResult } from "./result.js";

/** Clusters built and pushed together: bounds the memory a first run over a large fleet holds. */
const WRITE_CHUNK = 1000;

export interface GenerationInput {
  clusters: InventoryCluster[];
  dryRun: boolean;
  force: boolean;
  /** Largest share (0..1) of all Applications on deploy branches one run may remove; default 0.25. */
  maxRemovalShare?: number;
  /** Aborted when the run must stop writing (its lease was lost); the run then throws the reason. */
  signal?: AbortSignal;
}

export interface GenerationDeps {
  /** The fleet repo; generator files and app sources are read from `sourceBranch`. */
  fleet: SourceRepository;
  sourceBranch: string;
  /** Where deploy branches live; may be the same repository (and object) as `fleet`. */
  deploy: DeployRepository;
  kustomize: KustomizeRunner;
  /** For helm sources; without it they are refused, each in its Application. */
  helm?: HelmRunner;
  /** Each cluster's capabilities as its agent reported them (helm's `--kube-version`, `--api-versions`); without it, helm's defaults. */
  capabilities?: (cluster: string) => Promise<ClusterCapabilities | undefined>;
  clock: () => Date;
  author: { name: string; email: string };
  /** Sources outside the fleet repo's source branch (another repository, another revision). */
  sources?: SourceRepositories;
  /** What runs remember from one to the next; owned by the caller (the generation service). */
  caches: GenerationCaches;
  /** Told the heads each push wrote (cluster → commit), so agents hear of them at once; must not throw. */
  onWritten?: (heads: ReadonlyMap<string, string>) => Promise<void>;
}

/** The revision a git generator reads: only the fleet repo's source branch. */
function sourceBranchOnly(deps: GenerationDeps, sourceRevision: string) {
  return (repoURL: string, targetRevision: string): string => {
    if (!sameRepo(repoURL, deps.fleet.url)) throw new Error(`${repoURL} is not the fleet repo; other repositories are not supported yet`);
    if (["", "HEAD", deps.sourceBranch, sourceRevision].includes(targetRevision)) return sourceRevision;
    throw new Error(`revision ${JSON.stringify(targetRevision)}: only the source branch (${deps.sourceBranch}) of the fleet repo is read`);
  };
}

export async function runGeneration(input: GenerationInput, deps: GenerationDeps): Promise<GenerationResult> {
  const started = deps.clock().getTime();
  const { caches } = deps;
  const admitted = admitClusters(input.clusters);
  // The branches' heads are listed while the run evaluates; a failure to read them fails the run below.
  const reading = readDeployStates(deps.deploy, DEPLOY_BRANCH_PREFIX, caches.branches);
  reading.catch(() => undefined);
  const sourceRevision = await deps.fleet.fetch(deps.sourceBranch);

  const inventory = inventoryView(admitted.clusters);
  const evaluation = await evaluateFleet({
    repo: deps.fleet,
    sourceRevision,
    revision: sourceBranchOnly(deps, sourceRevision),
    inventory,
    caches: caches.evaluation,
  });
  const { policies, carry } = evaluation;
  const kept = await keepWrittenApplications({ generated: evaluation.generated, policies, previous: reading, deploy: deps.deploy, caches, carry });
  const hydrated = await hydrateApplications(kept.generated, { ...deps, sourceRevision, hydrations: caches.hydrations });
  const health = await readHealthOutput(deps.fleet, sourceRevision);
  const plan = planBranches({
    clusters: inventory.sorted.map((view) => view.cluster.name),
    previous: await reading,
    carry,
    hydrated,
    caches,
    policies,
    health,
  });
  const errors = [...admitted.errors, ...evaluation.errors, ...("error" in health ? [health.error] : []), ...kept.errors, ...plan.errors];
  const blocked = guardRemovals({
    removed: plan.removed,
    current: plan.current,
    maxRemovalShare: input.maxRemovalShare ?? DEFAULT_MAX_REMOVAL_SHARE,
    force: input.force,
  });

  for (let i = 0; i < plan.work.length; i += WRITE_CHUNK) {
    const built = await buildBranches(plan.work.slice(i, i + WRITE_CHUNK), { sourceRevision, dryRun: input.dryRun, deploy: deps.deploy, caches });
    if (input.dryRun || blocked) continue;
    errors.push(...(await writeBranches(built, { deploy: deps.deploy, author: deps.author, now: deps.clock(), caches, signal: input.signal })));
    await deps.onWritten?.(new Map(built.flatMap(({ work }) => (work.result.commit ? [[work.result.name, work.result.commit] as const] : []))));
  }
  return {
    sourceRevision,
    clusters: plan.results,
    errors,
    ...(blocked ? { blocked } : {}),
    dryRun: input.dryRun,
    durationMs: deps.clock().getTime() - started,
  };
}
