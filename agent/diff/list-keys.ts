// The keys that identify an item in Kubernetes' keyed lists (x-kubernetes-list-map-keys, the same
// keys strategic merge patch uses), so Git's items are matched with live ones whatever their order.
// Any other list of objects is atomic: compared item by item in order.

import type { Scalar } from "./path.js";

interface ListKeys {
  keys: string[];
  /** Values the apiserver fills in when a key is left out. */
  defaults?: Record<string, Scalar>;
}

const NAME: ListKeys = { keys: ["name"] };

/** By list field name; `ports` is told apart by its items (a container's or a Service's). */
const BY_FIELD: Record<string, ListKeys> = {
  containers: NAME,
  initContainers: NAME,
  ephemeralContainers: NAME,
  env: NAME,
  volumes: NAME,
  imagePullSecrets: NAME,
  resourceClaims: NAME,
  schedulingGates: NAME,
  volumeMounts: { keys: ["mountPath"] },
  volumeDevices: { keys: ["devicePath"] },
  hostAliases: { keys: ["ip"] },
  resizePolicy: { keys: ["resourceName"] },
  topologySpreadConstraints: { keys: ["topologyKey", "whenUnsatisfiable"] },
};

const CONTAINER_PORTS: ListKeys = { keys: ["containerPort", "protocol"], defaults: { protocol: "TCP" } };
const SERVICE_PORTS: ListKeys = { keys: ["port", "protocol"], defaults: { protocol: "TCP" } };

export function listKeys(field: string, items: Record<string, unknown>[]): ListKeys | undefined {
  if (field === "ports") {
    if (items.every((item) => "containerPort" in item)) return CONTAINER_PORTS;
    if (items.every((item) => "port" in item)) return SERVICE_PORTS;
    return undefined;
  }
  return Object.hasOwn(BY_FIELD, field) ? BY_FIELD[field] : undefined;
}

/** The item's key values, with the apiserver's defaults for keys it leaves out; undefined if a key is missing. */
export function keyOf(item: Record<string, unknown>, list: ListKeys): Record<string, Scalar> | undefined {
  const key: Record<string, Scalar> = {};
  for (const name of list.keys) {
    const value = item[name] ?? list.defaults?.[name];
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return undefined;
    key[name] = value;
  }
  return key;
}
