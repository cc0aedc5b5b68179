import type { KubeObject } from "../kube/object.js";
import { str } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const BY_PHASE = new Map<string, ResourceHealth["status"]>(Object.entries({ Bound: "Healthy", Pending: "Progressing", Lost: "Degraded" }));

export function pvcHealth(pvc: KubeObject): ResourceHealth {
  return { status: BY_PHASE.get(str(pvc, ["status", "phase"])) ?? "Unknown" };
}
