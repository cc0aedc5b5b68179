import type { KubeObject } from "../kube/object.js";
import { conditions } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

/** An APIService is Healthy once its Available condition is True, else Progressing. */
export function apiServiceHealth(apiService: KubeObject): ResourceHealth {
  const available = conditions(apiService).find((c) => c.type === "Available");
  if (!available) return { status: "Progressing", message: "Waiting to be processed" };
  return { status: available.status === "True" ? "Healthy" : "Progressing", message: `${available.reason}: ${available.message}` };
}
