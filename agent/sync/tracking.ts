import { createHash } from "node:crypto";
import { groupOf, type KubeObject } from "../kube/object.js";

/** On every object the agent applies, so one list or watch per kind finds what an application owns. */
export const APPLICATION_LABEL = "radial.dev/application";
/** The identity of an owned object; only an exact match means "ours" (see agent/README.md, Ownership). */
export const TRACKING_ANNOTATION = "radial.dev/tracking-id";

const LABEL_VALUE_MAX = 63;

/** `<group>/<kind>:<namespace>/<name>`: one object of a cluster, whatever its version. */
export function resourceKey(object: KubeObject): string {
  return `${groupOf(object.apiVersion)}/${object.kind}:${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

/** `<cluster>/<app>:<group>/<kind>:<namespace>/<name>`. */
export function trackingId(cluster: string, application: string, object: KubeObject): string {
  return `${cluster}/${application}:${resourceKey(object)}`;
}

/**
 * The label value for an application. Application names may be 253 characters but label values
 * only 63, so a longer name keeps a prefix and a hash; the annotation still carries the full name,
 * so ownership stays exact.
 */
export function applicationLabelValue(application: string): string {
  if (application.length <= LABEL_VALUE_MAX) return application;
  const hash = createHash("sha256").update(application).digest("hex").slice(0, 10);
  return `${application.slice(0, LABEL_VALUE_MAX - hash.length - 1)}-${hash}`;
}

/** True when the live object carries exactly this cluster's and application's tracking id. */
export function isOwnedBy(live: KubeObject, cluster: string, application: string): boolean {
  return live.metadata.annotations?.[TRACKING_ANNOTATION] === trackingId(cluster, application, live);
}

/** A copy of a desired object (namespace already resolved) with the tracking label and annotation. */
export function stamp(object: KubeObject, cluster: string, application: string): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [APPLICATION_LABEL]: applicationLabelValue(application) },
      annotations: { ...object.metadata.annotations, [TRACKING_ANNOTATION]: trackingId(cluster, application, object) },
    },
  };
}
