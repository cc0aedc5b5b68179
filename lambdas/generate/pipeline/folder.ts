/** Where an Application goes on its cluster's branch, and what is written there. */
import type { Application } from "../../../contract/application.js";
import { GENERATED_FROM_ANNOTATION } from "../../../contract/deploy-branch.js";
import { ApplicationName, ClusterName } from "../../../contract/names.js";
import { serialize } from "../../../core/manifests/objects.js";
import { blob, type BlobNode } from "../../../core/git/objects.js";
import type { GenerationCaches } from "../caches.js";
import type { Hydrated } from "../hydrate/index.js";

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
  return serialize({ ...application, metadata });
}

/** A hydration's manifests as a blob, hashed once for every cluster that deploys it. */
export function manifestBlob(hydrated: Hydrated, caches: GenerationCaches): BlobNode {
  let node = caches.manifestBlobs.get(hydrated);
  if (!node) {
    node = blob(hydrated.manifests);
    caches.manifestBlobs.set(hydrated, node);
  }
  return node;
}

/** `<file>#<set>`, the origin an app folder's Application is annotated with. */
export function originOf(file: string, set: string): string {
  return `${file}#${set}`;
}

/** The generator file of an origin. */
export function fileOf(from: string): string {
  const hash = from.lastIndexOf("#");
  return hash === -1 ? from : from.slice(0, hash);
}
