// Deleting an application the hub removed on purpose (a tombstone): as when an Argo CD Application
// is deleted, its objects go only if it carried the resources finalizer; see agent/README.md.
import { assessHealth } from "../health/index.js";
import { sleep } from "../kube/backoff.js";
import type { KubeClient } from "../kube/client.js";
import { refOf, type KubeObject } from "../kube/object.js";
import type { DesiredApplication } from "../source/desired.js";
import { deleteInventory, listOwned } from "./inventory.js";
import { objectOptions } from "./options.js";
import { pool } from "../../core/pool.js";
import { refFor, type ResourceResult, type SyncContext } from "./sync.js";

export type DeletedApplication = Extract<DesiredApplication, { state: "deleted" }>;

/** Argo CD's finalizer, and its `/foreground` and `/background` variants, asks for a cascading delete. */
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

export interface DeleteResult {
  application: string;
  /** Succeeded once everything to delete is gone; Failed (retry later) otherwise. */
  phase: "Succeeded" | "Failed";
  message: string;
  /** Objects the application owned: `pruned` (deleted), or `pruneSkipped` (kept: no finalizer, or Delete=false). */
  resources: ResourceResult[];
}

export interface DeleteSettings {
  concurrency?: number;
  /** How long to wait for one wave's objects to be gone. */
  waveTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Ends the deletion at its next wait (the agent stopping): Failed, retried later. */
  signal?: AbortSignal;
  /** Called each time a wave's objects are read again: the deletion's liveness. */
  onProgress?: () => void;
}

/**
 * Deletes what a removed application owns, in reverse wave order, each wave gone before the next,
 * when its finalizers ask for it; otherwise leaves the objects in place, no longer managed. The
 * inventory goes once nothing is left to delete.
 */
export async function deleteApplication(
  client: KubeClient,
  tombstone: DeletedApplication,
  context: SyncContext,
  settings: DeleteSettings = {},
): Promise<DeleteResult> {
  const { concurrency = 16, waveTimeoutMs = 5 * 60_000, pollIntervalMs = 500, signal, onProgress } = settings;
  const finalizer = tombstone.finalizers.find((f) => f === RESOURCES_FINALIZER || f.startsWith(`${RESOURCES_FINALIZER}/`));
  const propagationPolicy = finalizer?.endsWith("/background") ? "Background" : "Foreground";
  const resources: ResourceResult[] = [];
  const result = (phase: DeleteResult["phase"], message: string): DeleteResult => ({ application: tombstone.name, phase, message, resources });
  try {
    const owned = await listOwned(client, context, tombstone.name, concurrency);

    const keep = (live: KubeObject, message: string) => {
      const health = assessHealth(live);
      resources.push({ ref: refFor(live), action: "pruneSkipped", sync: "OutOfSync", ...(health ? { health } : {}), message });
    };
    if (!finalizer) {
      for (const live of owned) keep(live, `kept: the Application had no ${RESOURCES_FINALIZER} finalizer`);
      await deleteInventory(client, context.inventoryNamespace, tombstone.name);
      return result("Succeeded", `application removed; ${owned.length} objects left in place, no longer managed`);
    }

    const waves = new Map<number, KubeObject[]>();
    for (const live of owned) {
      const options = objectOptions(live);
      if (options.ok && !options.value.delete) {
        keep(live, "kept: Delete=false");
        continue;
      }
      const wave = options.ok ? options.value.wave : 0;
      waves.set(wave, [...(waves.get(wave) ?? []), live]);
    }
    for (const wave of [...waves.keys()].sort((a, b) => b - a)) {
      const batch = waves.get(wave)!;
      await pool(batch, concurrency, (live) =>
        client.delete(refOf(live), live.metadata.uid ? { propagationPolicy, uid: live.metadata.uid } : { propagationPolicy }),
      );
      const deadline = Date.now() + waveTimeoutMs;
      let left = batch;
      for (;;) {
        const present = await pool(left, concurrency, async (live) => {
          const now = await client.get(refOf(live));
          return now !== undefined && now.metadata.uid === live.metadata.uid;
        });
        left = left.filter((_, i) => present[i]);
        onProgress?.();
        if (left.length === 0) break;
        if (signal?.aborted) return result("Failed", `terminated: ${String(signal.reason)}`);
        if (Date.now() > deadline) {
          for (const live of batch)
            resources.push({ ref: refFor(live), action: left.includes(live) ? "failed" : "pruned", sync: left.includes(live) ? "OutOfSync" : "Synced" });
          return result("Failed", `timed out after ${waveTimeoutMs} ms waiting for deletion of ${left.length} objects of wave ${wave}`);
        }
        await sleep(pollIntervalMs, signal);
      }
      for (const live of batch) resources.push({ ref: refFor(live), action: "pruned", sync: "Synced", message: "deleted with its application" });
    }
    await deleteInventory(client, context.inventoryNamespace, tombstone.name);
    return result("Succeeded", `application deleted with its ${resources.filter((r) => r.action === "pruned").length} objects`);
  } catch (error) {
    return result("Failed", error instanceof Error ? error.message : String(error));
  }
}
