import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import type { HealthStatus } from "../../../contract/status-report.js";
import { assessHealth, worstHealth } from "../../../agent/health/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

// The fixtures are gitops-engine's own (see the Source line atop each), read as its Go YAML reader
// does: a repeated key keeps the last value. Statuses are those its health_test.go asserts.
const fixture = (name: string) => parse(readFileSync(new URL(`./testdata/${name}.yaml`, import.meta.url), "utf8"), { uniqueKeys: false }) as KubeObject;

const CASES: [fixture: string, status: HealthStatus, message?: string][] = [
  ["deployment-healthy", "Healthy"],
  ["deployment-progressing", "Progressing", "Waiting for rollout to finish: 1 old replicas are pending termination..."],
  ["deployment-suspended", "Suspended", "Deployment is paused"],
  ["deployment-degraded", "Degraded", 'Deployment "guestbook-ui" exceeded its progress deadline'],
  ["statefulset", "Healthy", "statefulset has 1 ready pods"],
  ["statefulset-ondelete", "Healthy", "statefulset has 1 ready pods"],
  ["daemonset-ondelete", "Healthy", "daemon set 0 out of 1 new pods have been updated"],
  ["pvc-bound", "Healthy"],
  ["pvc-pending", "Progressing"],
  ["svc-clusterip", "Healthy"],
  ["svc-loadbalancer", "Healthy"],
  ["svc-loadbalancer-unassigned", "Progressing"],
  ["svc-loadbalancer-nonemptylist", "Healthy"],
  ["ingress", "Healthy"],
  ["ingress-unassigned", "Progressing"],
  ["ingress-nonemptylist", "Healthy"],
  ["job-running", "Progressing"],
  ["job-failed", "Degraded", "Job has reached the specified backoff limit"],
  ["job-succeeded", "Healthy"],
  ["job-suspended", "Suspended", "Job suspended"],
  ["hpa-v2-healthy", "Healthy", "recommended size matches current size"],
  ["hpa-v2-degraded", "Degraded", 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "sandbox-test-app-8" not found'],
  ["hpa-v2-progressing", "Progressing", "Waiting to Autoscale"],
  ["hpa-v1-degraded", "Degraded", "the HPA controller was unable to get the target's current scale"],
  ["hpa-v1-degraded-failedgetobjectmetric", "Degraded"],
  ["hpa-v1-healthy", "Healthy"],
  ["hpa-v1-healthy-toofew", "Healthy", "recommended size matches current size"],
  ["hpa-v1-progressing", "Progressing", "Waiting to Autoscale"],
  ["hpa-v1-progressing-with-no-annotations", "Progressing", "Waiting to Autoscale"],
  ["pod-pending", "Progressing"],
  ["pod-running-not-ready", "Progressing"],
  ["pod-crashloop", "Degraded", "Back-off 40s restarting failed container=main pod=my-pod_argocd(63674389-f613-11e8-a057-fe5f49266390)"],
  ["pod-imagepullbackoff", "Degraded", 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"'],
  ["pod-error", "Degraded"],
  ["pod-running-restart-always", "Healthy"],
  ["pod-running-restart-never", "Progressing"],
  ["pod-running-restart-never-with-ignore-annotation", "Healthy"],
  ["pod-running-restart-never-hook-with-ignore-annotation", "Progressing"],
  ["pod-running-restart-never-with-ignore-annotation-backoff", "Degraded", 'Back-off pulling image "alpine:3.21"'],
  ["pod-running-restart-onfailure", "Progressing"],
  ["pod-failed", "Degraded", 'container "main" failed with exit code 1'],
  ["pod-succeeded", "Healthy"],
  ["pod-deletion", "Progressing", "Pending deletion"],
  ["apiservice-v1-true", "Healthy", "Passed: all checks passed"],
  ["apiservice-v1-false", "Progressing", 'MissingEndpoints: endpoints for service/cert-manager-webhook in "external-dns" have no addresses'],
  ["apiservice-v1beta1-true", "Healthy", "Passed: all checks passed"],
  ["apiservice-v1beta1-false", "Progressing"],
];

let registered = 0;
for (const [name, status, message] of CASES) {
  registered++;
  test(`gitops-engine fixture ${name} is ${status}`, () => {
    const health = assessHealth(fixture(name));
    assert.equal(health?.status, status);
    if (message !== undefined) assert.equal(health.message, message);
  });
}

test("every fixture under testdata/ is asserted, once, and all 47 of gitops-engine's are", () => {
  const onDisk = readdirSync(new URL("./testdata/", import.meta.url)).sort();
  // knative-service is asserted below: a custom resource, no health.
  const asserted = [...CASES.map(([name]) => `${name}.yaml`), "knative-service.yaml"].sort();
  assert.deepEqual(asserted, onDisk);
  assert.equal(registered, CASES.length);
  assert.ok(registered >= 47, `${registered} fixtures asserted, expected at least 47`);
});

test("a custom resource has no health check and does not count (Argo CD has no generic rule)", () => {
  assert.equal(assessHealth(fixture("knative-service")), undefined);
  assert.equal(
    assessHealth({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "guestbook" }, status: { health: { status: "Degraded" } } }),
    undefined,
  );
  assert.equal(assessHealth({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } }), undefined);
});

