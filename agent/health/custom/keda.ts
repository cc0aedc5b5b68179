// KEDA (keda.sh): ScaledObject and ScaledJob, as Argo CD's resource_customizations/keda.sh/<Kind>/health.lua:
// any failing condition makes it Degraded, Ready alone Healthy, Ready and Paused Suspended. The message is
// the last matching condition's.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions } from "./read.js";

function keda(object: KubeObject, degradedWhen: (type: string | undefined, status: string | undefined) => boolean, waiting: string): ResourceHealth {
  let message: string | undefined;
  let healthy = false;
  let degraded = false;
  let paused = false;
  for (const { type, status, message: text } of conditions(object)) {
    const matched =
      (type === "Ready" && status === "False" && (degraded = true)) ||
      (type === "Ready" && status === "True" && (healthy = true)) ||
      (type === "Paused" && status === "True" && (paused = true)) ||
      (degradedWhen(type, status) && (degraded = true));
    if (matched) message = text;
  }
  if (degraded) return { status: "Degraded", message };
  if (healthy) return { status: paused ? "Suspended" : "Healthy", message };
  return { status: "Progressing", message: waiting };
}

/** A ScaledObject that falls back to its fallback replicas is Degraded. */
export const scaledObjectHealth = (object: KubeObject): ResourceHealth =>
  keda(object, (type, status) => type === "Fallback" && status === "True", "Creating HorizontalPodAutoscaler Object");

/** A ScaledJob whose readiness is Unknown is Degraded. */
export const scaledJobHealth = (job: KubeObject): ResourceHealth =>
  keda(job, (type, status) => type === "Ready" && status === "Unknown", "Waiting for ScaledJob");
