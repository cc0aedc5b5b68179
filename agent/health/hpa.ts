// HorizontalPodAutoscaler: Degraded when it cannot read its target or metrics, Healthy when it is able
// to scale or is limited by its bounds, else still waiting. autoscaling/v1 carries the conditions in
// an annotation; v2 in status.conditions.
import type { KubeObject } from "../kube/object.js";
import { HealthCheckError, conditions, type Condition } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const WAITING: ResourceHealth = { status: "Progressing", message: "Waiting to Autoscale" };

const DEGRADED = new Set([
  "AbleToScale/FailedGetScale",
  "AbleToScale/FailedUpdateScale",
  "ScalingActive/FailedGetResourceMetric",
  "ScalingActive/InvalidSelector",
  "ScalingActive/FailedGetObjectMetric",
  "ScalingActive/FailedGetPodsMetric",
  "ScalingActive/FailedGetExternalMetric",
  "ScalingActive/FailedComputeMetricsReplicas",
]);

function fromConditions(list: Condition[]): ResourceHealth {
  const degraded = list.find((c) => DEGRADED.has(`${c.type}/${c.reason}`));
  if (degraded) return { status: "Degraded", message: degraded.message };
  const healthy = list.find((c) => (c.type === "AbleToScale" || c.type === "ScalingLimited") && c.status === "True");
  if (healthy) return { status: "Healthy", message: healthy.message };
  return WAITING;
}

export function hpaV1Health(hpa: KubeObject): ResourceHealth {
  const annotation = hpa.metadata.annotations?.["autoscaling.alpha.kubernetes.io/conditions"];
  if (annotation === undefined) return WAITING;
  let parsed: unknown;
  try {
    parsed = JSON.parse(annotation);
  } catch (error) {
    throw new HealthCheckError(`failed to convert conditions annotation to typed: ${(error as Error).message}`);
  }
  const list = conditions({ list: parsed ?? [] }, ["list"]);
  return list.length === 0 ? WAITING : fromConditions(list);
}

export const hpaV2Health = (hpa: KubeObject): ResourceHealth => fromConditions(conditions(hpa));
