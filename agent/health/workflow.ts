import type { KubeObject } from "../kube/object.js";
import { str } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const BY_PHASE = new Map<string, ResourceHealth["status"]>(
  Object.entries({
    "": "Progressing",
    Pending: "Progressing",
    Running: "Progressing",
    Succeeded: "Healthy",
    Failed: "Degraded",
    Error: "Degraded",
  }),
);

/** An Argo Workflow (argoproj.io), which gitops-engine assesses by its phase. */
export function workflowHealth(workflow: KubeObject): ResourceHealth {
  return { status: BY_PHASE.get(str(workflow, ["status", "phase"])) ?? "Unknown", message: str(workflow, ["status", "message"]) };
}
