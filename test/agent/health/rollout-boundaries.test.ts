// The workload checks at their boundaries: one replica short against all there, a generation just
// observed against one ahead, each as gitops-engine's pkg/health (deployment.go, statefulset.go,
// daemonset.go, replicaset.go, after kubectl rollout status) words it. The fixtures suite covers
// each status once; these pin which side of every comparison an equal count falls on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessHealth } from "../../../agent/health/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

function workload(kind: string, spec: Record<string, unknown>, status: Record<string, unknown>, generation = 1): KubeObject {
  return { apiVersion: "apps/v1", kind, metadata: { name: "web", namespace: "app", generation }, spec, status };
}

describe("Deployment", () => {
  const deployment = (status: Record<string, unknown>, generation = 1, spec: Record<string, unknown> = { replicas: 3 }) =>
    assessHealth(workload("Deployment", spec, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3, ...status }, generation));

  test("all replicas updated and available, generation observed: Healthy", () => {
    assert.deepEqual(deployment({}), { status: "Healthy" });
  });

  test("a generation not yet observed is Progressing; an observed one is not", () => {
    assert.deepEqual(deployment({}, 2), {
      status: "Progressing",
      message: "Waiting for rollout to finish: observed deployment generation less than desired generation",
    });
    assert.deepEqual(deployment({ observedGeneration: 2 }, 2), { status: "Healthy" });
  });

  test("one replica short of updated, or of available, is Progressing with the counts", () => {
    assert.deepEqual(deployment({ updatedReplicas: 2, replicas: 2, availableReplicas: 2 }), {
      status: "Progressing",
      message: "Waiting for rollout to finish: 2 out of 3 new replicas have been updated...",
    });
    assert.deepEqual(deployment({ availableReplicas: 2 }), {
      status: "Progressing",
      message: "Waiting for rollout to finish: 2 of 3 updated replicas are available...",
    });
  });

  test("without spec.replicas the updated count is not compared with it", () => {
    assert.deepEqual(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }, 1, {}), { status: "Healthy" });
  });
});

describe("StatefulSet", () => {
  const sts = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1) =>
    assessHealth(
      workload(
        "StatefulSet",
        { replicas: 3, ...spec },
        { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 3, currentRevision: "web-1", updateRevision: "web-1", ...status },
        generation,
      ),
    );

  test("a status never observed (observedGeneration 0) or behind is Progressing", () => {
    const waiting = { status: "Progressing", message: "Waiting for statefulset spec update to be observed..." };
    assert.deepEqual(sts({ observedGeneration: 0 }), waiting);
    assert.deepEqual(sts({}, {}, 2), waiting);
    assert.equal(sts({ observedGeneration: 2 }, {}, 2)?.status, "Healthy");
  });

  test("a StatefulSet whose status was never written is waiting, even when its generation is not set either", () => {
    const unobserved: KubeObject = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "web" }, spec: { replicas: 1 }, status: {} };
    assert.deepEqual(assessHealth(unobserved), { status: "Progressing", message: "Waiting for statefulset spec update to be observed..." });
  });

  test("one pod short of ready is Progressing, naming how many are missing", () => {
    assert.deepEqual(sts({ readyReplicas: 2 }), { status: "Progressing", message: "Waiting for 1 pods to be ready..." });
  });

  test("a partitioned rolling update is done once replicas minus partition pods are updated", () => {
    const partitioned = { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } };
    assert.deepEqual(sts({ updatedReplicas: 1 }, partitioned), {
      status: "Progressing",
      message: "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
    });
    assert.deepEqual(sts({ updatedReplicas: 2 }, partitioned), {
      status: "Healthy",
      message: "partitioned roll out complete: 2 new pods have been updated...",
    });
    const noPartition = { updateStrategy: { type: "RollingUpdate", rollingUpdate: {} } };
    assert.deepEqual(sts({ updatedReplicas: 0 }, noPartition), {
      status: "Healthy",
      message: "partitioned roll out complete: 0 new pods have been updated...",
    });
  });

  test("a partition counts only under the RollingUpdate strategy, and rollingUpdate: null is no settings", () => {
    const behind = { updatedReplicas: 1, updateRevision: "web-2" };
    const waiting = { status: "Progressing", message: "waiting for statefulset rolling update to complete 1 pods at revision web-2..." };
    assert.deepEqual(sts(behind, { updateStrategy: { rollingUpdate: { partition: 1 } } }), waiting);
    assert.deepEqual(sts(behind, { updateStrategy: { type: "RollingUpdate", rollingUpdate: null } }), waiting);
  });

  test("a rolling update without rollingUpdate settings waits for the revisions to meet", () => {
    assert.deepEqual(sts({ updatedReplicas: 1, updateRevision: "web-2" }, { updateStrategy: { type: "RollingUpdate" } }), {
      status: "Progressing",
      message: "waiting for statefulset rolling update to complete 1 pods at revision web-2...",
    });
    assert.deepEqual(sts({}), { status: "Healthy", message: "statefulset rolling update complete 3 pods at revision web-1..." });
  });
});

