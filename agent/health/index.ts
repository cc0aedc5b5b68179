// Health as Argo CD assesses it: gitops-engine pkg/health, kind by kind, with its statuses and messages.
import { groupOf, type KubeObject } from "../kube/object.js";
export { worstHealth } from "../../contract/status-report.js";
import { apiServiceHealth } from "./apiservice.js";
import { customCheckFor } from "./custom/index.js";
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from "./apps.js";
import { ConversionError, HealthCheckError } from "./fields.js";
import { hpaV1Health, hpaV2Health } from "./hpa.js";
import { jobHealth } from "./job.js";
import { podHealth } from "./pod.js";
import { pvcHealth } from "./pvc.js";
import { ingressHealth, serviceHealth } from "./service.js";
import { workflowHealth } from "./workflow.js";
import { activeHealthChecks } from "./user-checks.js";
import type { ResourceHealth } from "./resource-health.js";

export type { ResourceHealth } from "./resource-health.js";

type Check = (object: KubeObject) => ResourceHealth;

/** Per group/kind: the name gitops-engine uses in its errors, and the check per version (or one for all). */
const CHECKS = new Map<string, { label: string; check: Check | Map<string, Check> }>([
  ["apps/Deployment", { label: "Deployment", check: new Map([["v1", deploymentHealth]]) }],
  ["apps/StatefulSet", { label: "StatefulSet", check: new Map([["v1", statefulSetHealth]]) }],
  ["apps/ReplicaSet", { label: "ReplicaSet", check: new Map([["v1", replicaSetHealth]]) }],
  ["apps/DaemonSet", { label: "DaemonSet", check: new Map([["v1", daemonSetHealth]]) }],
  ["extensions/Ingress", { label: "Ingress", check: ingressHealth }],
  ["networking.k8s.io/Ingress", { label: "Ingress", check: ingressHealth }],
  ["argoproj.io/Workflow", { label: "Workflow", check: workflowHealth }],
  [
    "apiregistration.k8s.io/APIService",
    {
      label: "APIService",
      check: new Map([
        ["v1", apiServiceHealth],
        ["v1beta1", apiServiceHealth],
      ]),
    },
  ],
  ["/Service", { label: "Service", check: new Map([["v1", serviceHealth]]) }],
  ["/PersistentVolumeClaim", { label: "PersistentVolumeClaim", check: new Map([["v1", pvcHealth]]) }],
  ["/Pod", { label: "Pod", check: new Map([["v1", podHealth]]) }],
  ["batch/Job", { label: "Job", check: new Map([["v1", jobHealth]]) }],
  [
    "autoscaling/HorizontalPodAutoscaler",
    {
      label: "HPA",
      check: new Map([
        ["v1", hpaV1Health],
        ["v2", hpaV2Health],
      ]),
    },
  ],
]);

/** Argo CD hooks keep this finalizer until their phase ends, so their deletion is not "pending". */
const HOOK_FINALIZER = "argocd.argoproj.io/hook-finalizer";

/**
 * The health of one live object as Argo CD assesses it, or undefined when its kind has no health
 * check (Argo CD has no generic rule for custom resources, only the per-kind checks of its
 * resource_customizations, which agent/health/custom mirrors), so it does not count toward the
 * application's health. A check that cannot read the object gives
 * Unknown with the reason. The user's own Lua check for the kind (user-checks.ts) comes before
 * every built-in one; the opt-in generic conditions check after them all.
 */
export function assessHealth(object: KubeObject): ResourceHealth | undefined {
  const finalizers = object.metadata.finalizers;
  if (object.metadata.deletionTimestamp && !(Array.isArray(finalizers) && finalizers.includes(HOOK_FINALIZER))) {
    return { status: "Progressing", message: "Pending deletion" };
  }
  const user = activeHealthChecks();
  const own = user?.assess(object);
  if (own) return own;
  const group = groupOf(object.apiVersion);
  const entry = CHECKS.get(`${group}/${object.kind}`);
  if (!entry) return customHealth(object) ?? user?.generic(object);
  const version = object.apiVersion.slice(object.apiVersion.indexOf("/") + 1);
  const check = typeof entry.check === "function" ? entry.check : entry.check.get(version);
  if (!check) return { status: "Unknown", message: `unsupported ${entry.label} GVK: ${group}/${version}, Kind=${object.kind}` };
  try {
    const health = check(object);
    return health.message ? health : { status: health.status };
  } catch (error) {
    if (error instanceof ConversionError) return { status: "Unknown", message: `failed to convert unstructured ${entry.label} to typed: ${error.message}` };
    if (error instanceof HealthCheckError) return { status: "Unknown", message: error.message };
    throw error;
  }
}

/**
 * The health of a kind Argo CD assesses with a resource_customizations script, or undefined when
 * none applies. A check that stops on the object's shape gives Unknown with the reason, never throws.
 */
export function customHealth(object: KubeObject): ResourceHealth | undefined {
  const check = customCheckFor(object);
  if (!check) return undefined;
  try {
    const health = check(object);
    return health.message ? health : { status: health.status };
  } catch (error) {
    return { status: "Unknown", message: error instanceof Error ? error.message : String(error) };
  }
}
