// Helm's hook annotations as the agent reads them: gitops-engine's pkg/sync/hook/helm mapping,
// case by case from its own tests (hook_test.go, type_test.go, delete_policy_test.go, weight_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../agent/kube/object.js";
import { objectOptions, type ObjectOptions } from "../../agent/sync/options.js";

function options(annotations: Record<string, string>): ObjectOptions {
  const object: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "app", annotations } };
  const parsed = objectOptions(object);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.value;
}

test("pre-install and pre-upgrade run in PreSync, post-install and post-upgrade in PostSync", () => {
  assert.deepEqual(options({ "helm.sh/hook": "pre-install" }).hook, { phases: ["PreSync"], deletePolicies: ["BeforeHookCreation"] });
  assert.deepEqual(options({ "helm.sh/hook": "pre-upgrade" }).hook?.phases, ["PreSync"]);
  assert.deepEqual(options({ "helm.sh/hook": "post-install, post-upgrade" }).hook?.phases, ["PostSync"]);
  assert.deepEqual(options({ "helm.sh/hook": "pre-install,post-install" }).hook?.phases, ["PreSync", "PostSync"]);
});

test("crd-install is no hook; other helm hooks (test, pre-delete, ...) are hooks of no phase: neither applied nor pruned", () => {
  const crd = options({ "helm.sh/hook": "crd-install" });
  assert.equal(crd.hook, undefined);
  assert.equal(crd.skip, false);
  for (const type of ["test", "test-success", "pre-delete", "post-delete", "pre-rollback"]) {
    const other = options({ "helm.sh/hook": type });
    assert.equal(other.hook, undefined, type);
    assert.equal(other.skip, true, type);
  }
});

test("helm's delete policies map to Argo CD's and add to them; BeforeHookCreation when there are none", () => {
  assert.deepEqual(options({ "helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "hook-succeeded,hook-failed" }).hook?.deletePolicies, [
    "HookSucceeded",
    "HookFailed",
  ]);
  assert.deepEqual(options({ "helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "before-hook-creation,garbage" }).hook?.deletePolicies, [
    "BeforeHookCreation",
  ]);
  const both = options({
    "argocd.argoproj.io/hook": "Sync",
    "argocd.argoproj.io/hook-delete-policy": "HookFailed",
    "helm.sh/hook-delete-policy": "hook-succeeded",
  });
  assert.deepEqual(both.hook, { phases: ["Sync"], deletePolicies: ["HookFailed", "HookSucceeded"] });
});

test("Argo CD's hook annotation wins over helm's; helm's weight is the wave unless sync-wave is set", () => {
  assert.deepEqual(options({ "argocd.argoproj.io/hook": "PostSync", "helm.sh/hook": "pre-install" }).hook?.phases, ["PostSync"]);
  assert.equal(options({ "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "-5" }).wave, -5);
  assert.equal(options({ "helm.sh/hook-weight": "3" }).wave, 3, "a weight counts on any object, as syncwaves.Wave reads it");
  assert.equal(options({ "helm.sh/hook-weight": "3", "argocd.argoproj.io/sync-wave": "1" }).wave, 1);
  assert.equal(options({ "helm.sh/hook-weight": "heavy" }).wave, 0, "not an integer: 0, as strconv.Atoi fails");
});
