/**
 * One generation run, as domain code (no HTTP, no timers, no DynamoDB): every generator file at the
 * source branch's head is evaluated against the inventory, each Application hydrated, and every
 * cluster's tree written to its deploy branch `radial/clusters/<cluster>`.
 *
 * Safety, in the order it is applied:
 * - The current deploy branches are read first (their heads, and each head's app folders once per
 *   commit: see run/state.ts); if they cannot be read, the run fails before writing.
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
 * - A removed Application's folder is replaced by a tombstone, `deleted.yaml` (run/tombstone.ts),
 *   which tells the agent to delete it; a removal counts once, in the run that writes the tombstone.
 *
 * Speed at fleet scale: hydration is memoized by source and commit (hydrate/cache.ts); a cluster
 * whose inputs digest the same as those that produced its current head is not rebuilt at all; an
 * app folder that did not change is referenced by its tree id rather than sent again; every changed
 * branch goes out in a few multi-ref pushes.
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
import { createHash } from "node:crypto";
import type { Application } from "../../../contract/application.js";
import { ApplicationName, ClusterName } from "../../../contract/names.js";
import { blob, buildTree } from "../../adapters/git/objects.js";
import type { GitRepository } from "../../adapters/git/repository.js";
import type { BlobNode, BranchUpdate } from "../../ports.js";
import { parseApplicationSetFile, type ApplicationSet } from "../application-set.js";
import { evaluateApplicationSet, type GeneratedApplication } from "../evaluate.js";
import { HydrationCache } from "../hydrate/cache.js";
import type { Hydrated, KustomizeRunner } from "../hydrate/index.js";
import { serialize } from "../../../core/manifests/objects.js";
import type { InventoryCluster } from "../params.js";
import type { SourceCheckout, SourceRepositories } from "../../adapters/git/source-repositories.js";
import { branchDiffs } from "./diff.js";
import { pool } from "../../../core/pool.js";
import { APPLICATION_FILE, DEPLOY_BRANCH_PREFIX, deployBranchOf, GENERATED_FROM_ANNOTATION, MANIFESTS_FILE, TOMBSTONE_FILE } from "../../../contract/deploy-branch.js";
import { inputDigestOf, readDeployStates, rememberState, type AppOnBranch, type BranchState } from "./state.js";
import { tombstoneYaml } from "./tombstone.js";

export const DEFAULT_MAX_REMOVAL_SHARE = 0.25;
/** Hydrations run at once (kustomize is a child process). */
const HYDRATE_CONCURRENCY = 4;
/** Clusters built and pushed together: bounds the memory a first run over a large fleet holds. */
const WRITE_CHUNK = 1000;
const GENERATOR_FILE = /^generators\/[^/]+\.ya?ml$/;

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
  fleet: GitRepository;
  sourceBranch: string;
  /** Where deploy branches live; may be the same repository (and object) as `fleet`. */
  deploy: GitRepository;
  kustomize: KustomizeRunner;
  clock: () => Date;
  author: { name: string; email: string };
  /** Sources outside the fleet repo's source branch (another repository, another revision). */
  sources?: SourceRepositories;
}

export interface GenerationError {
  /** The generator file, or `(inventory)` / `(deploy)` for problems outside any file. */
  file: string;
  applicationSet?: string;
  application?: string;
  cluster?: string;
  field?: string;
  message: string;
}

export interface FileDiff {
  path: string;
  diff: string;
}

export interface ClusterResult {
  name: string;
  /** The new commit on its deploy branch, or null (unchanged, dry run, blocked, or write failed). */
  commit: string | null;
  added: string[];
  changed: string[];
  removed: string[];
  /** Dry runs only: a line diff of every changed file. */
  diffs?: FileDiff[];
}

export interface GenerationResult {
  sourceRevision: string;
  clusters: ClusterResult[];
  errors: GenerationError[];
  blocked?: { removed: number; current: number; share: number; maxRemovalShare: number; message: string };
  dryRun: boolean;
  durationMs: number;
}

/** An app folder a run wants on a branch: rendered afresh, or kept as the branch holds it. */
type Wanted = { from: string; fresh: { application: Application; hydrated: Hydrated } } | { from: string | undefined; kept: AppOnBranch };

/** Shared by the runs of this process: the same source at the same commit hydrates once. */
const hydrations = new HydrationCache();
/** Each hydration's manifests as a blob, hashed once for every cluster that deploys it. */
const manifestBlobs = new WeakMap<Hydrated, BlobNode>();

