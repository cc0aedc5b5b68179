import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KubeClient, type Watch } from "../../../agent/kube/client.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { deleteApplication } from "../../../agent/sync/delete.js";
import { syncApplication, type SyncResult } from "../../../agent/sync/sync.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { application, configMap, deployment, hookJob, present, revision, wave } from "./fixtures.js";

const CLUSTER = "spoke-1";
const INVENTORY_NS = "radial-system";
const context = { cluster: CLUSTER, inventoryNamespace: INVENTORY_NS };
const settings = { pollIntervalMs: 200, waveTimeoutMs: 60_000 };

let cluster: Cluster;
let client: KubeClient;

before(async () => {
  cluster = await startCluster();
  client = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: INVENTORY_NS } });
});
after(async () => {
  client.close();
  await cluster.stop();
});

async function namespace(name: string): Promise<string> {
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  return name;
}

const get = (kind: string, apiVersion: string, ns: string | undefined, name: string) =>
  client.get({ apiVersion, kind, name, ...(ns ? { namespace: ns } : {}) });
const cm = (ns: string, name: string) => get("ConfigMap", "v1", ns, name);
const action = (result: SyncResult, name: string) => result.resources.find((r) => r.ref.name === name && !r.hookPhase)?.action;

describe("sync: order, waves and hooks", () => {
  test("phases, waves and hooks run in Argo CD's order, and a wave waits until its Deployment is Available", async () => {
    const ns = await namespace("order");
    // Record, on the apiserver, the resourceVersion at which each object appeared, and at which the Deployment became Available.
    const created = new Map<string, number>();
    let availableAt = 0;
    const watches: Watch[] = [];
    for (const [apiVersion, kind] of [
      ["v1", "ConfigMap"],
      ["batch/v1", "Job"],
      ["apps/v1", "Deployment"],
    ] as const) {
      watches.push(
        client.watch(apiVersion, kind, { namespace: ns, labelSelector: "radial.dev/application" }, (event) => {
          if (event.type !== "ADDED" && event.type !== "MODIFIED") return;
          const rv = Number(event.object.metadata.resourceVersion);
          const key = `${kind}/${event.object.metadata.name}`;
          if (event.type === "ADDED" && !created.has(key)) created.set(key, rv);
          const conditions = (event.object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
          if (kind === "Deployment" && !availableAt && conditions.some((c) => c.type === "Available" && c.status === "True")) availableAt = rv;
        }),
      );
    }
    try {
      const app = application("order", ns, { automated: { prune: true } });
      const result = await syncApplication(
        client,
        present(app, [
          configMap("after-web", undefined, wave(2)),
          hookJob("smoke", "PostSync", "HookSucceeded"),
          deployment("web", 2, wave(1)),
          configMap("first", undefined, wave(-1)),
          hookJob("migrate", "PreSync"),
          configMap("plain"),
        ]),
        context,
        settings,
      );
      assert.equal(result.phase, "Succeeded", result.message);
      const order = [...created.entries()].sort((a, b) => a[1] - b[1]).map(([key]) => key);
      assert.deepEqual(order, ["Job/migrate", "ConfigMap/first", "ConfigMap/plain", "Deployment/web", "ConfigMap/after-web", "Job/smoke"]);
      assert.ok(availableAt > 0 && availableAt < created.get("ConfigMap/after-web")!, "wave 2 was applied only after the Deployment of wave 1 was Available");
      // HookSucceeded: the PostSync hook is deleted once the sync succeeded; the PreSync one (default BeforeHookCreation) stays.
      assert.equal(await get("Job", "batch/v1", ns, "smoke"), undefined);
      assert.ok(await get("Job", "batch/v1", ns, "migrate"));
      assert.equal(result.sync, "Synced");
      assert.deepEqual(
        result.resources
          .filter((r) => r.hookPhase)
          .map((r) => `${r.hookPhase} ${r.ref.name} ${r.action}`)
          .sort(),
        ["PostSync smoke hook", "PreSync migrate hook"],
      );
    } finally {
      await Promise.all(watches.map((w) => w.stop()));
    }
  });

  test("a hook runs again at every sync: BeforeHookCreation deletes the previous run first", async () => {
    const ns = await namespace("rerun");
    const app = application("rerun", ns);
    const first = await syncApplication(client, present(app, [hookJob("migrate", "PreSync"), configMap("c")]), context, settings);
    assert.equal(first.phase, "Succeeded", first.message);
    const before = await get("Job", "batch/v1", ns, "migrate");
    const second = await syncApplication(client, present(app, [hookJob("migrate", "PreSync"), configMap("c")]), context, settings);
    assert.equal(second.phase, "Succeeded", second.message);
    const after = await get("Job", "batch/v1", ns, "migrate");
    assert.ok(before && after && before.metadata.uid !== after.metadata.uid, "a new Job ran");
    const conditions = (after.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    assert.ok(
      conditions.some((c) => c.type === "Complete" && c.status === "True"),
      "the sync waited for the hook to complete",
    );
  });
});

describe("sync: prune and ownership", () => {
  test("owned objects that left Git are pruned, including kinds that left Git entirely; Prune=false keeps them, as does a policy without prune", async () => {
    const ns = await namespace("prune");
    const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, stringData: { password: "x" } };
    const app = application("prune", ns, { automated: { prune: true } });
    const first = await syncApplication(
      client,
      present(app, [configMap("keep"), configMap("gone"), configMap("protected", undefined, { "argocd.argoproj.io/sync-options": "Prune=false" }), secret]),
      context,
      settings,
    );
    assert.equal(first.phase, "Succeeded", first.message);

    const second = await syncApplication(client, present(app, [configMap("keep")]), context, settings);
    assert.equal(second.phase, "Succeeded", second.message);
    assert.equal(await cm(ns, "gone"), undefined);
    assert.equal(await get("Secret", "v1", ns, "creds"), undefined, "a kind no longer in Git is still pruned (the inventory remembers it)");
    assert.ok(await cm(ns, "protected"));
    assert.equal(action(second, "gone"), "pruned");
    assert.deepEqual(
      second.resources.find((r) => r.ref.name === "protected"),
      {
        ref: { group: "", version: "v1", kind: "ConfigMap", namespace: ns, name: "protected" },
        action: "pruneSkipped",
        sync: "OutOfSync",
        message: "ignored (no prune)",
      },
    );
    assert.equal(second.sync, "OutOfSync");

    const manual = application("prune", ns, { automated: { prune: false } });
    await syncApplication(client, present(manual, [configMap("keep"), configMap("extra")]), context, settings);
    const third = await syncApplication(client, present(manual, [configMap("keep")]), context, settings);
    assert.ok(await cm(ns, "extra"));
    assert.equal(third.resources.find((r) => r.ref.name === "extra")?.message, "ignored (requires pruning)");
    assert.equal(third.sync, "OutOfSync");
  });

  test("IgnoreExtraneous keeps an unpruned object out of the application's sync status", async () => {
    const ns = await namespace("extraneous");
    const app = application("extraneous", ns);
    await syncApplication(
      client,
      present(app, [configMap("a"), configMap("b", undefined, { "argocd.argoproj.io/compare-options": "IgnoreExtraneous" })]),
      context,
      settings,
    );
    const result = await syncApplication(client, present(app, [configMap("a")]), context, settings);
    assert.equal(action(result, "b"), "pruneSkipped");
    assert.equal(result.sync, "Synced");
  });

  test("an object of the same name that is not ours is never touched: the sync is refused and says why", async () => {
    const ns = await namespace("foreign");
    await kubectl(cluster, ["-n", ns, "create", "configmap", "taken", "--from-literal=owner=someone-else"]);
    const app = application("foreign", ns, { automated: { prune: true } });
    const result = await syncApplication(client, present(app, [configMap("taken", { owner: "radial" }), configMap("free")]), context, settings);
    assert.equal(result.phase, "Failed");
    assert.match(result.message, /refused: 1 object\(s\) exist and are not managed by this application: ConfigMap foreign\/taken/);
    const conflict = result.resources.find((r) => r.ref.name === "taken");
    assert.equal(conflict?.action, "conflict");
    assert.match(conflict.message ?? "", /no tracking id/);
    const live = await cm(ns, "taken");
    assert.deepEqual(live?.data, { owner: "someone-else" });
    assert.equal(live.metadata.labels?.["radial.dev/application"], undefined);
    assert.equal(await cm(ns, "free"), undefined, "nothing is written while a conflict stands");

    // Another cluster's copy (same label, other tracking id) is not ours either, and is not pruned.
    const other = await syncApplication(client, present(app, [configMap("copy")]), { ...context, cluster: "spoke-2" }, settings);
    assert.equal(other.phase, "Succeeded", other.message);
    const mine = await syncApplication(client, present(app, []), context, { ...settings });
    assert.ok(await cm(ns, "copy"), "spoke-2's object is not pruned by spoke-1");
    assert.equal(mine.resources.length, 0);
  });

  test("an application whose manifests became empty prunes nothing unless allowEmpty", async () => {
    const ns = await namespace("empty");
    const app = application("empty", ns, { automated: { prune: true } });
    await syncApplication(client, present(app, [configMap("one"), configMap("two")]), context, settings);
    const result = await syncApplication(client, present(app, []), context, settings);
    assert.ok((await cm(ns, "one")) && (await cm(ns, "two")));
    assert.deepEqual(
      result.resources.map((r) => r.action),
      ["pruneSkipped", "pruneSkipped"],
    );
    assert.match(result.resources[0]!.message ?? "", /no manifests/);
    assert.equal(result.sync, "OutOfSync");

    const allowed = application("empty", ns, { automated: { prune: true, allowEmpty: true } });
    await syncApplication(client, present(allowed, []), context, settings);
    assert.equal(await cm(ns, "one"), undefined);
  });

  test("a tombstone deletes owned objects only with the resources finalizer, and never Delete=false ones", async () => {
    const ns = await namespace("tombstone");
    const keep = application("kept-app", ns);
    await syncApplication(client, present(keep, [configMap("k1")]), context, settings);
    const kept = await deleteApplication(client, { state: "deleted", name: "kept-app", revision: revision(), finalizers: [] }, context);
    assert.equal(kept.phase, "Succeeded");
    assert.ok(await cm(ns, "k1"), "no finalizer: left in place");
    assert.equal(await cm(INVENTORY_NS, "radial-inventory-kept-app"), undefined);

    const gone = application("gone-app", ns);
    await syncApplication(
      client,
      present(gone, [configMap("g1", undefined, wave(1)), configMap("g2"), configMap("g3", undefined, { "argocd.argoproj.io/sync-options": "Delete=false" })]),
      context,
      settings,
    );
    const deleted = await deleteApplication(
      client,
      { state: "deleted", name: "gone-app", revision: revision(), finalizers: ["resources-finalizer.argocd.argoproj.io"] },
      context,
      { pollIntervalMs: 200 },
    );
    assert.equal(deleted.phase, "Succeeded", deleted.message);
    assert.equal(await cm(ns, "g1"), undefined);
    assert.equal(await cm(ns, "g2"), undefined);
    assert.ok(await cm(ns, "g3"));
    assert.ok(await cm(ns, "k1"), "another application's objects are untouched");
    assert.deepEqual(deleted.resources.map((r) => `${r.ref.name} ${r.action}`).sort(), ["g1 pruned", "g2 pruned", "g3 pruneSkipped"]);
  });
});

describe("sync: CRDs and sync options", () => {
  test("a CRD and its custom resources in one sync: the CRD is established first, its scope gives the CR its namespace", async () => {
    const ns = await namespace("crd");
    const crd: KubeObject = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } },
          },
        ],
      },
    };
    const widget: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } };
    const result = await syncApplication(client, present(application("crd", ns), [widget, crd]), context, settings);
    assert.equal(result.phase, "Succeeded", result.message);
    const live = await get("Widget", "example.com/v1", ns, "w1");
    assert.deepEqual(live?.spec, { size: 3 });
    assert.equal(live.metadata.annotations?.["radial.dev/tracking-id"], `${CLUSTER}/crd:example.com/Widget:${ns}/w1`);
  });

  test("Replace=true writes the whole object (create, then replace) instead of applying", async () => {
    const ns = await namespace("replace");
    const app = application("replace", ns);
    const replaced = configMap("whole", { a: "1" }, { "argocd.argoproj.io/sync-options": "Replace=true" });
    await syncApplication(client, present(app, [replaced]), context, settings);
    // Someone adds a key Git does not have: apply would keep it, replace drops it.
    await kubectl(cluster, ["-n", ns, "patch", "configmap", "whole", "--type=merge", "-p", '{"data":{"b":"2"}}']);
    const result = await syncApplication(client, present(app, [{ ...replaced, data: { a: "3" } }]), context, settings);
    assert.equal(result.phase, "Succeeded", result.message);
    const live = await cm(ns, "whole");
    assert.deepEqual(live?.data, { a: "3" });
    assert.ok(live.metadata.managedFields?.some((f) => f.manager === "radial" && f.operation === "Update"));
    assert.ok(!live.metadata.managedFields?.some((f) => f.operation === "Apply"));
  });

  test("CreateNamespace=true creates the destination namespace; namespaced objects without one land there", async () => {
    const app = application("made", "made-ns", { syncOptions: ["CreateNamespace=true"] });
    const result = await syncApplication(client, present(app, [configMap("inside")]), context, settings);
    assert.equal(result.phase, "Succeeded", result.message);
    assert.ok(await get("Namespace", "v1", undefined, "made-ns"));
    assert.ok(await cm("made-ns", "inside"));
    assert.equal(result.resources[0]?.ref.namespace, "made-ns");
  });
});

