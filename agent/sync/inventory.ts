// Which kinds an application has had applied, kept in a ConfigMap `radial-inventory-<app>` in the
// agent's namespace. Owned objects are found by label, one list per kind, so pruning needs to know
// every kind the application may still own, including kinds that left Git entirely. Kinds, not
// objects: the list stays small and the labels remain the single record of what is owned.
import { createHash } from "node:crypto";
import type { KubeClient } from "../kube/client.js";
import type { KubeObject } from "../kube/object.js";

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
    metadata: { name: inventoryName(application), namespace, labels: { "app.kubernetes.io/managed-by": "radial" }, annotations: { "radial.dev/inventory-of": application } },
    data: { kinds: [...kinds].sort().join("\n") },
  };
  await client.apply(object);
}

export async function deleteInventory(client: KubeClient, namespace: string, application: string): Promise<void> {
  await client.delete(ref(namespace, application));
}
