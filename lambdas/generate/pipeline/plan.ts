/**
 * Stage 3, plan: the app folders each cluster's branch should hold (fresh output, plus what carries
 * over from the branch when a file, a set or an Application failed), compared with the branch by
 * name; a cluster whose inputs digest as those that produced its current head needs no more work.
 */
import { createHash } from "node:crypto";
import type { Application } from "../../../contract/application.js";
import type { SetPolicies } from "../application-set-policy.js";
import type { GenerationCaches } from "../caches.js";
import type { Hydrated } from "../hydrate/index.js";
import type { CarryOver } from "./evaluate.js";
import { fileOf, manifestBlob } from "./folder.js";
import type { HydratedApplication } from "./hydrate.js";
import { keepUndeleted, preservedOnRemoval } from "./policy.js";
import type { ClusterResult, GenerationError } from "./result.js";
import { healthOnBranch, type HealthOutput } from "./health.js";
import type { AppOnBranch, BranchState } from "./state.js";

/** An app folder a run wants on a branch: rendered afresh, or kept as the branch holds it. */
export type Wanted = { from: string; fresh: { application: Application; hydrated: Hydrated } } | { from: string | undefined; kept: AppOnBranch };

/** A cluster whose branch must be built (and maybe written). */
export interface BranchWork {
  result: ClusterResult;
  apps: Map<string, Wanted>;
  before: BranchState | undefined;
  /** The digest of `apps`, remembered with the commit that holds them. */
  digest: string;
  /** Removed Applications whose set preserves their resources: their tombstones carry no resources finalizer. */
  preserved?: ReadonlySet<string>;
  /** The users' health checks file the branch holds beside the folders, if any. */
  health?: string | undefined;
}

export interface PlanInput {
  /** The inventory's cluster names (valid, distinct). */
  clusters: readonly string[];
  /** The deploy branches as they are, by cluster (may hold clusters no longer in the inventory). */
  previous: ReadonlyMap<string, BranchState>;
  carry: CarryOver;
  hydrated: readonly HydratedApplication[];
  caches: GenerationCaches;
  /** What each set's syncPolicy allows (pipeline/policy.ts); a set absent from it may do everything. */
  policies?: SetPolicies;
  /** The users' health checks for every branch (pipeline/health.ts); without it, none. */
  health?: HealthOutput;
}

export interface Plan {
  /** Every inventory cluster, by name. */
  results: ClusterResult[];
  /** The clusters whose inputs changed since their head was written. */
  work: BranchWork[];
  /** Applications on all deploy branches now, and how many this run removes. */
  current: number;
  removed: number;
  errors: GenerationError[];
}

const carryKind = (carry: CarryOver, from: string | undefined, app: string): "hard" | "soft" | undefined => {
  if (from === undefined) return undefined;
  const complete = carry.hardFiles.get(fileOf(from));
  if (complete && !complete.has(from.slice(fileOf(from).length + 1))) return "hard";
  return carry.softOrigins.has(from) || carry.softApps.get(from)?.has(app) ? "soft" : undefined;
};

/** Error for fresh output that would replace a folder kept from a failing file, or a second Application of one name. */
function refused(item: { cluster: string; app: string; from: string }, message: string): GenerationError {
  const file = fileOf(item.from);
  return { file, applicationSet: item.from.slice(file.length + 1), application: item.app, cluster: item.cluster, message };
}

/** The folders each inventory cluster should hold. */
export function wantedFolders(input: Omit<PlanInput, "caches">): { desired: Map<string, Map<string, Wanted>>; errors: GenerationError[] } {
  const { carry, previous } = input;
  const errors: GenerationError[] = [];
  const desired = new Map<string, Map<string, Wanted>>(input.clusters.map((name) => [name, new Map()]));
  const soft = new Map<string, Map<string, AppOnBranch>>();
  const carrying = carry.hardFiles.size > 0 || carry.softOrigins.size > 0 || carry.softApps.size > 0;
  for (const [cluster, branch] of carrying ? previous : []) {
    const apps = desired.get(cluster);
    if (!apps) continue;
    for (const [app, folder] of branch.apps) {
      const kind = carryKind(carry, folder.from, app);
      if (kind === "hard") apps.set(app, { from: folder.from, kept: folder });
      else if (kind === "soft") soft.set(cluster, (soft.get(cluster) ?? new Map<string, AppOnBranch>()).set(app, folder));
    }
  }
  // Before fresh output, `desired` holds only the folders kept hard.
  for (const item of input.hydrated) {
    if ("error" in item) {
      errors.push(item.error);
      const folder = previous.get(item.cluster)?.apps.get(item.app);
      if (folder) soft.set(item.cluster, (soft.get(item.cluster) ?? new Map<string, AppOnBranch>()).set(item.app, folder));
      continue;
    }
    const apps = desired.get(item.cluster)!;
    const existing = apps.get(item.app);
    if (existing === undefined) apps.set(item.app, { from: item.from, fresh: item });
    else if ("kept" in existing)
      errors.push(
        refused(
          item,
          `clusters/${item.cluster}/${item.app} is kept from ${existing.from ?? "a failing generator file"}, which failed this run; not overwritten`,
        ),
      );
    else errors.push(refused(item, `Application ${item.app} on cluster ${item.cluster} is also generated by ${existing.from}; the first is kept`));
  }
  for (const [cluster, folders] of soft) {
    const apps = desired.get(cluster)!;
    for (const [app, folder] of folders) if (!apps.has(app)) apps.set(app, { from: folder.from, kept: folder });
  }
  return { desired, errors };
}