function manifestBlob(hydrated: Hydrated): BlobNode {
  let node = manifestBlobs.get(hydrated);
  if (!node) {
    node = blob(hydrated.manifests);
    manifestBlobs.set(hydrated, node);
  }
  return node;
}

function sameRepo(a: string, b: string): boolean {
  const norm = (url: string) => url.replace(/\/+$/, "").replace(/\.git$/, "");
  return norm(a) === norm(b);
}

function sourceOf(file: string, set: string): string {
  return `${file}#${set}`;
}

function fileOf(from: string): string {
  const hash = from.lastIndexOf("#");
  return hash === -1 ? from : from.slice(0, hash);
}

/** The folder of one Application on one cluster's branch; refuses names that are not DNS-1123. */
export function appFolder(cluster: string, app: string): string {
  const c = ClusterName.safeParse(cluster);
  if (!c.success) throw new Error(`cluster name ${JSON.stringify(cluster)}: ${c.error.issues[0]!.message}`);
  const a = ApplicationName.safeParse(app);
  if (!a.success) throw new Error(`Application name ${JSON.stringify(app)}: ${a.error.issues[0]!.message}`);
  return `clusters/${cluster}/${app}`;
}

/** The Application as written to `application.yaml`: stable formatting, with its origin annotated. */
export function applicationYaml(application: Application, from: string): string {
  const metadata = { ...application.metadata, annotations: { ...application.metadata.annotations, [GENERATED_FROM_ANNOTATION]: from } };
  return serialize({ ...application, metadata } as Record<string, unknown>);
}

const decoder = new TextDecoder("utf-8", { fatal: false });

const key = (cluster: string, app: string) => `${cluster}\u0000${app}`;

