import { REBUILD_LIMITS, type Preflight, type PreflightItem } from "../../contract/index.js";
import { isPlainObject, parseYamlManifests, type K8sObject } from "../../core/manifests/objects.js";

/**
 * Kinds whose data lives in the cluster, not in Git: a rebuild recreates the object, never what it
 * held. Other kinds pass unless they claim volumes (a StatefulSet's volumeClaimTemplates).
 */
const STATEFUL: Record<string, string> = {
  PersistentVolumeClaim: "claims a volume: its data is not in Git; restore it (e.g. with Velero) before traffic returns",
  PersistentVolume: "a volume: its data is not in Git; restore it (e.g. with Velero) before traffic returns",
  VolumeSnapshot: "a snapshot taken in the lost cluster: it is gone with it",
  VolumeSnapshotContent: "a snapshot taken in the lost cluster: it is gone with it",
};
const CLAIM_TEMPLATES = "claims a volume per replica (volumeClaimTemplates): their data is not in Git; restore it before traffic returns";

function why(object: K8sObject): string | undefined {
  const kind = typeof object.kind === "string" ? object.kind : "";
  if (Object.hasOwn(STATEFUL, kind)) return STATEFUL[kind];
  const spec = object.spec;
  if (kind === "StatefulSet" && isPlainObject(spec) && Array.isArray(spec.volumeClaimTemplates) && spec.volumeClaimTemplates.length > 0) return CLAIM_TEMPLATES;
  return undefined;
}

function item(application: string, object: K8sObject, reason: string): PreflightItem {
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const text = (value: unknown, max: number) => (typeof value === "string" ? value.slice(0, max) : "");
  return {
    application,
    apiVersion: text(object.apiVersion, 317),
    kind: text(object.kind, 63),
    namespace: typeof metadata.namespace === "string" ? metadata.namespace.slice(0, 63) : null,
    name: text(metadata.name, 253),
    why: reason,
  };
}

/**
 * What Git cannot bring back, from each application's hydrated manifests (application → YAML):
 * the operator restores that data before traffic returns. A manifest that does not parse is listed
 * as such, since nothing in it can be vouched for.
 */
export function preflight(revision: string | null, manifests: ReadonlyMap<string, string>): Preflight {
  const items: PreflightItem[] = [];
  for (const [application, text] of [...manifests].sort(([a], [b]) => a.localeCompare(b))) {
    let objects: K8sObject[];
    try {
      objects = parseYamlManifests(text, `${application}/manifests.yaml`);
    } catch (error) {
      const unreadable = { apiVersion: "", kind: "", metadata: { name: "manifests.yaml" } };
      items.push(item(application, unreadable, `could not be read (${(error as Error).message.slice(0, 120)}): check it by hand`));
      continue;
    }
    for (const object of objects) {
      const reason = why(object);
      if (reason) items.push(item(application, object, reason));
    }
  }
  return { revision, items: items.slice(0, REBUILD_LIMITS.maxPreflightItems), truncated: items.length > REBUILD_LIMITS.maxPreflightItems };
}
