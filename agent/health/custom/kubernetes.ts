// Kubernetes kinds gitops-engine leaves to Argo CD's resource_customizations: batch CronJob,
// policy PodDisruptionBudget and apiextensions CustomResourceDefinition, as their health.lua assess them.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions, fail, get, isFields, list, text } from "./read.js";

/** A CronJob is Degraded only when its last run did not succeed and none runs now (argo-cd#24428, #24429). */
export function cronJobHealth(cronJob: KubeObject): ResourceHealth {
  if (!isFields(cronJob.spec)) fail("attempt to index a nil value (field 'spec')");
  if (get(cronJob, "spec", "suspend") === true) return { status: "Healthy", message: "CronJob is Suspended" };
  if (!isFields(cronJob.status)) return { status: "Progressing", message: "Waiting for CronJob" };
  const scheduled = text(cronJob, "status", "lastScheduleTime");
  if (scheduled === undefined) return { status: "Healthy", message: "CronJob has not been scheduled yet" };
  const succeeded = text(cronJob, "status", "lastSuccessfulTime");
  if (succeeded === undefined) return { status: "Healthy", message: "The CronJob never completed successfully. It may not be healthy" };
  if (list(cronJob, "status", "active").length > 0)
    return { status: "Healthy", message: "The job is running. Its last execution may not have been successful" };
  // RFC 3339 times in UTC compare as strings, as the script compares them.
  if (succeeded < scheduled) return { status: "Degraded", message: "CronJob has not completed its last execution successfully" };
  return { status: "Healthy", message: "CronJob has completed its last execution successfully" };
}

/** A PodDisruptionBudget is Degraded by a False condition, except InsufficientPods (argo-cd#20171). */
export function podDisruptionBudgetHealth(budget: KubeObject): ResourceHealth {
  let health: ResourceHealth = { status: "Progressing", message: "Waiting for status" };
  for (const condition of conditions(budget)) {
    if (condition.reason === undefined) fail("attempt to concatenate a nil value (field 'reason')");
    const message = `PodDisruptionBudget has ${condition.reason}`;
    if (condition.status === "False" && condition.reason !== "InsufficientPods") return { status: "Degraded", message };
    health = { status: "Healthy", message };
  }
  return health;
}

export function customResourceDefinitionHealth(crd: KubeObject): ResourceHealth {
  if (crd.metadata.deletionTimestamp != null) return { status: "Progressing", message: "CRD is terminating" };
  if (!isFields(crd.status)) fail("attempt to index a nil value (field 'status')");
  const list = conditions(crd);
  if (list.length === 0) return { status: "Progressing", message: "Status conditions not found" };
  let established = false;
  // The script appends the condition's message: without one it stops with an error.
  const said = (message: string | undefined) => message ?? fail("attempt to concatenate a nil value (field 'message')");
  for (const { type, status, reason, message } of list) {
    if (type === "Terminating" && status === "True") return { status: "Progressing", message: `CRD is terminating: ${said(message)}` };
    if (type === "NamesAccepted" && status === "False") return { status: "Degraded", message: `CRD names have not been accepted: ${said(message)}` };
    if (type === "NonStructuralSchema" && status === "True") return { status: "Degraded", message: `Schema violations found: ${said(message)}` };
    if (type === "Established") {
      if (status === "True") established = true;
      else if (reason === "Installing") return { status: "Progressing", message: "CRD is being installed" };
    }
  }
  if (!established) return { status: "Degraded", message: "CRD is not established" };
  return { status: "Healthy", message: "CRD is healthy" };
}
