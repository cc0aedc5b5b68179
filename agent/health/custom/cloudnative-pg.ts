// CloudNativePG (postgresql.cnpg.io): a Cluster by its phase, as Argo CD's
// resource_customizations/postgresql.cnpg.io/Cluster/health.lua; reconciliation turned off and
// hibernation are Suspended.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions, fail, get, isFields, text } from "./read.js";

const BY_PHASE = new Map<string, ResourceHealth["status"]>(
  Object.entries({
    "Cluster in healthy state": "Healthy",
    "Setting up primary": "Progressing",
    "Creating a new replica": "Progressing",
    "Upgrading cluster": "Progressing",
    "Waiting for the instances to become active": "Progressing",
    "Promoting to primary cluster": "Progressing",
    "Switchover in progress": "Degraded",
    "Failing over": "Degraded",
    "Upgrading Postgres major version": "Degraded",
    "Cluster upgrade delayed": "Degraded",
    "Waiting for user action": "Degraded",
    "Primary instance is being restarted in-place": "Degraded",
    "Primary instance is being restarted without a switchover": "Degraded",
    "Cluster cannot execute instance online upgrade due to missing architecture binary": "Degraded",
    "Online upgrade in progress": "Degraded",
    "Applying configuration": "Degraded",
    "Unable to create required cluster objects": "Suspended",
    "Cluster cannot proceed to reconciliation due to an unknown plugin being required": "Suspended",
    "Cluster has incomplete or invalid image catalog": "Suspended",
    "Cluster is unrecoverable and needs manual intervention": "Suspended",
  }),
);

export function cnpgClusterHealth(cluster: KubeObject): ResourceHealth {
  if (cluster.metadata.annotations?.["cnpg.io/reconciliationLoop"] === "disabled") {
    return { status: "Suspended", message: "Cluster reconciliation is suspended" };
  }
  // The script reads status.phaseReason unguarded: a cluster without a status stops it.
  if (!isFields(cluster.status)) fail("attempt to index a nil value (field 'status')");
  const reason = text(cluster, "status", "phaseReason");
  if (get(cluster, "status", "conditions") === undefined) return { status: "Progressing", message: reason };
  const hibernation = conditions(cluster).find((c) => c.type === "cnpg.io/hibernation");
  if (hibernation) return { status: hibernation.status === "True" ? "Suspended" : "Degraded", message: hibernation.message };
  return { status: BY_PHASE.get(text(cluster, "status", "phase") ?? "") ?? "Unknown", message: reason };
}
