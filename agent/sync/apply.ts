import { DEFAULT_FIELD_MANAGER, type KubeClient } from "../kube/client.js";
import type { KubeObject } from "../kube/object.js";

/** The field manager of every write the agent makes; drift by any other manager is someone else's. */
export const FIELD_MANAGER = DEFAULT_FIELD_MANAGER;

/**
 * Writes one desired object: server-side apply (forcing conflicts, as the owner of what Git sets),
 * or with `Replace=true` a create or a whole-object replace, as `kubectl create|replace`. The sync
 * and the self-heal write through here, so a heal is exactly what a sync would have done.
 */
export function applyObject(client: KubeClient, object: KubeObject, live: KubeObject | undefined, replace: boolean): Promise<KubeObject> {
  if (!replace) return client.apply(object, { fieldManager: FIELD_MANAGER, force: true });
  if (!live) return client.create(object, { fieldManager: FIELD_MANAGER });
  return client.replace(object, { fieldManager: FIELD_MANAGER });
}
