import * as z from "zod";
import { ApplicationName } from "./names.js";

/**
 * The layout of a cluster's deploy branch, which the hub writes and the agent reads:
 * `refs/heads/radial/clusters/<cluster>` holding `clusters/<cluster>/<app>/` with either the
 * Application and its hydrated manifests, or a tombstone.
 */
export const DEPLOY_BRANCH_PREFIX = "radial/clusters/";
export const APPLICATION_FILE = "application.yaml";
export const MANIFESTS_FILE = "manifests.yaml";
export const TOMBSTONE_FILE = "deleted.yaml";

export const deployBranchOf = (cluster: string) => `${DEPLOY_BRANCH_PREFIX}${cluster}`;

/** The ApplicationSet file and set an Application or tombstone came from, `<file>#<set>`. */
export const GENERATED_FROM_ANNOTATION = "radial.dev/generated-from";
/** On a tombstone: the fleet-repo commit whose generation removed the application. */
export const SOURCE_REVISION_ANNOTATION = "radial.dev/source-revision";

/**
 * The tombstone the hub writes in place of an application's folder when the application is
 * removed on purpose. Its finalizers decide whether the resources go too (as Argo CD's
 * `resources-finalizer.argocd.argoproj.io`); without them the resources stay, unmanaged.
 */
export const ApplicationDeletion = z.strictObject({
  apiVersion: z.literal("radial.dev/v1alpha1"),
  kind: z.literal("ApplicationDeletion"),
  metadata: z.looseObject({ name: ApplicationName, finalizers: z.array(z.string().max(253)).max(32).optional() }),
});

export type ApplicationDeletion = z.infer<typeof ApplicationDeletion>;