describe("sync: refusals, failures and termination", () => {
  test("invalid annotations refuse the whole sync before anything is written", async () => {
    const ns = await namespace("invalid");
    const result = await syncApplication(
      client,
      present(application("invalid", ns), [configMap("fine"), configMap("bad", undefined, { "argocd.argoproj.io/sync-wave": "soon" })]),
      context,
      settings,
    );
    assert.equal(result.phase, "Failed");
    assert.match(result.message, /not valid: ConfigMap invalid\/bad: annotation argocd.argoproj.io\/sync-wave: "soon" is not an integer/);
    assert.equal(await cm(ns, "fine"), undefined);
  });

  test("a failing hook fails the sync, runs SyncFail hooks, and later waves are not applied", async () => {
    const ns = await namespace("failing");
    // A hook Job whose pod can never be scheduled never completes: the wave times out.
    const stuck = hookJob("stuck", "PreSync");
    (stuck.spec as { template: { spec: { nodeSelector: Record<string, string> } } }).template.spec.nodeSelector = { type: "nowhere" };
    const result = await syncApplication(client, present(application("failing", ns), [stuck, hookJob("on-fail", "SyncFail"), configMap("never")]), context, {
      ...settings,
      waveTimeoutMs: 3_000,
    });
    assert.equal(result.phase, "Failed");
    assert.match(result.message, /Job failing\/stuck: timed out after 3000 ms waiting for completion of hook Job failing\/stuck/);
    assert.equal(await cm(ns, "never"), undefined);
    assert.ok(await get("Job", "batch/v1", ns, "on-fail"), "the SyncFail hook ran");
    assert.equal(action(result, "never"), "skipped");
  });

  test("a sync waiting on health says what it waits for, and a signal ends it at once: Failed, later waves not applied, no SyncFail hooks", async () => {
    const ns = await namespace("terminated");
    // With no cloud to give it an address, a LoadBalancer Service stays Progressing: wave 0 never turns healthy.
    const service = { apiVersion: "v1", kind: "Service", metadata: { name: "lb" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } };
    const abort = new AbortController();
    const running: SyncResult[] = [];
    let progress = 0;
    const started = Date.now();
    const result = await syncApplication(
      client,
      present(application("terminated", ns), [service, hookJob("on-fail", "SyncFail"), configMap("later", undefined, wave(1))]),
      context,
      {
        ...settings,
        onProgress: () => {
          // Ended from inside the wait, after a few polls: the interleaving is forced, not timed.
          if (++progress === 3) abort.abort("the test ends it");
        },
        onRunning: (result) => running.push(result),
        signal: abort.signal,
      },
    );
    assert.ok(Date.now() - started < 30_000, "ended long before the wave timeout");
    assert.equal(result.phase, "Failed");
    assert.equal(result.message, "terminated: the test ends it");
    assert.equal(action(result, "later"), "skipped");
    assert.equal(await cm(ns, "later"), undefined);
    assert.equal(await get("Job", "batch/v1", ns, "on-fail"), undefined, "no SyncFail hook on termination");
    assert.equal(running.length, 1);
    assert.equal(running[0]!.phase, "Running");
    assert.equal(running[0]!.sync, "OutOfSync");
    assert.equal(running[0]!.health, "Progressing");
    assert.equal(running[0]!.message, `syncing: waiting for healthy state of Service ${ns}/lb`);
  });
});
