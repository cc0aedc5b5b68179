// Pod health at its edges, as gitops-engine's health_pod.go decides: which waiting reasons make a
// long-running pod Degraded, which message a failed pod reports and in what order it looks, when a
// running pod is Healthy, and which annotations make a pod a hook (hook.IsHook, Helm's included).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assessHealth } from "../../../agent/health/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";

function pod(restartPolicy: string, status: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "app", ...(annotations ? { annotations } : {}) }, spec: { restartPolicy }, status };
}
const waiting = (name: string, reason: string) => ({ name, state: { waiting: { reason, message: `${name}: ${reason}` } } });
const terminated = (name: string, state: Record<string, unknown>) => ({ name, state: { terminated: state } });

describe("a long-running pod's stuck containers", () => {
  test("a waiting reason starting with Err, ending in Error or in BackOff is Degraded, every stuck container named", () => {
    for (const reason of ["ErrImagePull", "CreateContainerConfigError", "CrashLoopBackOff", "ImagePullBackOff"]) {
      assert.deepEqual(assessHealth(pod("Always", { phase: "Pending", containerStatuses: [waiting("main", reason)] })), {
        status: "Degraded",
        message: `main: ${reason}`,
      });
    }
    const two = pod("Always", {
      phase: "Running",
      containerStatuses: [waiting("a", "ErrImagePull"), waiting("ok", "ContainerCreating"), waiting("b", "CrashLoopBackOff")],
    });
    assert.deepEqual(assessHealth(two), { status: "Degraded", message: "a: ErrImagePull, b: CrashLoopBackOff" });
  });

  test("other waiting reasons, or a pod that restarts only on failure, are not stuck", () => {
    assert.deepEqual(assessHealth(pod("Always", { phase: "Pending", message: "scheduling", containerStatuses: [waiting("main", "ContainerCreating")] })), {
      status: "Progressing",
      message: "scheduling",
    });
    assert.deepEqual(assessHealth(pod("OnFailure", { phase: "Pending", containerStatuses: [waiting("main", "ImagePullBackOff")] })), { status: "Progressing" });
  });
});

describe("a failed pod's message", () => {
  test("the pod's own message first", () => {
    const failed = pod("Never", { phase: "Failed", message: "evicted", containerStatuses: [terminated("main", { exitCode: 2 })] });
    assert.deepEqual(assessHealth(failed), { status: "Degraded", message: "evicted" });
  });

  test("else the first container, init containers first, with a termination message, OOMKilled or a non-zero exit code", () => {
    const statuses = {
      phase: "Failed",
      initContainerStatuses: [terminated("init-ok", { exitCode: 0, reason: "Completed" }), terminated("init-oom", { exitCode: 137, reason: "OOMKilled" })],
      containerStatuses: [terminated("main", { exitCode: 1, message: "boom" })],
    };
    assert.deepEqual(assessHealth(pod("Never", statuses)), { status: "Degraded", message: "OOMKilled" });
    assert.deepEqual(assessHealth(pod("Never", { ...statuses, initContainerStatuses: [] })), { status: "Degraded", message: "boom" });
    assert.deepEqual(assessHealth(pod("Never", { phase: "Failed", containerStatuses: [terminated("main", { exitCode: 3 })] })), {
      status: "Degraded",
      message: 'container "main" failed with exit code 3',
    });
  });

  test("with nothing to say, still Degraded", () => {
    assert.deepEqual(assessHealth(pod("Never", { phase: "Failed", containerStatuses: [terminated("main", { exitCode: 0 })] })), { status: "Degraded" });
  });
});

describe("a running pod", () => {
  const ready = (status: string) => [{ type: "Ready", status }];

  test("restarting Always: Ready is Healthy; not ready is Progressing, or Degraded once a container has terminated before", () => {
    assert.deepEqual(assessHealth(pod("Always", { phase: "Running", conditions: ready("True") })), { status: "Healthy" });
    assert.deepEqual(assessHealth(pod("Always", { phase: "Running", conditions: ready("False"), containerStatuses: [{ name: "main" }] })), {
      status: "Progressing",
    });
    const restarted = { name: "main", lastState: { terminated: { exitCode: 1 } } };
    assert.deepEqual(assessHealth(pod("Always", { phase: "Running", message: "restarted", conditions: ready("False"), containerStatuses: [restarted] })), {
      status: "Degraded",
      message: "restarted",
    });
    // One restarted container of several is enough.
    assert.deepEqual(assessHealth(pod("Always", { phase: "Running", conditions: ready("False"), containerStatuses: [{ name: "sidecar" }, restarted] })), {
      status: "Degraded",
    });
  });

  test("restarting OnFailure or Never: Progressing even when ready (a hook still running)", () => {
    for (const policy of ["OnFailure", "Never"])
      assert.deepEqual(assessHealth(pod(policy, { phase: "Running", conditions: ready("True") })), { status: "Progressing" });
  });

  test("an unknown phase is Unknown; so is a running pod without a restart policy gitops-engine knows", () => {
    assert.deepEqual(assessHealth(pod("Always", { phase: "Unknown", message: "node lost" })), { status: "Unknown", message: "node lost" });
    assert.deepEqual(assessHealth(pod("", { phase: "Running", conditions: ready("True") })), { status: "Unknown" });
  });
});

describe("argocd.argoproj.io/ignore-restart-policy: only pods that are not hooks", () => {
  const ignoring = (extra: Record<string, string>) =>
    assessHealth(
      pod(
        "Never",
        { phase: "Running", containerStatuses: [waiting("main", "ImagePullBackOff")] },
        { "argocd.argoproj.io/ignore-restart-policy": "true", ...extra },
      ),
    );
  const degraded = { status: "Degraded", message: "main: ImagePullBackOff" };

  test("a plain pod, or one whose only hook type is Skip, is assessed as long-running", () => {
    assert.deepEqual(ignoring({}), degraded);
    assert.deepEqual(ignoring({ "argocd.argoproj.io/hook": "Skip" }), degraded);
    // Words that are not hook types are dropped before Skip is judged alone (gitops-engine's hook.Types).
    assert.deepEqual(ignoring({ "argocd.argoproj.io/hook": "Skip, Later" }), degraded);
    assert.deepEqual(ignoring({ "helm.sh/hook": "crd-install" }), degraded, "Helm's crd-install is not a hook");
  });

  test("an Argo CD hook (Skip among other types included) or a Helm hook keeps its restart policy", () => {
    const hooks: Record<string, string>[] = [
      { "argocd.argoproj.io/hook": "PreSync" },
      { "argocd.argoproj.io/hook": "Skip, PostSync" },
      // Every hook type counts beside Skip.
      ...["PreSync", "Sync", "PostSync", "SyncFail"].map((type) => ({ "argocd.argoproj.io/hook": `${type},Skip` })),
      { "helm.sh/hook": "pre-install" },
    ];
    for (const extra of hooks) {
      assert.deepEqual(ignoring(extra), { status: "Progressing" }, JSON.stringify(extra));
    }
  });

  test("a value other than true changes nothing", () => {
    const pending = pod(
      "Never",
      { phase: "Running", containerStatuses: [waiting("main", "ImagePullBackOff")] },
      { "argocd.argoproj.io/ignore-restart-policy": "yes" },
    );
    assert.deepEqual(assessHealth(pending), { status: "Progressing" });
  });
});
