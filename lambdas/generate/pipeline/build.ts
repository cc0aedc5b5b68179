/**
 * Stage 5, build: each changed cluster's tree. New or changed folders go as files, unchanged ones
 * and tombstones by tree id, and a tombstone (`deleted.yaml`) replaces each removed Application's
 * folder. A tree equal to the branch's is not written; dry runs get a line diff of every file.
 */
import { APPLICATION_FILE, deployBranchOf, MANIFESTS_FILE, TOMBSTONE_FILE } from "../../../contract/deploy-branch.js";
import { HEALTH_CUSTOMIZATIONS_FILE } from "../../../contract/health-customizations.js";
import { buildTree, type BlobNode } from "../../../core/git/objects.js";
import type { BranchUpdate, DeployRepository } from "../../ports.js";
import type { GenerationCaches } from "../caches.js";
import { branchDiffs } from "./diff.js";
import { appFolder, applicationYaml, fileOf, manifestBlob } from "./folder.js";
import type { BranchWork } from "./plan.js";
import type { BranchState } from "./state.js";
import { tombstoneYaml } from "./tombstone.js";

/** The tree of a branch with nothing in it. */
const EMPTY_TREE = buildTree({}).oid;

export interface BuildInput {
  sourceRevision: string;
  dryRun: boolean;
  /** Read for dry-run diffs. */
  deploy: DeployRepository;
  caches: GenerationCaches;
}

/** A branch ready to write: the update, and the state its commit will have. */
export interface BuiltBranch {
  work: BranchWork;
  update: BranchUpdate;
  state: BranchState;
}

interface Tree {
  files: Record<string, string | BlobNode>;
  kept: Record<string, string>;
  state: BranchState;
}

/** One cluster's tree from its wanted folders and its branch as it is; fills `result.changed`. */
export function buildBranchTree({ result, apps, before, preserved, health }: BranchWork, sourceRevision: string, caches: GenerationCaches): Tree {
  const tree: Tree = { files: {}, kept: {}, state: { commit: "", tree: "", apps: new Map(), tombstones: new Map() } };
  const { files, kept, state } = tree;
  for (const app of [...apps.keys()].sort()) {
    const wanted = apps.get(app)!;
    const folder = appFolder(result.name, app);
    if ("kept" in wanted) {
      kept[folder] = wanted.kept.tree;
      state.apps.set(app, wanted.kept);
      continue;
    }
    const { application, hydrated } = wanted.fresh;
    const content = { [APPLICATION_FILE]: applicationYaml(application, wanted.from), [MANIFESTS_FILE]: manifestBlob(hydrated, caches) };
    const oid = buildTree(content).oid;
    const previous = before?.apps.get(app);
    state.apps.set(app, { tree: oid, from: wanted.from, finalizers: application.metadata.finalizers ?? [] });
    if (previous?.tree === oid) {
      kept[folder] = oid;
      continue;
    }
    if (previous) result.changed.push(app);
    for (const [name, value] of Object.entries(content)) files[`${folder}/${name}`] = value;
  }
  for (const [app, oid] of before?.tombstones ?? []) {
    if (apps.has(app)) continue;
    kept[appFolder(result.name, app)] = oid;
    state.tombstones.set(app, oid);
  }
  for (const app of result.removed) {
    const text = tombstoneYaml(app, before!.apps.get(app)!, sourceRevision, preserved?.has(app) === true);
    files[`${appFolder(result.name, app)}/${TOMBSTONE_FILE}`] = text;
    state.tombstones.set(app, buildTree({ [TOMBSTONE_FILE]: text }).oid);
  }
  if (health !== undefined) {
    files[`clusters/${result.name}/${HEALTH_CUSTOMIZATIONS_FILE}`] = health;
    state.health = health;
  }
  state.tree = buildTree(files, kept).oid;
  return tree;
}

function commitMessage(work: BranchWork, sourceRevision: string): string {
  const { result, apps, before } = work;
  const involved = new Set<string>();
  for (const folder of [...apps.values(), ...(before?.apps.values() ?? [])]) if (folder.from) involved.add(fileOf(folder.from));
  return [
    `radial: generate ${result.name} from ${sourceRevision.slice(0, 12)}`,
    "",
    `Source revision: ${sourceRevision}`,
    `Generator files: ${[...involved].sort().join(", ") || "(none)"}`,
    `Applications added: ${result.added.length}, changed: ${result.changed.length}, removed: ${result.removed.length}`,
    "",
  ].join("\n");
}

/** The branches of `work` whose tree changes; an unchanged one is remembered with its digest, so the next run skips it. */
export async function buildBranches(work: readonly BranchWork[], input: BuildInput): Promise<BuiltBranch[]> {
  const built: BuiltBranch[] = [];
  for (const item of work) {
    const { result, before } = item;
    const { files, kept, state } = buildBranchTree(item, input.sourceRevision, input.caches);
    if (state.tree === (before?.tree ?? EMPTY_TREE)) {
      if (before) input.caches.branches.remember(before, item.digest);
      continue;
    }
    const branch = deployBranchOf(result.name);
    if (input.dryRun) result.diffs = await branchDiffs(input.deploy, branch, before?.commit, files, kept);
    built.push({ work: item, update: { branch, files, kept, message: commitMessage(item, input.sourceRevision) }, state });
  }
  return built;
}
