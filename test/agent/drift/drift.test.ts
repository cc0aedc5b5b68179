import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { DriftEvent } from "../../../contract/status-report.js";
import type { Application } from "../../../contract/application.js";
import { DriftWatcher } from "../../../agent/drift/watcher.js";
import { KubeClient } from "../../../agent/kube/client.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { syncApplication, type SyncResult } from "../../../agent/sync/sync.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { application, configMap, deployment, present } from "../sync/fixtures.js";

const CLUSTER = "spoke-1";
const context = { cluster: CLUSTER, inventoryNamespace: "radial-system" };

let cluster: Cluster;
let client: KubeClient;
let watcher: DriftWatcher;
const events: DriftEvent[] = [];

before(async () => {
  cluster = await startCluster();
  client = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "radial-system" } });
  watcher = new DriftWatcher(client, { cluster: CLUSTER, onDrift: (event) => events.push(event) });
});
after(async () => {
  await watcher.stop();
  client.close();
  await cluster.stop();
});

/** Syncs an application and hands what it manages to the watcher, as the agent does after each sync. */
async function syncAndTrack(app: Application, manifests: KubeObject[]): Promise<SyncResult> {
  const result = await syncApplication(client, present(app, manifests), context, { pollIntervalMs: 200 });
  assert.equal(result.phase, "Succeeded", result.message);
  watcher.track({
    name: app.metadata.name,
    objects: result.managed ?? [],
    ignoreDifferences: app.spec.ignoreDifferences ?? [],
    selfHeal: app.spec.syncPolicy?.automated?.selfHeal === true,
  });
  return result;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const eventsOf = (app: string) => events.filter((e) => e.application === app);
const replicas = async (ns: string, name: string) =>
  ((await client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name }))?.spec as { replicas: number }).replicas;

