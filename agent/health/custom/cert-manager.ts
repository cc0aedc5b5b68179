// cert-manager (cert-manager.io): Certificate, Issuer, ClusterIssuer, as Argo CD's
// resource_customizations/cert-manager.io/<Kind>/health.lua assess them.
import type { KubeObject } from "../../kube/object.js";
import type { ResourceHealth } from "../resource-health.js";
import { conditions } from "./read.js";

/** The first Ready condition that is True or False decides; without one, waiting with `waiting`. */
export function readyCondition(object: KubeObject, waiting: string, type = "Ready"): ResourceHealth {
  for (const condition of conditions(object)) {
    if (condition.type !== type) continue;
    if (condition.status === "False") return { status: "Degraded", message: condition.message };
    if (condition.status === "True") return { status: "Healthy", message: condition.message };
  }
  return { status: "Progressing", message: waiting };
}

/** A Certificate being issued is Progressing whatever its Ready condition says. */
export function certificateHealth(certificate: KubeObject): ResourceHealth {
  const issuing = conditions(certificate).find((c) => c.type === "Issuing" && c.status === "True");
  if (issuing) return { status: "Progressing", message: issuing.message };
  return readyCondition(certificate, "Waiting for certificate");
}

export const issuerHealth = (issuer: KubeObject): ResourceHealth => readyCondition(issuer, "Initializing issuer");
export const clusterIssuerHealth = (issuer: KubeObject): ResourceHealth => readyCondition(issuer, "Initializing ClusterIssuer");
