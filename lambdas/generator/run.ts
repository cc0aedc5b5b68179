/**
 * One generation run, as domain code (no HTTP, no timers, no DynamoDB): every generator file at the
 * source branch's head is evaluated against the inventory, each Application hydrated, and every
 * cluster's tree written to its deploy branch `radial/clusters/<cluster>`.
 *
 * Safety, in the order it is applied:
 * - The current deploy branches are read first; if they cannot be read, the run fails before writing.
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
 *
 * Clusters:
 * - A cluster with zero Applications gets no branch if it has none; if it has one, the branch is
 *   updated to an empty tree (unless the guard blocks the run).
 * - A cluster removed from the inventory keeps its branch untouched: its agent is gone or will be
 *   replaced (rebuild registers the same name again, and the next run rewrites the branch). Its
 *   Applications still count in the removal guard's denominator, but never as removals.
 * - A branch under `radial/clusters/` whose name is not a valid cluster name is ignored.
 *
 * Not yet: sources in other repos (an error per Application), multi-source Applications (hydrate
 * refuses them), a targetRevision other than the source branch (an error per Application).
 */
import { parse as parseYaml } from "yaml";
import type { Application } from "../../contract/application.js";
import { ApplicationName, ClusterName } from "../../contract/names.js";
import type { GitRepository } from "../git/index.js";
import { parseApplicationSetFile, type ApplicationSet } from "./application-set.js";
import { evaluateApplicationSet, type GeneratedApplication } from "./evaluate.js";
import { hydrate, type KustomizeRunner } from "./hydrate/index.js";
import { serialize } from "./hydrate/objects.js";
import type { InventoryCluster } from "./params.js";
import { lineDiff } from "./run/diff.js";

export const GENERATED_FROM_ANNOTATION = "radial.dev/generated-from";
export const DEPLOY_BRANCH_PREFIX = "radial/clusters/";
export const DEFAULT_MAX_REMOVAL_SHARE = 0.25;
/** Hydrations run at once (kustomize is a child process). */
const HYDRATE_CONCURRENCY = 4;
const GENERATOR_FILE = /^generators\/[^/]+\.ya?ml$/;

