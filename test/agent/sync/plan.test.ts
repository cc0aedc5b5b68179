import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../../agent/kube/object.js";
import { planSync, type Plan, type PlanInput } from "../../../agent/sync/plan.js";

function obj(
  apiVersion: string,
  kind: string,
  name: string,
  extra: { namespace?: string; annotations?: Record<string, string>; spec?: unknown } = {},
): KubeObject {
  const metadata: KubeObject["metadata"] = { name };
  if (extra.namespace) metadata.namespace = extra.namespace;
  if (extra.annotations) metadata.annotations = extra.annotations;
  return { apiVersion, kind, metadata, ...(extra.spec ? { spec: extra.spec } : {}) };
}
const wave = (n: number) => ({ "argocd.argoproj.io/sync-wave": String(n) });

function plan(desired: KubeObject[], extraneous: KubeObject[] = [], pruneLast = false): Plan {
  const input: PlanInput = {
    desired,
    extraneous,
    pruneLast,
    revision: "0123456789abcdef0123456789abcdef01234567",
    startedAt: new Date("2026-11-23T10:00:00Z"),
  };
  return planSync(input);
}

/** Each step as `phase/wave: type kind/name ...`, the order a reader checks against Argo CD. */
function outline(p: Plan): string[] {
  return p.steps.map((s) => `${s.phase}/${s.wave}: ${s.tasks.map((t) => `${t.type} ${t.object.kind}/${t.object.metadata.name}`).join(", ")}`);
}

describe("sync plan", () => {
  test("within a wave, Argo CD's kind order: Namespace, ServiceAccount, ConfigMap, CRD, Service, Deployment, then custom resources", () => {
    const p = plan([
      obj("example.com/v1", "Widget", "w", { namespace: "app" }),
      obj("apps/v1", "Deployment", "web", { namespace: "app" }),
      obj("v1", "Service", "web", { namespace: "app" }),
      obj("v1", "ConfigMap", "b", { namespace: "app" }),
      obj("v1", "ConfigMap", "a", { namespace: "app" }),
      obj("v1", "ServiceAccount", "sa", { namespace: "app" }),
      obj("v1", "Namespace", "app"),
    ]);
    assert.deepEqual(outline(p), [
      "Sync/0: apply Namespace/app, apply ServiceAccount/sa, apply ConfigMap/a, apply ConfigMap/b, apply Service/web, apply Deployment/web, apply Widget/w",
    ]);
  });

  test("waves run in numeric order, negative first; phases PreSync, Sync, PostSync; SyncFail kept apart", () => {
    const hook = (name: string, type: string, w = 0) =>
      obj("batch/v1", "Job", name, { namespace: "app", annotations: { "argocd.argoproj.io/hook": type, ...wave(w) } });
    const p = plan([
      obj("v1", "ConfigMap", "late", { namespace: "app", annotations: wave(10) }),
      obj("v1", "ConfigMap", "early", { namespace: "app", annotations: wave(-2) }),
      obj("v1", "ConfigMap", "default", { namespace: "app" }),
      hook("migrate", "PreSync"),
      hook("smoke", "PostSync"),
      hook("notify", "SyncFail"),
      hook("during", "Sync", 10),
    ]);
    assert.deepEqual(outline(p), [
      "PreSync/0: hook Job/migrate",
      "Sync/-2: apply ConfigMap/early",
      "Sync/0: apply ConfigMap/default",
      "Sync/10: apply ConfigMap/late, hook Job/during",
      "PostSync/0: hook Job/smoke",
    ]);
    assert.deepEqual(
      p.syncFail.map((t) => t.object.metadata.name),
      ["notify"],
    );
  });

  test("a hook in two phases runs in each; delete policy defaults to BeforeHookCreation", () => {
    const p = plan([obj("batch/v1", "Job", "twice", { namespace: "app", annotations: { "argocd.argoproj.io/hook": "PreSync,PostSync" } })]);
    assert.deepEqual(outline(p), ["PreSync/0: hook Job/twice", "PostSync/0: hook Job/twice"]);
    assert.deepEqual(p.steps[0]!.tasks[0]!.options.hook?.deletePolicies, ["BeforeHookCreation"]);
  });

  test("a hook with only generateName gets Argo CD's deterministic name per phase", () => {
    const job: KubeObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "", generateName: "migrate-", namespace: "app", annotations: { "argocd.argoproj.io/hook": "PreSync" } },
    };
    const p = plan([job]);
    const named = p.steps[0]!.tasks[0]!.object;
    assert.equal(named.metadata.name, `migrate-0123456-presync-${Date.parse("2026-11-23T10:00:00Z") / 1000}`);
    assert.equal(named.metadata.generateName, undefined);
  });
});

