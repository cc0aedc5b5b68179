/**
 * Everything generation remembers from one run to the next, in one object: the generation service
 * creates it (as do `radial render` and the bench) and passes it down; no module keeps state of its
 * own. Each part has a bound, so a long-running hub or a warm Lambda holds at most:
 * - evaluation: the parsed generator files of 8 source revisions;
 * - evaluation, per cluster: 500,000 (set, cluster) outcomes (25 sets over 20,000 clusters);
 * - evaluation, other generators: 200,000 rendered Applications;
 * - hydrations: 20,000 hydrated sources and 128 Mi characters of manifests;
 * - deploy branches: 50,000 heads, with the digest of the inputs that produced each, and per
 *   cluster (as many) the last digest of its inputs;
 * - per Application and per hydration, what a run derives from them (digest, blob id): in
 *   weak maps, so they live exactly as long as the entries above (or the run) hold their keys.
 * Every entry is content-addressed (a commit, a template and its parameters, a cluster's labels), so
 * none goes stale; past a bound the least recently used go, and a later run computes them again.
 */
import type { Application } from "../../contract/application.js";
import type { BlobNode } from "../../core/git/objects.js";
import { evaluationCaches, type EvaluationCacheBounds, type EvaluationCaches } from "./evaluate.js";
import { HydrationCache, type HydrationCacheBounds } from "./hydrate/cache.js";
import { LruMap } from "./lru.js";
import type { Hydrated } from "./hydrate/index.js";
import { BranchStates, type AppOnBranch, type BranchStatesBounds } from "./pipeline/state.js";

export type GenerationCacheBounds = EvaluationCacheBounds & HydrationCacheBounds & BranchStatesBounds;

export class GenerationCaches {
  readonly evaluation: EvaluationCaches;
  readonly hydrations: HydrationCache;
  readonly branches: BranchStates;
  /** Each hydration's manifests as a blob, hashed once for every cluster that deploys it. */
  readonly manifestBlobs = new WeakMap<Hydrated, BlobNode>();
  /** Each Application's share of the input digests: Applications come frozen and shared from the evaluation caches. */
  readonly applicationDigests = new WeakMap<Application, string>();
  /** The Application a folder on a branch holds, read for sets that do not update Applications (pipeline/policy.ts). */
  readonly writtenApplications = new WeakMap<AppOnBranch, Application>();
  /** Per cluster, the last digest of its inputs and what it was made of. */
  readonly clusterDigests: LruMap<string, { parts: readonly unknown[]; digest: string }>;

  constructor(bounds: Partial<GenerationCacheBounds> = {}) {
    this.evaluation = evaluationCaches(bounds);
    this.hydrations = new HydrationCache(bounds);
    this.branches = new BranchStates(bounds);
    this.clusterDigests = new LruMap(bounds.maxStates ?? 50_000);
  }
}