/** An Application's share of a digest, hashed once per (frozen, shared) Application. */
function applicationDigest(application: Application, caches: GenerationCaches): string {
  let digest = caches.applicationDigests.get(application);
  if (digest === undefined) {
    digest = createHash("sha1").update(JSON.stringify(application)).digest("hex");
    caches.applicationDigests.set(application, digest);
  }
  return digest;
}

/** What a cluster's digest is made of, in the order the run produced its folders: per folder its name, origin, and Application and hydration (or kept tree). */
function digestParts(apps: Map<string, Wanted>): unknown[] {
  const parts: unknown[] = [];
  for (const [app, wanted] of apps) {
    if ("kept" in wanted) parts.push(app, wanted.from, wanted.kept.tree, undefined);
    else parts.push(app, wanted.from, wanted.fresh.application, wanted.fresh.hydrated);
  }
  return parts;
}

const sameParts = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((part, i) => part === b[i]);

/**
 * What decides a cluster's tree besides its current head: each wanted folder, rendered (the
 * Application, its origin, its manifests' blob id) or kept (its tree id). A cluster whose folders
 * come from the very objects of the last run, in the same order (the caches hand out the same
 * frozen Applications and hydrations), has the digest of the last run, without sorting or hashing;
 * the digest itself is taken over the folders by name, so it does not depend on that order.
 */
export function inputDigest(cluster: string, apps: Map<string, Wanted>, caches: GenerationCaches, health?: string): string {
  const parts = [...digestParts(apps), health];
  const last = caches.clusterDigests.get(cluster);
  if (last && sameParts(last.parts, parts)) return last.digest;
  let text = health === undefined ? "" : `H\0${health}\0`;
  for (const app of [...apps.keys()].sort()) {
    const wanted = apps.get(app)!;
    if ("kept" in wanted) text += `K\0${app}\0${wanted.kept.tree}\0`;
    else text += `F\0${app}\0${wanted.from}\0${applicationDigest(wanted.fresh.application, caches)}\0${manifestBlob(wanted.fresh.hydrated, caches).oid}\0`;
  }
  const digest = createHash("sha1").update(text).digest("hex");
  caches.clusterDigests.set(cluster, { parts, digest });
  return digest;
}

/** The keys of `a` that `b` lacks, sorted. */
function missingFrom(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string[] {
  const missing: string[] = [];
  for (const key of a.keys()) if (!b.has(key)) missing.push(key);
  return missing.sort();
}

export function planBranches(input: PlanInput): Plan {
  const { desired, errors } = wantedFolders(input);
  const policies = input.policies ?? new Map();
  keepUndeleted(desired, input.previous, policies, (folder): Wanted => ({ from: folder.from, kept: folder }));
  let current = 0;
  for (const branch of input.previous.values()) current += branch.apps.size;
  const plan: Plan = { results: [], work: [], current, removed: 0, errors };
  const none = new Map<string, AppOnBranch>();
  for (const cluster of [...input.clusters].sort()) {
    const apps = desired.get(cluster)!;
    const before = input.previous.get(cluster);
    const beforeApps = before?.apps ?? none;
    const added = missingFrom(apps, beforeApps);
    const removed = missingFrom(beforeApps, apps);
    plan.removed += removed.length;
    const result: ClusterResult = { name: cluster, commit: null, added, changed: [], removed };
    plan.results.push(result);
    const health = healthOnBranch(input.health, before);
    const digest = inputDigest(cluster, apps, input.caches, health);
    if (before ? input.caches.branches.inputDigestOf(before.commit) === digest : apps.size === 0) continue;
    plan.work.push({ result, apps, before, digest, preserved: preservedOnRemoval(removed, before, policies), health });
  }
  return plan;
}
