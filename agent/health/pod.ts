// Pods as gitops-engine assesses them. Pods that restart on their own (restartPolicy Always) are
// long-running: a container stuck in an error or back-off makes them Degraded. Pods with a finite
// life (OnFailure, Never) are usually hooks, so they stay Progressing while they run rather than
// failing a sync early; `argocd.argoproj.io/ignore-restart-policy: "true"` assesses a non-hook one
// as long-running.
import type { KubeObject } from "../kube/object.js";
import { conditions, int, objects, present, str } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const IGNORE_RESTART_POLICY = "argocd.argoproj.io/ignore-restart-policy";
const HOOK_TYPES = new Set(["PreSync", "Sync", "PostSync", "SyncFail", "Skip"]);

/** gitops-engine's hook.IsHook: an Argo CD hook annotation other than a lone Skip, or a Helm hook. */
function isHook(object: KubeObject): boolean {
  const annotations = object.metadata.annotations ?? {};
  const argo = annotations["argocd.argoproj.io/hook"];
  if (argo !== undefined) {
    const types = argo
      .split(",")
      .map((t) => t.trim())
      .filter((t) => HOOK_TYPES.has(t));
    return !(types.length === 1 && types[0] === "Skip");
  }
  const helm = annotations["helm.sh/hook"];
  return helm !== undefined && helm !== "crd-install";
}

function failMessage(container: Record<string, unknown>): string {
  const terminated = ["state", "terminated"];
  const message = str(container, [...terminated, "message"]);
  if (message !== "") return message;
  if (str(container, [...terminated, "reason"]) === "OOMKilled") return "OOMKilled";
  const exitCode = int(container, [...terminated, "exitCode"]);
  if (exitCode !== 0) return `container ${JSON.stringify(str(container, ["name"]))} failed with exit code ${exitCode}`;
  return "";
}

export function podHealth(pod: KubeObject): ResourceHealth {
  const restartPolicy = str(pod, ["spec", "restartPolicy"]);
  const longRunning = restartPolicy === "Always" || (pod.metadata.annotations?.[IGNORE_RESTART_POLICY] === "true" && !isHook(pod));
  const containers = objects(pod, ["status", "containerStatuses"]);
  const message = str(pod, ["status", "message"]);

  if (longRunning) {
    const stuck = containers.filter((c) => {
      const reason = str(c, ["state", "waiting", "reason"]);
      return present(c, ["state", "waiting"]) && (reason.startsWith("Err") || reason.endsWith("Error") || reason.endsWith("BackOff"));
    });
    if (stuck.length > 0) return { status: "Degraded", message: stuck.map((c) => str(c, ["state", "waiting", "message"])).join(", ") };
  }

  switch (str(pod, ["status", "phase"])) {
    case "Pending":
      return { status: "Progressing", message };
    case "Succeeded":
      return { status: "Healthy", message };
    case "Failed": {
      if (message !== "") return { status: "Degraded", message };
      for (const container of [...objects(pod, ["status", "initContainerStatuses"]), ...containers]) {
        const reason = failMessage(container);
        if (reason !== "") return { status: "Degraded", message: reason };
      }
      return { status: "Degraded", message: "" };
    }
    case "Running":
      if (longRunning) {
        if (conditions(pod).some((c) => c.type === "Ready" && c.status === "True")) return { status: "Healthy", message };
        const restarted = containers.some((c) => present(c, ["lastState", "terminated"]));
        return { status: restarted ? "Degraded" : "Progressing", message };
      }
      if (restartPolicy === "OnFailure" || restartPolicy === "Never") return { status: "Progressing", message };
  }
  return { status: "Unknown", message };
}
