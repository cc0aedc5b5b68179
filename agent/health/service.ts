import type { KubeObject } from "../kube/object.js";
import { objects, str } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const hasLoadBalancer = (object: KubeObject) => objects(object, ["status", "loadBalancer", "ingress"]).length > 0;

/** A LoadBalancer Service is Progressing until the cloud gives it an address; other Services are Healthy. */
export function serviceHealth(service: KubeObject): ResourceHealth {
  return { status: str(service, ["spec", "type"]) !== "LoadBalancer" || hasLoadBalancer(service) ? "Healthy" : "Progressing" };
}

/** An Ingress is Progressing until its controller publishes an address. */
export function ingressHealth(ingress: KubeObject): ResourceHealth {
  return { status: hasLoadBalancer(ingress) ? "Healthy" : "Progressing" };
}
