import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Application } from "../../../contract/application.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { applicationOptions, objectOptions } from "../../../agent/sync/options.js";
import { isOwnedBy, stamp, trackingId, applicationLabelValue } from "../../../agent/sync/tracking.js";

const configMap = (annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "app", annotations },
});

function application(syncPolicy: Application["spec"]["syncPolicy"]): Application {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "web" },
    spec: { source: { repoURL: "https://git.example/fleet" }, destination: { server: "https://kubernetes.default.svc", namespace: "app" }, syncPolicy },
  };
}

describe("sync and compare options", () => {
  test("resource options: Prune=false, Delete=false, Replace, PruneLast, IgnoreExtraneous", () => {
    const parsed = objectOptions(
      configMap({
        "argocd.argoproj.io/sync-options": "Prune=false, Replace=true,Delete=false,PruneLast=true",
        "argocd.argoproj.io/compare-options": "IgnoreExtraneous",
      }),
    );
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, { wave: 0, skip: false, prune: false, delete: false, pruneLast: true, replace: true, ignoreExtraneous: true, notes: [] });
  });

  test("options with no effect and unknown options are reported, not dropped silently", () => {
    const parsed = objectOptions(configMap({ "argocd.argoproj.io/sync-options": "ServerSideApply=false,ServerSideApply=true,Frobnicate=yes,Prune=confirm" }));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.prune, false);
    assert.deepEqual(parsed.value.notes, [
      "ServerSideApply=false: ignored, the agent always applies server-side",
      "ServerSideApply=true: no effect, the agent always applies server-side",
      'argocd.argoproj.io/sync-options: unknown option "Frobnicate=yes" ignored',
      "Prune=confirm: treated as Prune=false, the agent has nobody to ask for confirmation",
    ]);
  });

  test("sync-wave takes signed integers; hook Skip alone skips, Skip with another type is a hook", () => {
    const negative = objectOptions(configMap({ "argocd.argoproj.io/sync-wave": "-3" }));
    assert.ok(negative.ok && negative.value.wave === -3);
    const skip = objectOptions(configMap({ "argocd.argoproj.io/hook": "Skip" }));
    assert.ok(skip.ok && skip.value.skip && !skip.value.hook);
    const both = objectOptions(configMap({ "argocd.argoproj.io/hook": "Skip,PostSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded,HookFailed" }));
    assert.ok(both.ok && !both.value.skip);
    assert.deepEqual(both.value.hook, { phases: ["PostSync"], deletePolicies: ["HookSucceeded", "HookFailed"] });
    const typo = objectOptions(configMap({ "argocd.argoproj.io/hook": "Presync" }));
    assert.ok(!typo.ok && typo.error.includes('unknown hook type "Presync"'));
  });

  test("application options: automated prune/selfHeal/allowEmpty (not when disabled), CreateNamespace, propagation", () => {
    const options = applicationOptions(
      application({ automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true", "PrunePropagationPolicy=background", "Bogus=1"] }),
    );
    assert.deepEqual(options, {
      prune: true,
      selfHeal: true,
      allowEmpty: false,
      createNamespace: true,
      pruneLast: false,
      replace: false,
      propagationPolicy: "background",
      notes: ['syncPolicy.syncOptions: unknown option "Bogus=1" ignored'],
    });
    const disabled = applicationOptions(application({ automated: { prune: true, selfHeal: true, enabled: false } }));
    assert.equal(disabled.prune || disabled.selfHeal, false);
    assert.equal(applicationOptions(application(undefined)).prune, false);
  });
});

describe("tracking", () => {
  test("a stamped object is owned by its cluster and application only", () => {
    const stamped = stamp(configMap(), "prod-eu-1", "web");
    assert.equal(stamped.metadata.labels?.["radial.dev/application"], "web");
    assert.equal(stamped.metadata.annotations?.["radial.dev/tracking-id"], "prod-eu-1/web:/ConfigMap:app/c");
    assert.ok(isOwnedBy(stamped, "prod-eu-1", "web"));
    assert.ok(!isOwnedBy(stamped, "prod-eu-2", "web"));
    assert.ok(!isOwnedBy(stamped, "prod-eu-1", "api"));
    assert.ok(!isOwnedBy(configMap(), "prod-eu-1", "web"));
    // A copy moved to another namespace keeps the annotation but is not the tracked object.
    assert.ok(!isOwnedBy({ ...stamped, metadata: { ...stamped.metadata, namespace: "other" } }, "prod-eu-1", "web"));
    assert.equal(trackingId("c", "a", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "n" } }), "c/a:apps/Deployment:n/d");
  });

  test("an application name longer than a label value allows gets a valid, distinct label", () => {
    const long = `${"a".repeat(70)}.example`;
    const value = applicationLabelValue(long);
    assert.equal(value.length, 63);
    assert.match(value, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    assert.notEqual(value, applicationLabelValue(`${"a".repeat(70)}.example2`));
  });
});