export interface GenerationInput {
  clusters: InventoryCluster[];
  dryRun: boolean;
  force: boolean;
  /** Largest share (0..1) of all Applications on deploy branches one run may remove; default 0.25. */
  maxRemovalShare?: number;
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

/** One app folder: its files (full paths → content) and which file#set produced it. */
interface AppFolder {
  files: Record<string, string>;
  from: string | undefined;
}

interface PreviousBranch {
  commit: string;
  /** Every file on the branch. */
  files: Record<string, string>;
  /** App folders under `clusters/<cluster>/`, by app name. */
  apps: Map<string, AppFolder>;
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

/** Reads every deploy branch (short cluster name → contents). Fails the run if any cannot be read. */
async function readDeployBranches(deploy: GitRepository): Promise<Map<string, PreviousBranch>> {
  const heads = await deploy.remoteBranches(DEPLOY_BRANCH_PREFIX);
  const branches = new Map<string, PreviousBranch>();
  for (const branch of [...heads.keys()].sort()) {
    const cluster = branch.slice(DEPLOY_BRANCH_PREFIX.length);
    if (!ClusterName.safeParse(cluster).success) continue;
    const commit = await deploy.fetch(branch);
    const files: Record<string, string> = {};
    const apps = new Map<string, AppFolder>();
    const prefix = `clusters/${cluster}/`;
    for (const path of await deploy.listFiles(deploy.url, commit)) {
      const content = decoder.decode(await deploy.readFile(deploy.url, commit, path));
      files[path] = content;
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash <= 0) continue;
      const app = rest.slice(0, slash);
      let folder = apps.get(app);
      if (!folder) {
        folder = { files: {}, from: undefined };
        apps.set(app, folder);
      }
      folder.files[path] = content;
      if (rest === `${app}/application.yaml`) folder.from = generatedFrom(content);
    }
    // Only folders holding an application.yaml are Applications.
    for (const [app, folder] of apps) if (!(`${prefix}${app}/application.yaml` in folder.files)) apps.delete(app);
    branches.set(cluster, { commit, files, apps });
  }
  return branches;
}

function generatedFrom(text: string): string | undefined {
  try {
    const value = (parseYaml(text) as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations?.[GENERATED_FROM_ANNOTATION];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const key = (cluster: string, app: string) => `${cluster}\u0000${app}`;

function sameFiles(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && a[k] === b[k]);
}

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

  const previous = await readDeployBranches(deps.deploy);

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

  // Hydrate every generated Application.
  type Rendered = { cluster: string; app: string; from: string; files: Record<string, string> } | { cluster: string; app: string; error: GenerationError };
  const rendered = await pool(jobs, HYDRATE_CONCURRENCY, async ({ generated, file, set }): Promise<Rendered> => {
    const { application, cluster } = generated;
    const app = application.metadata.name;
    const fail = (message: string, field?: string): Rendered => ({
      cluster,
      app,
      error: { file, applicationSet: set, application: app, cluster, ...(field ? { field } : {}), message },
    });
    let folder: string;
    try {
      folder = appFolder(cluster, app);
    } catch (error) {
      return fail((error as Error).message, "metadata.name");
    }
    const sources = application.spec.source ? [application.spec.source] : (application.spec.sources ?? []);
    for (const source of sources) {
      if (!sameRepo(source.repoURL, fleetURL)) return fail(`source ${source.repoURL} is not the fleet repo (${fleetURL}); sources in other repositories are not supported yet`, "spec.source.repoURL");
      const target = source.targetRevision ?? "";
      if (!["", "HEAD", deps.sourceBranch, sourceRevision].includes(target)) {
        return fail(`targetRevision ${JSON.stringify(target)}: only the source branch (${deps.sourceBranch}) is hydrated for now`, "spec.source.targetRevision");
      }
    }
    try {
      const { manifests } = await hydrate(application, { repo: deps.fleet, revision: sourceRevision, kustomize: deps.kustomize });
      const from = sourceOf(file, set);
      return {
        cluster,
        app,
        from,
        files: { [`${folder}/application.yaml`]: applicationYaml(application, from), [`${folder}/manifests.yaml`]: manifests },
      };
    } catch (error) {
      return fail(`hydration failed: ${(error as Error).message}`);
    }
  });

  // Desired folders per cluster.
  const desired = new Map<string, Map<string, AppFolder>>();
  for (const cluster of clusters) desired.set(cluster.name, new Map());
  for (const [cluster, branch] of previous) {
    if (!clusterNames.has(cluster)) continue;
    for (const [app, folder] of branch.apps) if (hardCarry.has(key(cluster, app))) desired.get(cluster)!.set(app, folder);
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
    apps.set(result.app, { files: result.files, from: result.from });
  }
  for (const [cluster, branch] of previous) {
    if (!clusterNames.has(cluster)) continue;
    const apps = desired.get(cluster)!;
    for (const [app, folder] of branch.apps) if (softCarry.has(key(cluster, app)) && !apps.has(app)) apps.set(app, folder);
  }

  // Compare with the branches.
  let current = 0;
  for (const branch of previous.values()) current += branch.apps.size;
  let removedTotal = 0;
  const results: ClusterResult[] = [];
  const updates: { cluster: string; files: Record<string, string>; message: string }[] = [];
  for (const cluster of [...clusterNames].sort()) {
    const apps = desired.get(cluster)!;
    const before = previous.get(cluster);
    const files: Record<string, string> = {};
    for (const app of [...apps.keys()].sort()) Object.assign(files, apps.get(app)!.files);
    const beforeApps = before?.apps ?? new Map<string, AppFolder>();
    const added = [...apps.keys()].filter((app) => !beforeApps.has(app)).sort();
    const removed = [...beforeApps.keys()].filter((app) => !apps.has(app)).sort();
    const changed = [...apps.keys()].filter((app) => beforeApps.has(app) && !sameFiles(beforeApps.get(app)!.files, apps.get(app)!.files)).sort();
    removedTotal += removed.length;
    const result: ClusterResult = { name: cluster, commit: null, added, changed, removed };
    const treeChanged = before ? !sameFiles(before.files, files) : Object.keys(files).length > 0;
    if (treeChanged) {
      if (input.dryRun) {
        const oldFiles = before?.files ?? {};
        const paths = [...new Set([...Object.keys(oldFiles), ...Object.keys(files)])].sort();
        result.diffs = paths.filter((p) => oldFiles[p] !== files[p]).map((path) => ({ path, diff: lineDiff(path, oldFiles[path], files[path]) }));
      }
      const involved = new Set<string>();
      for (const folder of [...apps.values(), ...beforeApps.values()]) if (folder.from) involved.add(fileOf(folder.from));
      const message = [
        `radial: generate ${cluster} from ${sourceRevision.slice(0, 12)}`,
        "",
        `Source revision: ${sourceRevision}`,
        `Generator files: ${[...involved].sort().join(", ") || "(none)"}`,
        `Applications added: ${added.length}, changed: ${changed.length}, removed: ${removed.length}`,
        "",
      ].join("\n");
      updates.push({ cluster, files, message });
    }
    results.push(result);
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
  } else if (!input.dryRun) {
    const byCluster = new Map(results.map((r) => [r.name, r]));
    // One branch per call, so a failed push is reported for its cluster and the others go on.
    for (const update of updates) {
      try {
        const [written] = await deps.deploy.writeBranches([{ branch: `${DEPLOY_BRANCH_PREFIX}${update.cluster}`, files: update.files, message: update.message }], {
          author: deps.author,
          now: deps.clock(),
        });
        byCluster.get(update.cluster)!.commit = written?.commit ?? null;
      } catch (error) {
        errors.push({ file: "(deploy)", cluster: update.cluster, message: `writing ${DEPLOY_BRANCH_PREFIX}${update.cluster} failed: ${(error as Error).message}` });
      }
    }
  }
  output.durationMs = deps.clock().getTime() - started;
  return output;
}
