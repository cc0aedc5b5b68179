import type { KubeObject } from "../kube/object.js";
import { conditions } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

/** A Job is Progressing until it has a Complete, Failed or Suspended condition (of any status, as gitops-engine reads them). */
export function jobHealth(job: KubeObject): ResourceHealth {
  let failed = false;
  let complete = false;
  let suspended = false;
  let failMessage = "";
  let message = "";
  for (const condition of conditions(job)) {
    if (condition.type === "Failed") {
      failed = true;
      complete = true;
      failMessage = condition.message;
    } else if (condition.type === "Complete") {
      complete = true;
      message = condition.message;
    } else if (condition.type === "Suspended") {
      complete = true;
      message = condition.message;
      if (condition.status === "True") suspended = true;
    }
  }
  if (!complete) return { status: "Progressing", message };
  if (failed) return { status: "Degraded", message: failMessage };
  if (suspended) return { status: "Suspended", message };
  return { status: "Healthy", message };
}
