// Which kinds an application has had applied, kept in a ConfigMap `radial-inventory-<app>` in the
// agent's namespace. Owned objects are found by label, one list per kind, so pruning needs to know
// every kind the application may still own, including kinds that left Git entirely. Kinds, not
// objects: the list stays small and the labels remain the single record of what is owned.
import { createHash } from "node:crypto";
import type { KubeClient } from "../kube/client.js";
import { NoKindMatchError } from "../kube/errors.js";
import type { KubeObject } from "../kube/object.js";
import { pool } from "../../core/pool.js";
import type { SyncContext } from "./context.js";
import { APPLICATION_LABEL, applicationLabelValue, isOwnedBy } from "./tracking.js";

/** `apiVersion` + space + `kind`, one per line in the ConfigMap. */
export type KindKey = string;

export const kindKey = (object: { apiVersion: string; kind: string }): KindKey => `${object.apiVersion} ${object.kind}`;

export function parseKindKey(key: KindKey): { apiVersion: string; kind: string } {
  const [apiVersion = "", kind = ""] = key.split(" ");
  return { apiVersion, kind };
}

/** ConfigMap names are DNS subdomains of at most 253 characters; a long application name is hashed. */
export function inventoryName(application: string): string {
  const name = `radial-inventory-${application}`;
  return name.length <= 253 ? name : `radial-inventory-${createHash("sha256").update(application).digest("hex")}`;
}

const MANAGED_BY = { name: "app.kubernetes.io/managed-by", value: "radial" };
/** The application's full name, which the ConfigMap's name may carry only as a hash. */
const INVENTORY_OF = "radial.dev/inventory-of";

const ref = (namespace: string, application: string) => ({ apiVersion: "v1", kind: "ConfigMap", namespace, name: inventoryName(application) });

export async function readInventory(client: KubeClient, namespace: string, application: string): Promise<Set<KindKey>> {
  const live = await client.get(ref(namespace, application));
  const kinds = (live?.data as Record<string, string> | undefined)?.kinds ?? "";
  return new Set(kinds.split("\n").filter((line) => line.includes(" ")));
}

export async function writeInventory(client: KubeClient, namespace: string, application: string, kinds: Set<KindKey>): Promise<void> {
  const object: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: inventoryName(application), namespace, labels: { [MANAGED_BY.name]: MANAGED_BY.value }, annotations: { [INVENTORY_OF]: application } },
    data: { kinds: [...kinds].sort().join("\n") },
  };
  await client.apply(object);
}

export async function deleteInventory(client: KubeClient, namespace: string, application: string): Promise<void> {
  await client.delete(ref(namespace, application));
}

/**
 * Every application with an inventory: those that may own objects here, whether or not the branch
 * still names them (the agent's memory of them does not survive a restart; these ConfigMaps do).
 */
export async function listInventories(client: KubeClient, namespace: string): Promise<string[]> {
  const { items } = await client.list("v1", "ConfigMap", { namespace, labelSelector: `${MANAGED_BY.name}=${MANAGED_BY.value}` });
  return items.flatMap((item) => {
    const application = item.metadata.annotations?.[INVENTORY_OF];
    return application && item.metadata.name === inventoryName(application) ? [application] : [];
  });
}

/** The live objects an application owns: of each kind in its inventory, those carrying its tracking id. */
export async function listOwned(client: KubeClient, context: SyncContext, application: string, concurrency = 16): Promise<KubeObject[]> {
  const owned: KubeObject[] = [];
  const selector = `${APPLICATION_LABEL}=${applicationLabelValue(application)}`;
  await pool([...(await readInventory(client, context.inventoryNamespace, application))], concurrency, async (key) => {
    const { apiVersion, kind } = parseKindKey(key);
    try {
      const items = (await client.list(apiVersion, kind, { labelSelector: selector })).items;
      owned.push(...items.filter((live) => isOwnedBy(live, context.cluster, application)));
    } catch (error) {
      // A kind no longer served has no objects left.
      if (!(error instanceof NoKindMatchError)) throw error;
    }
  });
  return owned;
}
