// What an ApplicationSet's `spec.syncPolicy` allows the hub to do to its Applications on each
// cluster's branch; pipeline/policy.ts applies it. Argo CD's utils/policy.go: `sync` is the default.
import type { ApplicationSet } from "./application-set.js";

export interface SetPolicy {
  update: boolean;
  delete: boolean;
  preserveResources: boolean;
}

/** Origin (`<file>#<set>`) → its set's policy, for every set parsed this run. */
export type SetPolicies = ReadonlyMap<string, SetPolicy>;

export function setPolicyOf(set: ApplicationSet): SetPolicy {
  const sync = set.spec.syncPolicy?.applicationsSync ?? "sync";
  return {
    update: sync === "sync" || sync === "create-update",
    delete: sync === "sync" || sync === "create-delete",
    preserveResources: set.spec.syncPolicy?.preserveResourcesOnDeletion === true,
  };
}
