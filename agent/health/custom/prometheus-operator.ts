// Prometheus Operator (monitoring.coreos.com): Prometheus by its Available condition, as Argo CD's
// resource_customizations/monitoring.coreos.com/Prometheus/health.lua (the last Available condition
// wins; pods still starting are Progressing). Argo CD ships no check for Alertmanager.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions } from "./read.js";

export function prometheusHealth(prometheus: KubeObject): ResourceHealth {
  let health: ResourceHealth = { status: "Progressing", message: "Waiting for initialization" };
  for (const condition of conditions(prometheus)) {
    if (condition.type !== "Available") continue;
    if (condition.status === "True") health = { status: "Healthy", message: "All instances are available" };
    else health = { status: condition.reason === "SomePodsNotReady" ? "Progressing" : "Degraded", message: condition.message ?? condition.reason };
  }
  return health;
}