describe("DaemonSet", () => {
  const daemon = (status: Record<string, unknown>, generation = 1) =>
    assessHealth(
      workload("DaemonSet", {}, { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, ...status }, generation),
    );

  test("every scheduled pod updated and available, generation observed: Healthy", () => {
    assert.deepEqual(daemon({}), { status: "Healthy" });
    assert.deepEqual(daemon({ observedGeneration: 2 }, 2), { status: "Healthy" });
  });

  test("a generation ahead, one pod not updated, or one not available: Progressing with the counts", () => {
    assert.deepEqual(daemon({}, 2), {
      status: "Progressing",
      message: "Waiting for rollout to finish: observed daemon set generation less than desired generation",
    });
    assert.deepEqual(daemon({ updatedNumberScheduled: 2 }), {
      status: "Progressing",
      message: 'Waiting for daemon set "web" rollout to finish: 2 out of 3 new pods have been updated...',
    });
    assert.deepEqual(daemon({ numberAvailable: 2 }), {
      status: "Progressing",
      message: 'Waiting for daemon set "web" rollout to finish: 2 of 3 updated pods are available...',
    });
  });
});

describe("ReplicaSet", () => {
  const replicaSet = (status: Record<string, unknown>, generation = 1, spec: Record<string, unknown> = { replicas: 3 }) =>
    assessHealth(workload("ReplicaSet", spec, { observedGeneration: 1, availableReplicas: 3, ...status }, generation));

  test("all replicas available, generation observed: Healthy; a generation ahead: Progressing", () => {
    assert.deepEqual(replicaSet({}), { status: "Healthy" });
    assert.deepEqual(replicaSet({ observedGeneration: 2 }, 2), { status: "Healthy" });
    assert.deepEqual(replicaSet({}, 2), {
      status: "Progressing",
      message: "Waiting for rollout to finish: observed replica set generation less than desired generation",
    });
  });

  test("one replica short of available is Progressing; without spec.replicas it is not compared", () => {
    assert.deepEqual(replicaSet({ availableReplicas: 2 }), {
      status: "Progressing",
      message: "Waiting for rollout to finish: 2 out of 3 new replicas are available...",
    });
    assert.deepEqual(replicaSet({ availableReplicas: 0 }, 1, {}), { status: "Healthy" });
  });

  test("a ReplicaFailure condition that is True is Degraded with its message; one that is False is not", () => {
    const failure = (status: string) => ({
      conditions: [{ type: "ReplicaFailure", status, reason: "FailedCreate", message: 'pods "web-" is forbidden: exceeded quota' }],
    });
    assert.deepEqual(replicaSet(failure("True")), { status: "Degraded", message: 'pods "web-" is forbidden: exceeded quota' });
    assert.deepEqual(replicaSet(failure("False")), { status: "Healthy" });
    // Only ReplicaFailure says so, wherever it is in the list.
    const other = { type: "Progressing", status: "True", message: "scaling" };
    assert.deepEqual(replicaSet({ conditions: [other] }), { status: "Healthy" });
    assert.deepEqual(replicaSet({ conditions: [other, ...failure("True").conditions] }), {
      status: "Degraded",
      message: 'pods "web-" is forbidden: exceeded quota',
    });
  });
});

describe("fields of the wrong type", () => {
  test("a count that is not an integer makes the health Unknown, naming the field, as gitops-engine's conversion error does", () => {
    assert.deepEqual(assessHealth(workload("Deployment", { replicas: "3" }, { observedGeneration: 1 })), {
      status: "Unknown",
      message: 'failed to convert unstructured Deployment to typed: spec.replicas: expected an integer, got "3"',
    });
    assert.deepEqual(assessHealth(workload("Deployment", { replicas: 1.5 }, { observedGeneration: 1 })), {
      status: "Unknown",
      message: "failed to convert unstructured Deployment to typed: spec.replicas: expected an integer, got 1.5",
    });
    assert.deepEqual(assessHealth(workload("Deployment", { paused: "yes" }, {})), {
      status: "Unknown",
      message: 'failed to convert unstructured Deployment to typed: spec.paused: expected a boolean, got "yes"',
    });
    assert.deepEqual(assessHealth(workload("StatefulSet", { updateStrategy: { type: 1 } }, { observedGeneration: 1 })), {
      status: "Unknown",
      message: "failed to convert unstructured StatefulSet to typed: spec.updateStrategy.type: expected a string, got 1",
    });
    assert.deepEqual(assessHealth(workload("Deployment", {}, { observedGeneration: 1, conditions: ["Progressing"] })), {
      status: "Unknown",
      message: "failed to convert unstructured Deployment to typed: status.conditions: expected a list of objects",
    });
  });
});
