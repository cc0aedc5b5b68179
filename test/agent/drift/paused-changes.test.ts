// A change the watch delivers while an application's sync runs (its watch paused, so the sync's
// own writes are not drift) still reaches the application's state once the sync hands its objects
// back: a Service that gets its address in a sync's last moments is not reported Progressing until
// the next sync. A real kube-apiserver.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DriftWatcher, type TrackedApplication } from "../../../agent/drift/watcher.js";
import { KubeClient } from "../../../agent/kube/client.js";
import { loadKubeConfig } from "../../../agent/kube/kubeconfig.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { syncApplication } from "../../../agent/sync/sync.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";
import { waitFor } from "../../engines/process.js";
import { application, configMap, present } from "../sync/fixtures.js";

const CLUSTER = "spoke-1";
const context = { cluster: CLUSTER, inventoryNamespace: "radial-system" };

let cluster: Cluster;
let client: KubeClient;
let watcher: DriftWatcher;
const changes: { application: string; live: KubeObject | undefined; differs: boolean }[] = [];

before(async () => {
  cluster = await startCluster();
  client = new KubeClient(await loadKubeConfig({ kubeconfig: cluster.kubeconfig }));
  await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "radial-system" } });
  watcher = new DriftWatcher(client, {
    cluster: CLUSTER,
    onDrift: () => undefined,
    onChange: (name, live, _desired, differs) => changes.push({ application: name, live, differs }),
  });
});
after(async () => {
  await watcher.stop();
  client.close();
  await cluster.stop();
});

const service = (name: string, type: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "default" },
  spec: { type, ports: [{ port: 80 }], selector: { app: name } },
});

async function syncAndTrack(name: string, manifests: KubeObject[]): Promise<TrackedApplication> {
  const result = await syncApplication(client, present(application(name, "default"), manifests), context, { pollIntervalMs: 200 });
  assert.equal(result.phase, "Succeeded", result.message);
  const tracked = { name, objects: result.managed ?? [], ignoreDifferences: [], selfHeal: false };
  watcher.track(tracked);
  return tracked;
}

const ingressOf = (live: KubeObject | undefined) => (live?.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress ?? [];

test("what the watch saw of an application while it was paused is handed on when it is tracked again", async () => {
  const front = await syncAndTrack("front", [service("front", "LoadBalancer")]);
  await syncAndTrack("marker", [service("marker", "ClusterIP")]);
  watcher.pause("front"); // as a sync of front does

  await kubectl(cluster, [
    "-n",
    "default",
    "patch",
    "service",
    "front",
    "--subresource=status",
    "--type=merge",
    "-p",
    '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}',
  ]);
  // One watch per kind, in order: once marker's later change is seen, front's was delivered too.
  await kubectl(cluster, ["-n", "default", "label", "service", "marker", "seen=yes"]);
  await waitFor("marker's change", () => Promise.resolve(changes.some((c) => c.application === "marker" && c.live?.metadata.labels?.seen === "yes")), {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  assert.equal(changes.filter((c) => c.application === "front" && ingressOf(c.live).length > 0).length, 0, "nothing reaches front while it is paused");

  watcher.track(front); // the sync is done
  const handed = changes.filter((c) => c.application === "front" && ingressOf(c.live).length > 0);
  assert.equal(handed.length, 1, "front's address reaches its state as the sync hands its objects back");
  assert.equal((ingressOf(handed[0]!.live)[0] as { ip?: string }).ip, "203.0.113.10");
});

test("an edit outside Git that stays (no selfHeal) reaches the state as differing from Git, and undoing it as matching again", async () => {
  await syncAndTrack("edited", [configMap("edited-settings", { mode: "git" })]);
  const seen = (mode: string) => changes.find((c) => c.application === "edited" && (c.live?.data as Record<string, string> | undefined)?.mode === mode);

  await kubectl(cluster, ["-n", "default", "patch", "configmap", "edited-settings", "--type=merge", "-p", '{"data":{"mode":"hand"}}']);
  await waitFor("the edit", () => Promise.resolve(seen("hand") !== undefined), { timeoutMs: 15_000, intervalMs: 50 });
  assert.equal(seen("hand")!.differs, true, "a field Git sets, edited by kubectl, differs from Git");

  const editedAt = changes.indexOf(seen("hand")!);
  await kubectl(cluster, ["-n", "default", "patch", "configmap", "edited-settings", "--type=merge", "-p", '{"data":{"mode":"git"}}']);
  const undone = () =>
    changes.slice(editedAt + 1).find((c) => c.application === "edited" && (c.live?.data as Record<string, string> | undefined)?.mode === "git");
  await waitFor("the edit undone", () => Promise.resolve(undone() !== undefined), { timeoutMs: 15_000, intervalMs: 50 });
  const last = changes.filter((c) => c.application === "edited").at(-1)!;
  assert.equal((last.live?.data as Record<string, string>).mode, "git");
  assert.equal(last.differs, false, "Git's value back: no difference");

  // A label Git does not set is no difference from Git.
  await kubectl(cluster, ["-n", "default", "label", "configmap", "edited-settings", "extra=yes"]);
  await waitFor("the label", () => Promise.resolve(changes.some((c) => c.application === "edited" && c.live?.metadata.labels?.extra === "yes")), {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  assert.equal(changes.find((c) => c.application === "edited" && c.live?.metadata.labels?.extra === "yes")!.differs, false);
});
