// The health checks the gitops-engine fixtures do not reach, with gitops-engine's answers
// (pkg/health: health.go's routing by group, version and kind; health_argo.go, health_apiservice.go,
// health_hpa.go, health_job.go, health_pvc.go), and how fields set to null read: as absent, the way
// Go's JSON decoding leaves a nil pointer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessHealth } from "../../../agent/health/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

function object(apiVersion: string, kind: string, rest: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject {
  return { apiVersion, kind, metadata: { name: "x", namespace: "app", ...(annotations ? { annotations } : {}) }, ...rest };
}
const condition = (type: string, status: string, reason = "", message = "") => ({ type, status, reason, message });

describe("routing by group, version and kind", () => {
  test("ReplicaSet, both Ingress groups and Argo Workflows have checks", () => {
    assert.equal(assessHealth(object("apps/v1", "ReplicaSet", { spec: { replicas: 1 }, status: { availableReplicas: 1 } }))?.status, "Healthy");
    for (const apiVersion of ["extensions/v1beta1", "networking.k8s.io/v1"]) {
      assert.deepEqual(assessHealth(object(apiVersion, "Ingress", { status: { loadBalancer: {} } })), { status: "Progressing" }, apiVersion);
    }
    assert.deepEqual(assessHealth(object("argoproj.io/v1alpha1", "Workflow", { status: { phase: "Succeeded" } })), { status: "Healthy" });
  });

  test("a version the check does not know is Unknown, naming the kind as gitops-engine does", () => {
    const cases: [string, string, string][] = [
      ["apps/v1beta2", "StatefulSet", "unsupported StatefulSet GVK: apps/v1beta2, Kind=StatefulSet"],
      ["apps/v1beta2", "ReplicaSet", "unsupported ReplicaSet GVK: apps/v1beta2, Kind=ReplicaSet"],
      ["apps/v1beta2", "DaemonSet", "unsupported DaemonSet GVK: apps/v1beta2, Kind=DaemonSet"],
      ["apiregistration.k8s.io/v1alpha1", "APIService", "unsupported APIService GVK: apiregistration.k8s.io/v1alpha1, Kind=APIService"],
      ["v2", "Service", "unsupported Service GVK: /v2, Kind=Service"],
      ["v2", "PersistentVolumeClaim", "unsupported PersistentVolumeClaim GVK: /v2, Kind=PersistentVolumeClaim"],
      ["v2", "Pod", "unsupported Pod GVK: /v2, Kind=Pod"],
      ["batch/v2", "Job", "unsupported Job GVK: batch/v2, Kind=Job"],
    ];
    for (const [apiVersion, kind, message] of cases) assert.deepEqual(assessHealth(object(apiVersion, kind)), { status: "Unknown", message });
  });
});

describe("kinds without a fixture", () => {
  test("an Argo Workflow by phase, with its message", () => {
    const cases: [string | undefined, string][] = [
      [undefined, "Progressing"],
      ["Pending", "Progressing"],
      ["Running", "Progressing"],
      ["Succeeded", "Healthy"],
      ["Failed", "Degraded"],
      ["Error", "Degraded"],
      ["Paused", "Unknown"],
    ];
    for (const [phase, status] of cases) {
      const workflow = object("argoproj.io/v1alpha1", "Workflow", { status: { ...(phase ? { phase } : {}), message: `phase ${phase ?? "unset"}` } });
      assert.deepEqual(assessHealth(workflow), { status, message: `phase ${phase ?? "unset"}` }, phase);
    }
  });

  test("an APIService without an Available condition is waiting to be processed", () => {
    assert.deepEqual(
      assessHealth(object("apiregistration.k8s.io/v1", "APIService", { status: { conditions: [condition("Other", "True", "Passed", "ok")] } })),
      {
        status: "Progressing",
        message: "Waiting to be processed",
      },
    );
  });

  test("a PersistentVolumeClaim that is Lost is Degraded; an unknown phase Unknown", () => {
    assert.deepEqual(assessHealth(object("v1", "PersistentVolumeClaim", { status: { phase: "Lost" } })), { status: "Degraded" });
    assert.deepEqual(assessHealth(object("v1", "PersistentVolumeClaim", { status: { phase: "Resizing" } })), { status: "Unknown" });
  });
});

describe("HorizontalPodAutoscaler", () => {
  const v2 = (...conditions: unknown[]) => assessHealth(object("autoscaling/v2", "HorizontalPodAutoscaler", { status: { conditions } }));

  test("each reason that means it cannot scale is Degraded with its message", () => {
    const reasons = [
      "AbleToScale/FailedGetScale",
      "AbleToScale/FailedUpdateScale",
      "ScalingActive/FailedGetResourceMetric",
      "ScalingActive/InvalidSelector",
      "ScalingActive/FailedGetObjectMetric",
      "ScalingActive/FailedGetPodsMetric",
      "ScalingActive/FailedGetExternalMetric",
      "ScalingActive/FailedComputeMetricsReplicas",
    ];
    for (const pair of reasons) {
      const [type, reason] = pair.split("/") as [string, string];
      assert.deepEqual(v2(condition("AbleToScale", "True", "ReadyForNewScale", "ready"), condition(type, "False", reason, pair)), {
        status: "Degraded",
        message: pair,
      });
    }
  });

  test("AbleToScale or ScalingLimited True is Healthy; False, or neither, is still waiting", () => {
    assert.deepEqual(v2(condition("ScalingLimited", "True", "TooFewReplicas", "limited")), { status: "Healthy", message: "limited" });
    assert.deepEqual(v2(condition("AbleToScale", "False", "BackoffBoth", "backing off")), { status: "Progressing", message: "Waiting to Autoscale" });
    assert.deepEqual(v2(condition("ScalingActive", "True", "ValidMetricFound", "fine")), { status: "Progressing", message: "Waiting to Autoscale" });
  });

  test("autoscaling/v1 reads the conditions annotation: empty or null waits, malformed JSON is Unknown", () => {
    const v1 = (annotation: string) =>
      assessHealth(object("autoscaling/v1", "HorizontalPodAutoscaler", {}, { "autoscaling.alpha.kubernetes.io/conditions": annotation }));
    assert.deepEqual(v1("[]"), { status: "Progressing", message: "Waiting to Autoscale" });
    assert.deepEqual(v1("null"), { status: "Progressing", message: "Waiting to Autoscale" });
    assert.deepEqual(v1('[{"type":"AbleToScale","status":"True","reason":"SucceededRescale","message":"rescaled"}]'), {
      status: "Healthy",
      message: "rescaled",
    });
    assert.match(v1("[{")?.message ?? "", /^failed to convert conditions annotation to typed: /);
    assert.equal(v1("[{")?.status, "Unknown");
  });
});

describe("Job conditions, read as gitops-engine reads them", () => {
  const job = (...conditions: unknown[]) => assessHealth(object("batch/v1", "Job", { status: { conditions } }));

  test("without Complete, Failed or Suspended it is Progressing, even with Kubernetes 1.31's SuccessCriteriaMet", () => {
    assert.deepEqual(job(), { status: "Progressing" });
    assert.deepEqual(job(condition("SuccessCriteriaMet", "True", "CompletionsReached", "met")), { status: "Progressing" });
  });

  test("Complete is Healthy with its message; a Suspended condition that is False counts as done, not suspended", () => {
    assert.deepEqual(job(condition("Complete", "True", "", "done")), { status: "Healthy", message: "done" });
    assert.deepEqual(job(condition("Suspended", "False", "JobResumed", "resumed")), { status: "Healthy", message: "resumed" });
  });
});

describe("fields set to null read as absent", () => {
  test("null counts, flags, strings and lists are Go's zero values, not conversion errors", () => {
    const deployment = object("apps/v1", "Deployment", {
      spec: { replicas: null, paused: null, strategy: null },
      status: { observedGeneration: null, replicas: null, conditions: null },
    });
    assert.deepEqual(assessHealth(deployment), { status: "Healthy" });
    const sts = object("apps/v1", "StatefulSet", { spec: { updateStrategy: { type: null } }, status: { observedGeneration: 1, currentRevision: null } });
    assert.deepEqual(assessHealth(sts), { status: "Healthy", message: "statefulset rolling update complete 0 pods at revision ..." });
  });

  test("a null status reads as no status", () => {
    assert.deepEqual(assessHealth({ ...object("apps/v1", "Deployment"), metadata: { name: "x", generation: 1 }, status: null }), {
      status: "Progressing",
      message: "Waiting for rollout to finish: observed deployment generation less than desired generation",
    });
  });

  test("conditions that are not a list of objects are a conversion error", () => {
    for (const conditions of ["Available", [null], [["Available"]], [1]]) {
      assert.deepEqual(
        assessHealth(object("apps/v1", "ReplicaSet", { status: { conditions } })),
        { status: "Unknown", message: "failed to convert unstructured ReplicaSet to typed: status.conditions: expected a list of objects" },
        JSON.stringify(conditions),
      );
    }
  });
  test("the error names the kind, whichever group serves it", () => {
    for (const apiVersion of ["extensions/v1beta1", "networking.k8s.io/v1"]) {
      assert.deepEqual(assessHealth(object(apiVersion, "Ingress", { status: { loadBalancer: { ingress: "10.0.0.1" } } })), {
        status: "Unknown",
        message: "failed to convert unstructured Ingress to typed: status.loadBalancer.ingress: expected a list of objects",
      });
    }
    assert.deepEqual(assessHealth(object("argoproj.io/v1alpha1", "Workflow", { status: { phase: 3 } })), {
      status: "Unknown",
      message: "failed to convert unstructured Workflow to typed: status.phase: expected a string, got 3",
    });
  });
});
