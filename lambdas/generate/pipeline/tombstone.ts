/**
 * The tombstone a run writes in place of a removed Application's folder
 * (`clusters/<cluster>/<app>/deleted.yaml`): the agent deletes the application's resources only on
 * seeing it, and only if the Application carried Argo CD's resources finalizer, which is copied
 * here, unless its set preserves resources on deletion (then the resources stay, unmanaged). Tombstones stay on the branch
 * (they are a few hundred bytes) until the application comes back and its folder replaces it.
 */
import { serialize } from "../../../core/manifests/objects.js";
import { isResourcesFinalizer } from "../application-set-output.js";
import { GENERATED_FROM_ANNOTATION, SOURCE_REVISION_ANNOTATION, type ApplicationDeletion } from "../../../contract/deploy-branch.js";

export function tombstoneYaml(
  app: string,
  removed: { from: string | undefined; finalizers: string[] },
  sourceRevision: string,
  preserveResources = false,
): string {
  const annotations: Record<string, string> = { [SOURCE_REVISION_ANNOTATION]: sourceRevision };
  if (removed.from !== undefined) annotations[GENERATED_FROM_ANNOTATION] = removed.from;
  const finalizers = preserveResources ? removed.finalizers.filter((f) => !isResourcesFinalizer(f)) : removed.finalizers;
  const tombstone: ApplicationDeletion = {
    apiVersion: "radial.dev/v1alpha1",
    kind: "ApplicationDeletion",
    metadata: { name: app, annotations, ...(finalizers.length > 0 ? { finalizers } : {}) },
  };
  return serialize(tombstone);
}