export async function runGeneration(input: GenerationInput, deps: GenerationDeps): Promise<GenerationResult> {
  const started = deps.clock().getTime();
  const maxRemovalShare = input.maxRemovalShare ?? DEFAULT_MAX_REMOVAL_SHARE;
  const errors: GenerationError[] = [];
  const fleetURL = deps.fleet.url;

  const sourceRevision = await deps.fleet.fetch(deps.sourceBranch);

  // Inventory: only valid, distinct cluster names take part.
  const clusters: InventoryCluster[] = [];
  const clusterNames = new Set<string>();
  for (const cluster of input.clusters) {
    const valid = ClusterName.safeParse(cluster.name);
    if (!valid.success) {
      errors.push({ file: "(inventory)", cluster: cluster.name, message: `cluster name ${JSON.stringify(cluster.name)}: ${valid.error.issues[0]!.message}; skipped` });
    } else if (clusterNames.has(cluster.name)) {
      errors.push({ file: "(inventory)", cluster: cluster.name, message: `cluster ${cluster.name} is listed twice; the first is used` });
    } else {
      clusterNames.add(cluster.name);
      clusters.push(cluster);
    }
  }

  const previous = await readDeployStates(deps.deploy, DEPLOY_BRANCH_PREFIX);

  // Prior app folders of inventory clusters, with where they came from.
  const priorBySource = new Map<string, { cluster: string; app: string }[]>();
  for (const [cluster, branch] of previous) {
    if (!clusterNames.has(cluster)) continue;
    for (const [app, folder] of branch.apps) {
      if (folder.from === undefined) continue;
      const list = priorBySource.get(folder.from) ?? [];
      list.push({ cluster, app });
      priorBySource.set(folder.from, list);
    }
  }
  /** Kept exactly as they were; fresh output for the same folder is refused. */
  const hardCarry = new Set<string>();
  /** Kept unless the same folder is generated afresh. */
  const softCarry = new Set<string>();
  const carryWhere = (target: Set<string>, match: (from: string, app: string) => boolean) => {
    for (const [from, list] of priorBySource) for (const { cluster, app } of list) if (match(from, app)) target.add(key(cluster, app));
  };

  const revisionFor = (repoURL: string, targetRevision: string): string => {
    if (!sameRepo(repoURL, fleetURL)) throw new Error(`${repoURL} is not the fleet repo; other repositories are not supported yet`);
    if (["", "HEAD", deps.sourceBranch, sourceRevision].includes(targetRevision)) return sourceRevision;
    throw new Error(`revision ${JSON.stringify(targetRevision)}: only the source branch (${deps.sourceBranch}) of the fleet repo is read`);
  };

  const generatorFiles = (await deps.fleet.listFiles(fleetURL, sourceRevision)).filter((path) => GENERATOR_FILE.test(path)).sort();
  const jobs: { generated: GeneratedApplication; file: string; set: string }[] = [];
  for (const file of generatorFiles) {
    let sets: ApplicationSet[];
    try {
      sets = parseApplicationSetFile(decoder.decode(await deps.fleet.readFile(fleetURL, sourceRevision, file)));
    } catch (error) {
      errors.push({ file, message: `${(error as Error).message}; everything this file produced before is kept` });
      carryWhere(hardCarry, (from) => fileOf(from) === file);
      continue;
    }
    const completeSets = new Set<string>();
    let incomplete = false;
    const setNames = new Set<string>();
    for (const set of sets) {
      const setName = set.metadata.name;
      if (setNames.has(setName)) {
        errors.push({ file, applicationSet: setName, message: `ApplicationSet ${setName} appears twice in the file; the second is ignored` });
        incomplete = true;
        continue;
      }
      setNames.add(setName);
      const from = sourceOf(file, setName);
      const evaluation = await evaluateApplicationSet(set, { clusters, repo: deps.fleet, revision: revisionFor });
      for (const problem of evaluation.problems) {
        errors.push({
          file,
          applicationSet: setName,
          ...(problem.application !== undefined ? { application: problem.application } : {}),
          ...(problem.field !== undefined ? { field: problem.field } : {}),
          message: problem.message,
        });
        if (problem.application === undefined) carryWhere(softCarry, (f) => f === from);
        else carryWhere(softCarry, (f, app) => f === from && app === problem.application);
      }
      if (!evaluation.complete) {
        incomplete = true;
        continue;
      }
      completeSets.add(setName);
      for (const generated of evaluation.applications) jobs.push({ generated, file, set: setName });
    }
    if (incomplete) carryWhere(hardCarry, (from) => fileOf(from) === file && !completeSets.has(from.slice(file.length + 1)));
  }

  // Hydrate every generated Application (memoized: the same source at the same commit renders once).
  type Rendered = { cluster: string; app: string; from: string; application: Application; hydrated: Hydrated } | { cluster: string; app: string; error: GenerationError };
  const rendered = await pool(jobs, HYDRATE_CONCURRENCY, async ({ generated, file, set }): Promise<Rendered> => {
    const { application, cluster } = generated;
    const app = application.metadata.name;
    const fail = (message: string, field?: string): Rendered => ({
      cluster,
      app,
      error: { file, applicationSet: set, application: app, cluster, ...(field ? { field } : {}), message },
    });
    try {
      appFolder(cluster, app);
    } catch (error) {
      return fail((error as Error).message, "metadata.name");
    }
    const sources = application.spec.source ? [application.spec.source] : (application.spec.sources ?? []);
    let checkout: SourceCheckout = { reader: deps.fleet, revision: sourceRevision };
    for (const source of sources) {
      const target = source.targetRevision ?? "";
      if (sameRepo(source.repoURL, fleetURL) && ["", "HEAD", deps.sourceBranch, sourceRevision].includes(target)) continue;
      if (!deps.sources) return fail(`source ${source.repoURL} at ${JSON.stringify(target)}: only the fleet repo's source branch (${deps.sourceBranch}) is read by this hub`, "spec.source.repoURL");
      try {
        checkout = await deps.sources.checkout(source.repoURL, target);
      } catch (error) {
        return fail(`source ${source.repoURL} at ${JSON.stringify(target || "HEAD")}: ${(error as Error).message}`, "spec.source.targetRevision");
      }
    }
    try {
      const hydrated = await hydrations.hydrate(application, { repo: checkout.reader, revision: checkout.revision, kustomize: deps.kustomize });
      return { cluster, app, from: sourceOf(file, set), application, hydrated };
    } catch (error) {
      return fail(`hydration failed: ${(error as Error).message}`);
    }
  });

  // Desired folders per cluster.
  const desired = new Map<string, Map<string, Wanted>>();
  for (const cluster of clusters) desired.set(cluster.name, new Map());
  for (const [cluster, branch] of previous) {
    if (!clusterNames.has(cluster)) continue;
    for (const [app, folder] of branch.apps) if (hardCarry.has(key(cluster, app))) desired.get(cluster)!.set(app, { from: folder.from, kept: folder });
  }
  const fresh = new Set<string>();
  for (const result of rendered) {
    const k = key(result.cluster, result.app);
    if ("error" in result) {
      errors.push(result.error);
      softCarry.add(k);
      continue;
    }
    const apps = desired.get(result.cluster)!;
    const existing = apps.get(result.app);
    if (hardCarry.has(k)) {
      errors.push({
        file: fileOf(result.from),
        applicationSet: result.from.slice(fileOf(result.from).length + 1),
        application: result.app,
        cluster: result.cluster,
        message: `clusters/${result.cluster}/${result.app} is kept from ${existing?.from ?? "a failing generator file"}, which failed this run; not overwritten`,
      });
      continue;
    }
    if (fresh.has(k)) {
      errors.push({
        file: fileOf(result.from),
        applicationSet: result.from.slice(fileOf(result.from).length + 1),
        application: result.app,
        cluster: result.cluster,
        message: `Application ${result.app} on cluster ${result.cluster} is also generated by ${existing?.from}; the first is kept`,
      });
      continue;
    }
    fresh.add(k);
    apps.set(result.app, { from: result.from, fresh: { application: result.application, hydrated: result.hydrated } });
  }
  for (const [cluster, branch] of previous) {
    if (!clusterNames.has(cluster)) continue;
    const apps = desired.get(cluster)!;
    for (const [app, folder] of branch.apps) if (softCarry.has(key(cluster, app)) && !apps.has(app)) apps.set(app, { from: folder.from, kept: folder });
  }

  // Compare with the branches: first by name (enough for the removal guard), and skip every
  // cluster whose inputs are those that produced its current head.
  let current = 0;
  for (const branch of previous.values()) current += branch.apps.size;
  let removedTotal = 0;
  const results: ClusterResult[] = [];
  const work: { result: ClusterResult; apps: Map<string, Wanted>; before: BranchState | undefined; digest: string }[] = [];
  for (const cluster of [...clusterNames].sort()) {
    const apps = desired.get(cluster)!;
    const before = previous.get(cluster);
    const beforeApps = before?.apps ?? new Map<string, AppOnBranch>();
    const added = [...apps.keys()].filter((app) => !beforeApps.has(app)).sort();
    const removed = [...beforeApps.keys()].filter((app) => !apps.has(app)).sort();
    removedTotal += removed.length;
    const result: ClusterResult = { name: cluster, commit: null, added, changed: [], removed };
    results.push(result);
    const digest = inputDigest(apps);
    if (before ? inputDigestOf(before.commit) === digest : apps.size === 0) continue;
    work.push({ result, apps, before, digest });
  }

  const output: GenerationResult = { sourceRevision, clusters: results, errors, dryRun: input.dryRun, durationMs: 0 };
  const share = current === 0 ? 0 : removedTotal / current;
  if (removedTotal > 0 && share > maxRemovalShare && !input.force) {
    output.blocked = {
      removed: removedTotal,
      current,
      share,
      maxRemovalShare,
      message: `this run would remove ${removedTotal} of ${current} Applications on deploy branches (${(share * 100).toFixed(1)}%), over the limit of ${(maxRemovalShare * 100).toFixed(1)}%; nothing was written (force to override)`,
    };
  }
  const write = !input.dryRun && !output.blocked;
  for (let i = 0; i < work.length; i += WRITE_CHUNK) {
    const updates: (BranchUpdate & { item: (typeof work)[number]; state: BranchState })[] = [];
    for (const item of work.slice(i, i + WRITE_CHUNK)) {
      const { result, apps, before } = item;
      const built = buildBranch(result, apps, before, sourceRevision);
      if (before ? built.state.tree === before.tree : built.state.tree === EMPTY_TREE) {
        if (before) rememberState(before, item.digest);
        continue;
      }
      if (input.dryRun) result.diffs = await branchDiffs(deps.deploy, deployBranchOf(result.name), before?.commit, built.files, built.kept);
      const involved = new Set<string>();
      for (const folder of [...apps.values(), ...(before?.apps.values() ?? [])]) if (folder.from) involved.add(fileOf(folder.from));
      const message = [
        `radial: generate ${result.name} from ${sourceRevision.slice(0, 12)}`,
        "",
        `Source revision: ${sourceRevision}`,
        `Generator files: ${[...involved].sort().join(", ") || "(none)"}`,
        `Applications added: ${result.added.length}, changed: ${result.changed.length}, removed: ${result.removed.length}`,
        "",
      ].join("\n");
      updates.push({ branch: deployBranchOf(result.name), files: built.files, kept: built.kept, message, item, state: built.state });
    }
    if (!write || updates.length === 0) continue;
    input.signal?.throwIfAborted();
    let written: Awaited<ReturnType<GitRepository["writeBranches"]>>;
    try {
      written = await deps.deploy.writeBranches(updates.map(({ branch, files, kept, message }) => ({ branch, files, kept, message })), { author: deps.author, now: deps.clock() });
    } catch (error) {
      for (const { item } of updates) errors.push({ file: "(deploy)", cluster: item.result.name, message: `writing ${deployBranchOf(item.result.name)} failed: ${(error as Error).message}` });
      continue;
    }
    for (const [index, outcome] of written.entries()) {
      const { item, state } = updates[index]!;
      if (outcome.error) {
        errors.push({ file: "(deploy)", cluster: item.result.name, message: `writing ${outcome.branch} failed: ${outcome.error.message}` });
        continue;
      }
      item.result.commit = outcome.commit;
      if (outcome.commit) rememberState({ ...state, commit: outcome.commit }, item.digest);
    }
  }
  output.durationMs = deps.clock().getTime() - started;
  return output;
}

