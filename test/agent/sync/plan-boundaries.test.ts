// The sync plan's edges that the main plan suite leaves open, each with gitops-engine's answer
// (pkg/sync/sync_tasks.go and sync_context.go): the whole kind order, the name order within a kind,
// which tasks the dependency moves look at, which objects count as a Namespace or a CRD, where
// PruneLast prunes go when hooks run in later waves, and an owned live object with a bad annotation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../../agent/kube/object.js";
import { planSync, type Plan } from "../../../agent/sync/plan.js";

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
  return planSync({ desired, extraneous, pruneLast, revision: "0123456789abcdef0123456789abcdef01234567", startedAt: new Date("2026-11-23T10:00:00Z") });
}

function outline(p: Plan): string[] {
  return p.steps.map((s) => `${s.phase}/${s.wave}: ${s.tasks.map((t) => `${t.type} ${t.object.kind}/${t.object.metadata.name}`).join(", ")}`);
}

/** gitops-engine's kindOrder (Helm's kind sorter, IngressClass included as in current Argo CD). */
const GITOPS_ENGINE_KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

describe("sync plan: order within a wave", () => {
  test("every kind of gitops-engine's list in its place, whatever the manifests' order; other kinds after them all", () => {
    // Names run against the kind order and the custom resource's name sorts first, so a kind that
    // lost its rank would be placed by name, after the custom resource, and show.
    const kinds = [...GITOPS_ENGINE_KIND_ORDER].reverse();
    const desired = [
      obj("example.com/v1", "Widget", "0-widget"),
      ...kinds.map((kind, i) => obj("v1", kind, `${String(i).padStart(2, "0")}-${kind.toLowerCase()}`)),
    ];
    const [step, ...rest] = plan(desired).steps;
    assert.deepEqual(rest, []);
    assert.deepEqual(
      step!.tasks.map((t) => t.object.kind),
      [...GITOPS_ENGINE_KIND_ORDER, "Widget"],
    );
  });

  test("objects of one kind and wave go by name", () => {
    const names = ["c", "a", "d", "b"].map((name) => obj("v1", "ConfigMap", name, { namespace: "app" }));
    assert.deepEqual(outline(plan(names)), ["Sync/0: apply ConfigMap/a, apply ConfigMap/b, apply ConfigMap/c, apply ConfigMap/d"]);
  });
});

describe("sync plan: which tasks the dependency moves look at", () => {
  test("a Namespace moves before its first user, not a later one", () => {
    const p = plan([
      obj("v1", "ConfigMap", "first", { namespace: "team", annotations: wave(0) }),
      obj("v1", "ConfigMap", "second", { namespace: "team", annotations: wave(1) }),
      obj("v1", "Namespace", "team", { annotations: wave(2) }),
    ]);
    assert.deepEqual(outline(p), ["Sync/0: apply Namespace/team, apply ConfigMap/first", "Sync/1: apply ConfigMap/second"]);
  });

  test("a prune is no Namespace's user: a Namespace in a later wave stays there (gitops-engine skips tasks without a target)", () => {
    const p = plan([obj("v1", "Namespace", "team", { annotations: wave(5) })], [obj("v1", "ConfigMap", "old", { namespace: "team" })]);
    assert.deepEqual(outline(p), ["Sync/0: prune ConfigMap/old", "Sync/5: apply Namespace/team"]);
  });

  test("only the core Namespace is moved: a kind called Namespace in another API group keeps its wave", () => {
    const p = plan([obj("example.com/v1", "Namespace", "team", { annotations: wave(1) }), obj("v1", "ConfigMap", "settings", { namespace: "team" })]);
    assert.deepEqual(outline(p), ["Sync/0: apply ConfigMap/settings", "Sync/1: apply Namespace/team"]);
  });

  test("only apiextensions.k8s.io's CustomResourceDefinition is a CRD: a kind of that name in another group is not moved", () => {
    const spec = { group: "example.com", names: { kind: "Widget" } };
    const p = plan([
      obj("example.com/v1", "Widget", "w"),
      obj("other.example.com/v1", "CustomResourceDefinition", "widgets.example.com", { annotations: wave(1), spec }),
    ]);
    assert.deepEqual(outline(p), ["Sync/0: apply Widget/w", "Sync/1: apply CustomResourceDefinition/widgets.example.com"]);
  });
  test("a CRD manifest without spec.group or spec.names.kind moves nothing and still plans (the apiserver refuses it at apply)", () => {
    const p = plan([
      obj("example.com/v1", "Widget", "w"),
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "broken", { annotations: wave(1) }),
      obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "half", { annotations: wave(1), spec: { group: "example.com" } }),
    ]);
    assert.deepEqual(outline(p), ["Sync/0: apply Widget/w", "Sync/1: apply CustomResourceDefinition/broken, apply CustomResourceDefinition/half"]);
  });
});

describe("sync plan: prunes and errors", () => {
  test("PruneLast prunes follow the last Sync wave, not a PostSync hook's later wave", () => {
    const p = plan(
      [
        obj("v1", "ConfigMap", "kept", { namespace: "app", annotations: wave(2) }),
        obj("batch/v1", "Job", "smoke", { namespace: "app", annotations: { "argocd.argoproj.io/hook": "PostSync", ...wave(10) } }),
      ],
      [obj("v1", "ConfigMap", "gone", { namespace: "app" })],
      true,
    );
    assert.deepEqual(outline(p), ["Sync/2: apply ConfigMap/kept", "Sync/3: prune ConfigMap/gone", "PostSync/10: hook Job/smoke"]);
  });

  test("an owned live object with an invalid annotation is an error naming it, and is not pruned", () => {
    const bad = obj("v1", "ConfigMap", "gone", { namespace: "app", annotations: { "argocd.argoproj.io/sync-wave": "later" } });
    const p = plan([obj("v1", "ConfigMap", "kept", { namespace: "app" })], [bad]);
    assert.deepEqual(outline(p), ["Sync/0: apply ConfigMap/kept"]);
    assert.deepEqual(
      p.errors.map((e) => `${e.object.metadata.name}: ${e.error}`),
      ['gone: annotation argocd.argoproj.io/sync-wave: "later" is not an integer'],
    );
  });
});
