// Argo Rollouts (argoproj.io): Rollout, AnalysisRun and Experiment, as Argo CD's
// resource_customizations/argoproj.io/<Kind>/health.lua assess them.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { HEALTH_STATUSES, INVALID_STATUS } from "./statuses.js";
import { conditions, fail, get, isFields, list, text, toNumber } from "./read.js";

/** Whether the controller has seen this spec: v0.9 rollouts and older carry no numeric observedGeneration. */
function generationObserved(rollout: KubeObject): boolean {
  if (!isFields(rollout.status)) return false;
  const observed = toNumber(rollout.status.observedGeneration);
  if (observed === undefined) return true;
  const generation = rollout.metadata.generation;
  if (typeof generation !== "number") fail("attempt to compare number with nil (metadata.generation)");
  return observed > generation || observed === generation;
}

/** v1.1 rollouts referencing a workload: whether the workload's generation has been seen. */
function workloadGenerationObserved(rollout: KubeObject): boolean {
  if (!isFields(rollout.spec)) fail("attempt to index a nil value (field 'spec')");
  if (get(rollout, "spec", "workloadRef") === undefined || rollout.metadata.annotations == null) return true;
  return toNumber(rollout.metadata.annotations["rollout.argoproj.io/workload-generation"]) === toNumber(get(rollout, "status", "workloadObservedGeneration"));
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

export function rolloutHealth(rollout: KubeObject): ResourceHealth {
  if (!generationObserved(rollout) || !workloadGenerationObserved(rollout)) {
    return { status: "Progressing", message: "Waiting for rollout spec update to be observed" };
  }
  // Rollouts v1.0 and later record a phase and message, surfaced as they are.
  const phase = text(rollout, "status", "phase");
  if (phase !== undefined) {
    const status = phase === "Paused" ? "Suspended" : phase;
    if (!HEALTH_STATUSES.has(status)) return { status: "Unknown", message: INVALID_STATUS };
    return { status: status as ResourceHealth["status"], message: text(rollout, "status", "message") };
  }
  // The script's ipairs fails on a missing list, so Argo CD reports Unknown.
  const listed = get(rollout, "status", "conditions");
  if (!Array.isArray(listed) && !isFields(listed)) fail("bad argument #1 to ipairs (table expected, got nil): status.conditions");
  for (const condition of conditions(rollout)) {
    if (condition.type === "InvalidSpec") return { status: "Degraded", message: condition.message };
    if (condition.type === "Progressing" && (condition.reason === "RolloutAborted" || condition.reason === "ProgressDeadlineExceeded")) {
      return { status: "Degraded", message: condition.message };
    }
  }
  if (list(rollout, "status", "pauseConditions").length > 0 || get(rollout, "spec", "paused") === true) {
    return { status: "Suspended", message: "Rollout is paused" };
  }
  const podHash = get(rollout, "status", "currentPodHash");
  if (podHash === undefined) return { status: "Progressing", message: "Waiting for rollout to finish: status has not been reconciled." };

  const desired = numberOr(get(rollout, "spec", "replicas"), 1);
  const replicas = numberOr(get(rollout, "status", "replicas"), 0);
  const updated = numberOr(get(rollout, "status", "updatedReplicas"), 0);
  const available = numberOr(get(rollout, "status", "availableReplicas"), 0);
  if (updated < desired) return { status: "Progressing", message: "Waiting for roll out to finish: More replicas need to be updated" };
  if (available < updated) return { status: "Progressing", message: "Waiting for roll out to finish: updated replicas are still becoming available" };

  // v0.8 moved status.canary.stableRS to status.stableRS.
  const stableRS = get(rollout, "status", "stableRS") ?? get(rollout, "status", "canary", "stableRS") ?? "";
  if (!isFields(get(rollout, "spec", "strategy"))) fail("attempt to index a nil value (field 'strategy')");
  if (get(rollout, "spec", "strategy", "blueGreen") !== undefined) {
    if (get(rollout, "status", "blueGreen", "activeSelector") !== podHash) return { status: "Progressing", message: "active service cutover pending" };
    if (stableRS !== "" && stableRS !== podHash) return { status: "Progressing", message: "waiting for analysis to complete" };
  } else if (get(rollout, "spec", "strategy", "canary") !== undefined) {
    if (replicas > updated) return { status: "Progressing", message: "Waiting for roll out to finish: old replicas are pending termination" };
    if (stableRS === "" || stableRS !== podHash) return { status: "Progressing", message: "Waiting for rollout to finish steps" };
  }
  return { status: "Healthy", message: "" };
}

/** By phase; a phase it does not know leaves the status empty, which Argo CD reads as invalid. */
function byPhase(object: KubeObject, phases: Record<string, ResourceHealth>, waiting: string, useStatusMessage: boolean): ResourceHealth {
  if (!isFields(object.status)) return { status: "Progressing", message: waiting };
  const phase = text(object, "status", "phase");
  const health = phase === undefined ? undefined : phases[phase];
  if (!health) return { status: "Unknown", message: INVALID_STATUS };
  const message = useStatusMessage && health.status !== "Progressing" ? (text(object, "status", "message") ?? health.message) : health.message;
  return { status: health.status, message };
}

const ANALYSIS_PHASES: Record<string, ResourceHealth> = {
  Pending: { status: "Progressing", message: "Analysis run is running" },
  Running: { status: "Progressing", message: "Analysis run is running" },
  Successful: { status: "Healthy", message: "Analysis run completed successfully" },
  Failed: { status: "Degraded", message: "Analysis run failed" },
  Error: { status: "Degraded", message: "Analysis run had an error" },
  Inconclusive: { status: "Unknown", message: "Analysis run was inconclusive" },
};

/** An AnalysisRun by phase, with its status message when it has ended. */
export const analysisRunHealth = (run: KubeObject): ResourceHealth =>
  byPhase(run, ANALYSIS_PHASES, "Waiting for analysis run to finish: status has not been reconciled.", true);

const EXPERIMENT_PHASES: Record<string, ResourceHealth> = {
  Pending: { status: "Progressing", message: "Experiment is pending" },
  Running: { status: "Progressing", message: "Experiment is running" },
  Successful: { status: "Healthy", message: "Experiment is successful" },
  Failed: { status: "Degraded", message: "Experiment has failed" },
  Error: { status: "Degraded", message: "Experiment had an error" },
};

export const experimentHealth = (experiment: KubeObject): ResourceHealth =>
  byPhase(experiment, EXPERIMENT_PHASES, "Waiting for experiment to finish: status has not been reconciled.", false);