const deployment = (spec: object, status: object, generation = 1): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", generation },
  spec,
  status,
});

test("a Deployment waiting for its replicas to become available says how many are", () => {
  assert.deepEqual(assessHealth(deployment({ replicas: 1 }, { observedGeneration: 1, replicas: 1, updatedReplicas: 1 })), {
    status: "Progressing",
    message: "Waiting for rollout to finish: 0 of 1 updated replicas are available...",
  });
  assert.deepEqual(assessHealth(deployment({ replicas: 3 }, { observedGeneration: 1, replicas: 3, updatedReplicas: 1 })), {
    status: "Progressing",
    message: "Waiting for rollout to finish: 1 out of 3 new replicas have been updated...",
  });
  assert.deepEqual(assessHealth(deployment({ replicas: 1 }, {}, 2)), {
    status: "Progressing",
    message: "Waiting for rollout to finish: observed deployment generation less than desired generation",
  });
});

test("a healthy result carries no empty message", () => {
  assert.deepEqual(assessHealth(deployment({ replicas: 1 }, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 })), {
    status: "Healthy",
  });
});

test("an object being deleted is Progressing, unless an Argo CD hook finalizer holds it", () => {
  const deleting = deployment({ replicas: 1 }, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
  deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  assert.deepEqual(assessHealth(deleting), { status: "Progressing", message: "Pending deletion" });
  deleting.metadata.finalizers = ["argocd.argoproj.io/hook-finalizer"];
  assert.deepEqual(assessHealth(deleting), { status: "Healthy" });
});

test("a version gitops-engine cannot read, or a field of the wrong type, is Unknown with the reason", () => {
  assert.deepEqual(assessHealth({ ...deployment({}, {}), apiVersion: "apps/v1beta2" }), {
    status: "Unknown",
    message: "unsupported Deployment GVK: apps/v1beta2, Kind=Deployment",
  });
  // gitops-engine checks only Ingress in the extensions group.
  assert.equal(assessHealth({ ...deployment({}, {}), apiVersion: "extensions/v1beta1" }), undefined);
  assert.deepEqual(assessHealth({ apiVersion: "autoscaling/v2beta2", kind: "HorizontalPodAutoscaler", metadata: { name: "web" } }), {
    status: "Unknown",
    message: "unsupported HPA GVK: autoscaling/v2beta2, Kind=HorizontalPodAutoscaler",
  });
  assert.deepEqual(assessHealth(deployment({ replicas: "three" }, { observedGeneration: 1 })), {
    status: "Unknown",
    message: 'failed to convert unstructured Deployment to typed: spec.replicas: expected an integer, got "three"',
  });
  const hpa: KubeObject = {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", annotations: { "autoscaling.alpha.kubernetes.io/conditions": "[{" } },
  };
  assert.equal(assessHealth(hpa)?.status, "Unknown");
  assert.match(assessHealth(hpa)?.message ?? "", /^failed to convert conditions annotation to typed: /);
});

test("a failed Pod names the init container that failed", () => {
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "migrate" },
    spec: { restartPolicy: "Never" },
    status: {
      phase: "Failed",
      initContainerStatuses: [{ name: "schema", state: { terminated: { exitCode: 3, reason: "Error" } } }],
      containerStatuses: [{ name: "main", state: { waiting: { reason: "PodInitializing" } } }],
    },
  };
  assert.deepEqual(assessHealth(pod), { status: "Degraded", message: 'container "schema" failed with exit code 3' });
});

test("worstHealth uses gitops-engine's order and is Healthy for nothing", () => {
  assert.equal(worstHealth([]), "Healthy");
  assert.equal(worstHealth(["Healthy", "Suspended"]), "Suspended");
  assert.equal(worstHealth(["Suspended", "Progressing", "Healthy"]), "Progressing");
  assert.equal(worstHealth(["Degraded", "Missing", "Progressing"]), "Degraded");
  assert.equal(worstHealth(["Unknown", "Degraded"]), "Unknown");
});