/** The tree of a branch with nothing in it. */
const EMPTY_TREE = buildTree({}).oid;

/**
 * What decides a cluster's tree besides its current head: each wanted folder, rendered (the
 * Application, its origin, its manifests' blob id) or kept (its tree id).
 */
/** Applications come frozen from the render cache and are the same object run after run: serialize each once. */
const applicationJson = new WeakMap<Application, string>();

function jsonOf(application: Application): string {
  let json = applicationJson.get(application);
  if (json === undefined) {
    json = JSON.stringify(application);
    applicationJson.set(application, json);
  }
  return json;
}

function inputDigest(apps: Map<string, Wanted>): string {
  const hash = createHash("sha1");
  for (const app of [...apps.keys()].sort()) {
    const wanted = apps.get(app)!;
    if ("kept" in wanted) hash.update(`K\0${app}\0${wanted.kept.tree}\0`);
    else hash.update(`F\0${app}\0${wanted.from}\0${jsonOf(wanted.fresh.application)}\0${manifestBlob(wanted.fresh.hydrated).oid}\0`);
  }
  return hash.digest("hex");
}

/**
 * One cluster's branch: new or changed folders as files, unchanged ones and tombstones by tree id,
 * a tombstone for each removed Application. Fills `result.changed`.
 */
function buildBranch(result: ClusterResult, apps: Map<string, Wanted>, before: BranchState | undefined, sourceRevision: string) {
  const files: Record<string, string | BlobNode> = {};
  const kept: Record<string, string> = {};
  const state: BranchState = { commit: "", tree: "", apps: new Map(), tombstones: new Map() };
  for (const app of [...apps.keys()].sort()) {
    const wanted = apps.get(app)!;
    const folder = appFolder(result.name, app);
    if ("kept" in wanted) {
      kept[folder] = wanted.kept.tree;
      state.apps.set(app, wanted.kept);
      continue;
    }
    const { application, hydrated } = wanted.fresh;
    const content = { [APPLICATION_FILE]: applicationYaml(application, wanted.from), [MANIFESTS_FILE]: manifestBlob(hydrated) };
    const tree = buildTree(content).oid;
    const previous = before?.apps.get(app);
    state.apps.set(app, { tree, from: wanted.from, finalizers: application.metadata.finalizers ?? [] });
    if (previous?.tree === tree) {
      kept[folder] = tree;
      continue;
    }
    if (previous) result.changed.push(app);
    for (const [name, value] of Object.entries(content)) files[`${folder}/${name}`] = value;
  }
  for (const [app, tree] of before?.tombstones ?? []) {
    if (apps.has(app)) continue;
    kept[appFolder(result.name, app)] = tree;
    state.tombstones.set(app, tree);
  }
  for (const app of result.removed) {
    const text = tombstoneYaml(app, before!.apps.get(app)!, sourceRevision);
    files[`${appFolder(result.name, app)}/${TOMBSTONE_FILE}`] = text;
    state.tombstones.set(app, buildTree({ [TOMBSTONE_FILE]: text }).oid);
  }
  state.tree = buildTree(files, kept).oid;
  return { files, kept, state };
}
