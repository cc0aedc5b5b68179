/**
 * An ApplicationSet's `spec.syncPolicy`, applied to its app folders on each cluster's branch, with
 * the meaning Argo CD's ApplicationSet controller gives it (utils/policy.go, the controller's
 * createOrUpdateInCluster / createInCluster / deleteInCluster):
 * - `applicationsSync` says which of create, update and delete the hub performs for the set
 *   (`sync`, the default: all three). Without update, an Application already on the branch keeps
 *   its `application.yaml` as written, and its manifests still follow its sources, as Argo CD keeps
 *   syncing an Application it no longer updates. Without delete, a folder the set no longer
 *   generates stays as it is: it is no removal, so it neither counts toward the mass-removal guard
 *   nor gets a tombstone.
 * - `preserveResourcesOnDeletion: true`: the tombstone of an Application that leaves the set
 *   carries no resources finalizer, so its resources stay on the cluster, unmanaged.
 * A set that is deleted takes its policy with it: its folders are removed like any others, as Argo
 * CD deletes the Applications of a deleted ApplicationSet through their owner references whatever
 * the policy (their finalizers, written without the resources finalizer when resources were
 * preserved, still decide what happens to the resources).
 */
import { parse as parseYaml } from "yaml";
import { Application } from "../../../contract/application.js";
import { APPLICATION_FILE, GENERATED_FROM_ANNOTATION } from "../../../contract/deploy-branch.js";
import { yamlErrorText } from "../../../core/manifests/yaml-error.js";
import type { DeployRepository } from "../../ports.js";
import type { SetPolicies } from "../application-set-policy.js";
import type { GenerationCaches } from "../caches.js";
import type { CarryOver, Generated } from "./evaluate.js";
import { fileOf } from "./folder.js";
import type { GenerationError } from "./result.js";
import type { AppOnBranch, BranchState } from "./state.js";

/** The policy of the set a folder on the branch came from, if that set is still defined. */
const policyOf = (policies: SetPolicies, from: string | undefined) => (from === undefined ? undefined : policies.get(from));

const decoder = new TextDecoder("utf-8", { fatal: false });

/** The Application a folder holds, as written (read once per folder tree, then remembered with it). */
async function writtenApplication(folder: AppOnBranch, deploy: DeployRepository, caches: GenerationCaches): Promise<Application | Error> {
  const known = caches.writtenApplications.get(folder);
  if (known) return known;
  const entry = (await deploy.readTreeEntries(folder.tree)).find((e) => e.path === APPLICATION_FILE && e.type === "blob");
  if (!entry) return new Error(`${APPLICATION_FILE} is missing`);
  let parsed;
  try {
    parsed = Application.safeParse(parseYaml(decoder.decode(await deploy.readBlob(entry.oid))));
  } catch (error) {
    return new Error(`${APPLICATION_FILE} is not valid YAML: ${yamlErrorText(error)}`);
  }
  if (!parsed.success) return new Error(`${APPLICATION_FILE} is not a valid Application: ${parsed.error.issues[0]!.message}`);
  // As the evaluator yields it: the origin annotation is added again when the folder is written, so it comes out byte for byte the same.
  const { [GENERATED_FROM_ANNOTATION]: _origin, ...annotations } = parsed.data.metadata.annotations ?? {};
  const metadata = { ...parsed.data.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const application = Object.freeze({ ...parsed.data, metadata });
  caches.writtenApplications.set(folder, application);
  return application;
}

export interface KeepInput {
  generated: Generated[];
  policies: SetPolicies;
  /** The deploy branches as they are; awaited only when some set forbids updates. */
  previous: Promise<ReadonlyMap<string, BranchState>>;
  deploy: DeployRepository;
  caches: GenerationCaches;
  carry: CarryOver;
}

/**
 * For sets that do not update Applications: each generated Application whose folder the set wrote
 * before is replaced by the Application that folder holds, so only its manifests can change. A
 * folder whose Application cannot be read is kept whole (as for an Application that failed) and reported.
 */
export async function keepWrittenApplications(input: KeepInput): Promise<{ generated: Generated[]; errors: GenerationError[] }> {
  const errors: GenerationError[] = [];
  // Most fleets have no such set: the generated list is passed on as it is, and the branches are not awaited.
  if (![...input.policies.values()].some((policy) => !policy.update)) return { generated: input.generated, errors };
  const previous = await input.previous;
  const generated: Generated[] = [];
  for (const item of input.generated) {
    const { application, cluster } = item.generated;
    const app = application.metadata.name;
    const folder = previous.get(cluster)?.apps.get(app);
    if (folder?.from !== item.from || policyOf(input.policies, item.from)?.update !== false) {
      generated.push(item);
      continue;
    }
    const written = await writtenApplication(folder, input.deploy, input.caches);
    if (!(written instanceof Error)) {
      generated.push({ ...item, generated: { ...item.generated, application: written } });
      continue;
    }
    const file = fileOf(item.from);
    const message = `clusters/${cluster}/${app}: ${written.message}; its set does not update Applications (applicationsSync), so the folder is kept as it is`;
    errors.push({ file, applicationSet: item.from.slice(file.length + 1), application: app, cluster, message });
    input.carry.softApps.set(item.from, (input.carry.softApps.get(item.from) ?? new Set()).add(app));
  }
  return { generated, errors };
}

/** Folders a set that does not delete Applications no longer generates: kept as they are, so they are no removals. */
export function keepUndeleted<W>(
  desired: Map<string, Map<string, W>>,
  previous: ReadonlyMap<string, BranchState>,
  policies: SetPolicies,
  keep: (folder: AppOnBranch) => W,
): void {
  if (![...policies.values()].some((policy) => !policy.delete)) return;
  for (const [cluster, apps] of desired) {
    for (const [app, folder] of previous.get(cluster)?.apps ?? []) {
      if (!apps.has(app) && policyOf(policies, folder.from)?.delete === false) apps.set(app, keep(folder));
    }
  }
}

/** Of the Applications a cluster's branch loses, those whose set preserves their resources. */
export function preservedOnRemoval(removed: readonly string[], before: BranchState | undefined, policies: SetPolicies): Set<string> {
  return new Set(removed.filter((app) => policyOf(policies, before?.apps.get(app)?.from)?.preserveResources === true));
}
