/**
 * The opt-in generic check (`radial.health.genericConditions: "true"` in the fleet's
 * health/argocd-cm.yaml): a resource no other check covers is assessed by its standard conditions
 * as kstatus reads them (sigs.k8s.io/cli-utils/pkg/kstatus): an unobserved generation or
 * `Reconciling` is Progressing, `Stalled` is Degraded, `Ready` (or else `Available`) True is
 * Healthy and otherwise Progressing. A resource with none of these conditions keeps no health.
 */
import type { KubeObject } from "../kube/object.js";
import type { ResourceHealth } from "./resource-health.js";

interface Condition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The condition's message, or its reason, or what is given. */
const said = (condition: Condition, otherwise: string): string => text(condition.message) || text(condition.reason) || otherwise;

export function conditionsHealth(object: KubeObject): ResourceHealth | undefined {
  const status = (object.status ?? {}) as { conditions?: unknown; observedGeneration?: unknown };
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c): c is Condition => typeof c === "object" && c !== null);
  const find = (type: string) => conditions.find((c) => c.type === type);
  const ready = find("Ready") ?? find("Available");
  const stalled = find("Stalled");
  const reconciling = find("Reconciling");
  if (!ready && !stalled && !reconciling) return undefined;
  const generation = object.metadata.generation;
  if (typeof generation === "number" && typeof status.observedGeneration === "number" && status.observedGeneration < generation)
    return { status: "Progressing", message: `waiting for the controller to observe generation ${generation}` };
  if (stalled?.status === "True") return { status: "Degraded", message: said(stalled, "Stalled") };
  if (reconciling?.status === "True") return { status: "Progressing", message: said(reconciling, "Reconciling") };
  if (!ready) return undefined;
  if (ready.status === "True") return text(ready.message) ? { status: "Healthy", message: text(ready.message) } : { status: "Healthy" };
  return { status: "Progressing", message: said(ready, `${text(ready.type)} is ${text(ready.status) || "not set"}`) };
}
