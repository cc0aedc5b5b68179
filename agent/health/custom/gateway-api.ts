// Gateway API (gateway.networking.k8s.io): Gateway, HTTPRoute and GRPCRoute, as Argo CD's
// resource_customizations/gateway.networking.k8s.io/<Kind>/health.lua: a False ResolvedRefs or
// Accepted condition is Degraded, a Programmed condition not True is Progressing.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions, fail, get, isFields, list, text, type Condition } from "./read.js";

/** Degraded or Progressing by one set of conditions, or undefined when they say neither. */
function judge(list: Condition[], programming: string, prefix: string): ResourceHealth | undefined {
  for (const type of ["ResolvedRefs", "Accepted"]) {
    const failed = list.find((c) => c.type === type && c.status === "False");
    if (failed) return { status: "Degraded", message: prefix + (failed.message ?? `Failed condition: ${type}`) };
  }
  const programmed = list.find((c) => c.type === "Programmed" && c.status !== "True");
  if (programmed) return { status: "Progressing", message: prefix + (programmed.message ?? programming) };
  return undefined;
}

export function gatewayHealth(gateway: KubeObject): ResourceHealth {
  if (isFields(gateway.status)) {
    const hasConditions = get(gateway, "status", "conditions") !== undefined;
    if (hasConditions) {
      const verdict = judge(conditions(gateway), "Gateway is still being programmed", "");
      if (verdict) return verdict;
    }
    const listeners = list(gateway, "status", "listeners");
    for (const listener of listeners) {
      if (get(listener, "conditions") === undefined) continue;
      const verdict = judge(conditions(listener, "conditions"), "Listener is still being programmed", "Listener: ");
      if (verdict) return verdict;
    }
    if (hasConditions || listeners.length > 0) return { status: "Healthy", message: "Gateway is healthy" };
  }
  return { status: "Progressing", message: "Waiting for Gateway status" };
}

/**
 * A route by its parents' conditions. An HTTPRoute skips the parents whose conditions were observed
 * for an older generation of the route (GRPCRoute's script does not).
 */
function routeHealth(route: KubeObject, kind: "HTTPRoute" | "GRPCRoute", checkGeneration: boolean): ResourceHealth {
  const generation = route.metadata.generation;
  const current = (parent: unknown): boolean => {
    if (!checkGeneration || generation == null) return true;
    const list = conditions(parent, "conditions");
    return list.length > 0 && list.every((c) => c.observedGeneration == null || c.observedGeneration === generation);
  };
  const parents = list(route, "status", "parents");
  for (const parent of parents) {
    if (get(parent, "conditions") === undefined || !current(parent)) continue;
    const verdict = judge(conditions(parent, "conditions"), "Route is still being programmed", `Parent ${text(parent, "parentRef", "name") ?? ""}: `);
    if (verdict && !isFields(get(parent, "parentRef"))) fail("attempt to index a nil value (field 'parentRef')");
    if (verdict) return verdict;
  }
  if (parents.some((parent) => conditions(parent, "conditions").length > 0 && current(parent))) return { status: "Healthy", message: `${kind} is healthy` };
  return { status: "Progressing", message: `Waiting for ${kind} status` };
}

export const httpRouteHealth = (route: KubeObject): ResourceHealth => routeHealth(route, "HTTPRoute", true);
export const grpcRouteHealth = (route: KubeObject): ResourceHealth => routeHealth(route, "GRPCRoute", false);