describe("drift", () => {
  test("kubectl scale is detected with its field and manager, and undone when selfHeal is on", async () => {
    const app = application("heal", "default", { automated: { prune: true, selfHeal: true } });
    await syncAndTrack(app, [deployment("heal-web", 2)]);
    // A change to a field Git does not set is not drift; the scale after it is the first event.
    await kubectl(cluster, ["-n", "default", "label", "deployment", "heal-web", "team=payments"]);
    await kubectl(cluster, ["-n", "default", "scale", "deployment", "heal-web", "--replicas=5"]);
    const healed = await eventually("the heal", () => eventsOf("heal").find((e) => e.action === "Healed"));
    const [detected] = eventsOf("heal");
    assert.equal(detected?.action, "Detected");
    assert.deepEqual(detected.fields, ["spec.replicas"]);
    assert.match(detected.manager ?? "", /^kubectl/);
    assert.deepEqual(detected.resource, { group: "apps", version: "v1", kind: "Deployment", namespace: "default", name: "heal-web" });
    assert.deepEqual(healed.fields, ["spec.replicas"]);
    assert.equal(await replicas("default", "heal-web"), 2);
  });

  test("a deleted object is reported and recreated", async () => {
    const app = application("recreate", "default", { automated: { selfHeal: true } });
    await syncAndTrack(app, [configMap("recreate-me", { a: "1" })]);
    await kubectl(cluster, ["-n", "default", "delete", "configmap", "recreate-me"]);
    await eventually("the recreation", () => eventsOf("recreate").find((e) => e.action === "Recreated"));
    assert.deepEqual(
      eventsOf("recreate").map((e) => e.action),
      ["Deleted", "Recreated"],
    );
    const live = await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "recreate-me" });
    assert.deepEqual(live?.data, { a: "1" });
  });

  test("without selfHeal, drift is reported and left alone", async () => {
    const app = application("report-only", "default", { automated: { prune: true } });
    await syncAndTrack(app, [configMap("edited", { a: "1" })]);
    await kubectl(cluster, ["-n", "default", "patch", "configmap", "edited", "--type=merge", "-p", '{"data":{"a":"2"}}']);
    const detected = await eventually("the detection", () => eventsOf("report-only").find((e) => e.action === "Detected"));
    assert.deepEqual(detected.fields, ["data.a"]);
    assert.match(detected.manager ?? "", /^kubectl/);
    // A second edit, seen on the same watch after the first was handled: a heal of the first, were
    // there one, would be reported before it.
    await kubectl(cluster, ["-n", "default", "patch", "configmap", "edited", "--type=merge", "-p", '{"data":{"a":"3"}}']);
    await eventually("the second detection", () => (eventsOf("report-only").length >= 2 ? true : undefined));
    assert.deepEqual(
      eventsOf("report-only").map((e) => e.action),
      ["Detected", "Detected"],
    );
    assert.deepEqual((await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "edited" }))?.data, { a: "3" });
  });

  test("ignored replicas (an autoscaler's) are neither drift nor reset by the next sync", async () => {
    const app = application(
      "scaled",
      "default",
      { automated: { prune: true, selfHeal: true } },
      { ignoreDifferences: [{ group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] }] },
    );
    await syncAndTrack(app, [deployment("scaled-web", 2)]);
    await kubectl(cluster, ["-n", "default", "scale", "deployment", "scaled-web", "--replicas=7"]);
    // A detectable edit after it: when its event arrives, the scale's has been seen and ignored.
    await kubectl(cluster, [
      "-n",
      "default",
      "patch",
      "deployment",
      "scaled-web",
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.example/app:2"}]',
    ]);
    await eventually("the image heal", () => eventsOf("scaled").find((e) => e.action === "Healed"));
    assert.deepEqual(
      eventsOf("scaled").map((e) => e.fields),
      [["spec.template.spec.containers[name=app].image"], ["spec.template.spec.containers[name=app].image"]],
    );
    assert.equal(await replicas("default", "scaled-web"), 7);
    const resync = await syncAndTrack(app, [deployment("scaled-web", 2)]);
    assert.equal(await replicas("default", "scaled-web"), 7, "a sync keeps the live value of an ignored field");
    assert.equal(resync.sync, "Synced");
  });

  test("the agent's own writes of a newer revision are not drift", async () => {
    const app = application("own", "default", { automated: { selfHeal: true } });
    await syncAndTrack(app, [configMap("own-cm", { v: "1" }), configMap("own-sentinel")]);
    // The watcher still holds revision 1 while revision 2 is applied (no pause): radial's own change is not reported.
    const result = await syncApplication(client, present(app, [configMap("own-cm", { v: "2" }), configMap("own-sentinel")]), context);
    assert.equal(result.phase, "Succeeded");
    // A deletion after it, on the same ConfigMap watch: once it is reported, the write before it was judged.
    await kubectl(cluster, ["-n", "default", "delete", "configmap", "own-sentinel"]);
    await eventually("the sentinel's recreation", () => eventsOf("own").find((e) => e.action === "Recreated"));
    assert.deepEqual(
      eventsOf("own").map((e) => `${e.action} ${e.resource.name}`),
      ["Deleted own-sentinel", "Recreated own-sentinel"],
    );
    assert.deepEqual((await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "own-cm" }))?.data, { v: "2" });
  });
});

describe("drift around a sync", () => {
  test("paused while its sync prunes, an application's pruned objects are not recreated", async () => {
    const app = application("pruning", "default", { automated: { prune: true, selfHeal: true } });
    await syncAndTrack(app, [configMap("stays"), configMap("leaves")]);
    watcher.pause("pruning");
    await syncAndTrack(app, [configMap("stays")]);
    // Tracking the new revision resumed the watch: a deletion of what stays is healed again. It
    // comes after the prune on the same ConfigMap watch, so by its recreation the prune was judged.
    await kubectl(cluster, ["-n", "default", "delete", "configmap", "stays"]);
    await eventually("the recreation", () => eventsOf("pruning").find((e) => e.action === "Recreated"));
    assert.deepEqual(
      eventsOf("pruning").map((e) => `${e.action} ${e.resource.name}`),
      ["Deleted stays", "Recreated stays"],
    );
    assert.equal(await client.get({ apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "leaves" }), undefined);
  });
});