describe("sync plan: dependencies and prunes", () => {
  test("Namespace and CRD move before their first user, into its wave", () => {
    const crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", {
      annotations: wave(5),
      spec: { group: "example.com", names: { kind: "Widget" } },
    });
    const p = plan([
      obj("v1", "Namespace", "late-ns", { annotations: wave(3) }),
      obj("v1", "ConfigMap", "in-ns", { namespace: "late-ns", annotations: wave(1) }),
      crd,
      obj("example.com/v1", "Widget", "w", { namespace: "late-ns", annotations: wave(2) }),
    ]);
    assert.deepEqual(outline(p), [
      "Sync/1: apply Namespace/late-ns, apply ConfigMap/in-ns",
      "Sync/2: apply CustomResourceDefinition/widgets.example.com, apply Widget/w",
    ]);
  });

  test("two Namespaces moved to their users: each lands before its own user, in its wave (gitops-engine's test)", () => {
    // gitops-engine pkg/sync/sync_tasks_test.go TestSyncTasksSort_NamespaceAndObjectInNamespace: PreSync hooks
    // in myNamespace1 and myNamespace2, the namespaces in Sync waves 1 and 2, sort as
    // [namespace1, hook1, namespace2, hook2], both namespaces in PreSync wave 0.
    const hook = (name: string, namespace: string) => obj("batch/v1", "Job", name, { namespace, annotations: { "argocd.argoproj.io/hook": "PreSync" } });
    const p = plan([
      hook("mySyncHookJob1", "myNamespace1"),
      hook("mySyncHookJob2", "myNamespace2"),
      obj("v1", "Namespace", "myNamespace1", { annotations: wave(1) }),
      obj("v1", "Namespace", "myNamespace2", { annotations: wave(2) }),
    ]);
    assert.deepEqual(outline(p), ["PreSync/0: apply Namespace/myNamespace1, hook Job/mySyncHookJob1, apply Namespace/myNamespace2, hook Job/mySyncHookJob2"]);
  });

  test("several Namespaces and CRDs moved into earlier waves: each move shifts the users found before it", () => {
    // The same input through gitops-engine's syncTasks.Sort() (pkg/sync/sync_tasks.go adjustDeps, at
    // 5baed5604d2d) gives exactly these phases, waves and order.
    const crd = (name: string, kind: string) =>
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, { annotations: wave(7), spec: { group: "example.com", names: { kind } } });
    const p = plan([
      crd("gadgets.example.com", "Gadget"),
      crd("widgets.example.com", "Widget"),
      obj("example.com/v1", "Widget", "w", { namespace: "ns1", annotations: wave(0) }),
      obj("example.com/v1", "Gadget", "g", { namespace: "ns2", annotations: wave(1) }),
      obj("v1", "Namespace", "ns1", { annotations: wave(5) }),
      obj("v1", "Namespace", "ns2", { annotations: wave(5) }),
      obj("v1", "ConfigMap", "cm-b", { namespace: "ns2", annotations: wave(1) }),
      obj("v1", "ConfigMap", "cm-c", { namespace: "ns1", annotations: wave(2) }),
    ]);
    assert.deepEqual(outline(p), [
      "Sync/0: apply Namespace/ns1, apply CustomResourceDefinition/widgets.example.com, apply Widget/w",
      "Sync/1: apply Namespace/ns2, apply ConfigMap/cm-b, apply CustomResourceDefinition/gadgets.example.com, apply Gadget/g",
      "Sync/2: apply ConfigMap/cm-c",
    ]);
    // Issue 16's case: without the shift, ns2 would take cm-a's place and wave (Sync/0: ns1, ns2, cm-a; Sync/1: cm-b).
    const twoNamespaces = plan([
      obj("v1", "Namespace", "ns1", { annotations: wave(5) }),
      obj("v1", "Namespace", "ns2", { annotations: wave(5) }),
      obj("v1", "ConfigMap", "cm-a", { namespace: "ns1" }),
      obj("v1", "ConfigMap", "cm-b", { namespace: "ns2", annotations: wave(1) }),
    ]);
    assert.deepEqual(outline(twoNamespaces), ["Sync/0: apply Namespace/ns1, apply ConfigMap/cm-a", "Sync/1: apply Namespace/ns2, apply ConfigMap/cm-b"]);
  });

  test("prunes sit in the Sync phase with mirrored waves: what was created last is deleted first", () => {
    const p = plan(
      [obj("v1", "ConfigMap", "kept", { namespace: "app", annotations: wave(1) })],
      [
        obj("v1", "ConfigMap", "gone-w0", { namespace: "app" }),
        obj("apps/v1", "Deployment", "gone-w2", { namespace: "app", annotations: wave(2) }),
        obj("v1", "Secret", "gone-w1", { namespace: "app", annotations: wave(1) }),
      ],
    );
    assert.deepEqual(outline(p), ["Sync/0: prune Deployment/gone-w2", "Sync/1: prune Secret/gone-w1, apply ConfigMap/kept", "Sync/2: prune ConfigMap/gone-w0"]);
  });

  test("PruneLast (object or Application) prunes after the last Sync wave", () => {
    const desired = [obj("v1", "ConfigMap", "kept", { namespace: "app", annotations: wave(3) })];
    const gone = obj("v1", "ConfigMap", "gone", { namespace: "app", annotations: { "argocd.argoproj.io/sync-options": "PruneLast=true" } });
    assert.deepEqual(outline(plan(desired, [gone])), ["Sync/3: apply ConfigMap/kept", "Sync/4: prune ConfigMap/gone"]);
    const plain = obj("v1", "ConfigMap", "gone", { namespace: "app" });
    assert.deepEqual(outline(plan(desired, [plain], true)), ["Sync/3: apply ConfigMap/kept", "Sync/4: prune ConfigMap/gone"]);
  });

  test("live hooks and Skip objects are never pruned; Skip manifests are not applied", () => {
    const p = plan(
      [obj("v1", "ConfigMap", "skipped", { namespace: "app", annotations: { "argocd.argoproj.io/hook": "Skip" } })],
      [obj("batch/v1", "Job", "old-hook", { namespace: "app", annotations: { "argocd.argoproj.io/hook": "PreSync" } })],
    );
    assert.deepEqual(p.steps, []);
    assert.deepEqual(
      p.skipped.map((o) => o.metadata.name),
      ["skipped"],
    );
  });

  test("invalid annotations are errors naming the annotation, and the object gets no task", () => {
    const p = plan([
      obj("v1", "ConfigMap", "bad-wave", { annotations: { "argocd.argoproj.io/sync-wave": "first" } }),
      obj("batch/v1", "Job", "post-delete", { annotations: { "argocd.argoproj.io/hook": "PostDelete" } }),
      obj("batch/v1", "Job", "bad-policy", { annotations: { "argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "Never" } }),
      obj("v1", "ConfigMap", "fine"),
    ]);
    assert.deepEqual(
      p.errors.map((e) => `${e.object.metadata.name}: ${e.error}`),
      [
        'bad-wave: annotation argocd.argoproj.io/sync-wave: "first" is not an integer',
        "post-delete: annotation argocd.argoproj.io/hook: PostDelete hooks are not supported by Radial",
        'bad-policy: annotation argocd.argoproj.io/hook-delete-policy: unknown policy "Never" (HookSucceeded, HookFailed or BeforeHookCreation)',
      ],
    );
    assert.deepEqual(outline(p), ["Sync/0: apply ConfigMap/fine"]);
  });
});
