// Deployment, StatefulSet, DaemonSet and ReplicaSet, as gitops-engine (after kubectl rollout status).
import type { KubeObject } from "../kube/object.js";
import { at, bool, conditions, int, optionalInt, str } from "./fields.js";
import type { ResourceHealth } from "./resource-health.js";

const quoted = (name: string) => JSON.stringify(name);

export function deploymentHealth(deployment: KubeObject): ResourceHealth {
  if (bool(deployment, ["spec", "paused"])) return { status: "Suspended", message: "Deployment is paused" };
  if (int(deployment, ["metadata", "generation"]) > int(deployment, ["status", "observedGeneration"])) {
    return { status: "Progressing", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" };
  }
  const replicas = optionalInt(deployment, ["spec", "replicas"]);
  const current = int(deployment, ["status", "replicas"]);
  const updated = int(deployment, ["status", "updatedReplicas"]);
  const available = int(deployment, ["status", "availableReplicas"]);
  const progressing = conditions(deployment).find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return { status: "Degraded", message: `Deployment ${quoted(deployment.metadata.name)} exceeded its progress deadline` };
  }
  if (replicas !== undefined && updated < replicas) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...` };
  }
  if (current > updated) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${current - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { status: "Healthy" };
}

export function statefulSetHealth(sts: KubeObject): ResourceHealth {
  const observed = int(sts, ["status", "observedGeneration"]);
  if (observed === 0 || int(sts, ["metadata", "generation"]) > observed) {
    return { status: "Progressing", message: "Waiting for statefulset spec update to be observed..." };
  }
  const replicas = optionalInt(sts, ["spec", "replicas"]);
  const ready = int(sts, ["status", "readyReplicas"]);
  const updated = int(sts, ["status", "updatedReplicas"]);
  if (replicas !== undefined && ready < replicas) return { status: "Progressing", message: `Waiting for ${replicas - ready} pods to be ready...` };
  const strategy = str(sts, ["spec", "updateStrategy", "type"]);
  const rollingUpdate = at(sts, ["spec", "updateStrategy", "rollingUpdate"]);
  if (strategy === "RollingUpdate" && rollingUpdate !== undefined && rollingUpdate !== null) {
    const partition = optionalInt(sts, ["spec", "updateStrategy", "rollingUpdate", "partition"]);
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return {
        status: "Progressing",
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`,
      };
    }
    return { status: "Healthy", message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (strategy === "OnDelete") return { status: "Healthy", message: `statefulset has ${ready} ready pods` };
  const updateRevision = str(sts, ["status", "updateRevision"]);
  const currentRevision = str(sts, ["status", "currentRevision"]);
  if (updateRevision !== currentRevision) {
    return { status: "Progressing", message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...` };
  }
  return {
    status: "Healthy",
    message: `statefulset rolling update complete ${int(sts, ["status", "currentReplicas"])} pods at revision ${currentRevision}...`,
  };
}

export function daemonSetHealth(daemon: KubeObject): ResourceHealth {
  if (int(daemon, ["metadata", "generation"]) > int(daemon, ["status", "observedGeneration"])) {
    return { status: "Progressing", message: "Waiting for rollout to finish: observed daemon set generation less than desired generation" };
  }
  const updated = int(daemon, ["status", "updatedNumberScheduled"]);
  const desired = int(daemon, ["status", "desiredNumberScheduled"]);
  const available = int(daemon, ["status", "numberAvailable"]);
  if (str(daemon, ["spec", "updateStrategy", "type"]) === "OnDelete") {
    return { status: "Healthy", message: `daemon set ${updated} out of ${desired} new pods have been updated` };
  }
  const name = quoted(daemon.metadata.name);
  if (updated < desired) {
    return { status: "Progressing", message: `Waiting for daemon set ${name} rollout to finish: ${updated} out of ${desired} new pods have been updated...` };
  }
  if (available < desired) {
    return { status: "Progressing", message: `Waiting for daemon set ${name} rollout to finish: ${available} of ${desired} updated pods are available...` };
  }
  return { status: "Healthy" };
}

export function replicaSetHealth(replicaSet: KubeObject): ResourceHealth {
  if (int(replicaSet, ["metadata", "generation"]) > int(replicaSet, ["status", "observedGeneration"])) {
    return { status: "Progressing", message: "Waiting for rollout to finish: observed replica set generation less than desired generation" };
  }
  const failure = conditions(replicaSet).find((c) => c.type === "ReplicaFailure");
  if (failure?.status === "True") return { status: "Degraded", message: failure.message };
  const replicas = optionalInt(replicaSet, ["spec", "replicas"]);
  const available = int(replicaSet, ["status", "availableReplicas"]);
  if (replicas !== undefined && available < replicas) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${available} out of ${replicas} new replicas are available...` };
  }
  return { status: "Healthy" };
}
