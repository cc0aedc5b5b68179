// How assessHealth reaches the custom-resource checks (agent/health/custom): by group and kind, in any
// version, after gitops-engine's Pending deletion rule; and how a check that cannot read an object ends.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessHealth, customHealth } from "../../../agent/health/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

describe("through assessHealth", () => {
  const object = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name: "x", namespace: "app" },
    ...rest,
  });

  test("a custom resource with a check counts; one without has no health", () => {
    const failing = object("cert-manager.io/v1", "Certificate", { status: { conditions: [{ type: "Ready", status: "False", message: "no solver" }] } });
    assert.deepEqual(assessHealth(failing), { status: "Degraded", message: "no solver" });
    assert.equal(assessHealth(object("example.com/v1", "Widget", { status: { conditions: [{ type: "Ready", status: "False" }] } })), undefined);
  });

  test("any version of the group is assessed, as Argo CD keys its scripts by group and kind", () => {
    for (const apiVersion of ["keda.sh/v1alpha1", "keda.sh/v1"]) {
      assert.equal(assessHealth(object(apiVersion, "ScaledObject", { status: { conditions: [{ type: "Ready", status: "True" }] } }))?.status, "Healthy");
    }
  });

  test("a resource being deleted is Pending deletion before its check runs, as in gitops-engine", () => {
    const crd = object("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    crd.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    assert.deepEqual(assessHealth(crd), { status: "Progressing", message: "Pending deletion" });
  });

  test("an object a script could not read is Unknown with the reason, not an exception", () => {
    assert.deepEqual(customHealth(object("postgresql.cnpg.io/v1", "Cluster")), { status: "Unknown", message: "attempt to index a nil value (field 'status')" });
    const rollout = object("argoproj.io/v1alpha1", "Rollout", { status: { observedGeneration: 2 } });
    assert.equal(customHealth(rollout)?.status, "Unknown");
    assert.deepEqual(customHealth(object("argoproj.io/v1alpha1", "AnalysisRun", { status: { phase: "Weird" } })), {
      status: "Unknown",
      message: "Lua returned an invalid health status",
    });
  });
});
