// The KWOK node must stay Ready for as long as a test, a benchmark or a trial runs. The node
// lifecycle controller marks a node Unknown (and taints it unreachable, so its pods turn NotReady
// and Deployments lose their available replicas) when neither its status nor its lease in
// kube-node-lease moved for the node monitor grace period; KWOK renews a lease only when it runs
// with --node-lease-duration-seconds. Its own file, so that its three minutes run beside the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { installKubernetes, kubectl, startCluster, type Cluster } from "./kubernetes.js";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx:1.27 }] }
`;

const NODE = "kwok-node-0";
/** How long after the cluster's start the node and the Deployment must still be fine. */
const HOLD_MS = 3 * 60_000;

interface Condition {
  type: string;
  status: string;
}
interface WatchEvent {
  type: string;
  object: {
    metadata: { name: string };
    spec?: { taints?: { key: string }[]; renewTime?: string };
    status?: { conditions?: Condition[]; availableReplicas?: number };
  };
}

/**
 * A watch on the apiserver: `onEvent` gets every event (the current state first) until the
 * returned stop() is called, or the stream fails (`onEvent` then gets an ERROR event).
 */
function watch(cluster: Cluster, path: string, onEvent: (event: WatchEvent) => void): () => void {
  const ca = Buffer.from(cluster.caData, "base64").toString();
  const req = request(
    `${cluster.server}${path}${path.includes("?") ? "&" : "?"}watch=true`,
    { ca, headers: { authorization: `Bearer ${cluster.token}` } },
    (res) => {
      let buffered = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines.filter(Boolean)) onEvent(JSON.parse(line) as WatchEvent);
      });
      res.on("end", () => onEvent({ type: "ERROR", object: { metadata: { name: `the watch ${path} ended` } } }));
    },
  );
  req.on("error", (error) => onEvent({ type: "ERROR", object: { metadata: { name: `the watch ${path} failed: ${error.message}` } } }));
  req.end();
  return () => req.destroy();
}

const condition = (event: WatchEvent, type: string) => event.object.status?.conditions?.find((c) => c.type === type)?.status;

/** What is wrong with the node in this event, if anything. */
function nodeProblem(event: WatchEvent): string | undefined {
  if (event.type === "ERROR") return event.object.metadata.name;
  const ready = condition(event, "Ready");
  const taints = (event.object.spec?.taints ?? []).map((taint) => taint.key);
  if (ready !== "True" || taints.length > 0) return `node ${NODE}: Ready=${ready ?? "absent"}, taints [${taints.join(", ")}]`;
  return undefined;
}

function deploymentProblem(event: WatchEvent): string | undefined {
  if (event.type === "ERROR") return event.object.metadata.name;
  const available = condition(event, "Available");
  if (available !== "True" || event.object.status?.availableReplicas !== 2)
    return `deployment web: Available=${available ?? "absent"}, availableReplicas ${event.object.status?.availableReplicas ?? 0}`;
  return undefined;
}

// A cold build compiles Kubernetes from source: allow for it once, before the cluster starts.
test("a KWOK cluster's node stays Ready and a Deployment Available three minutes after start", { timeout: 45 * 60_000 }, async () => {
  await installKubernetes();
  const cluster = await startCluster();
  const deadline = Date.now() + HOLD_MS;
  const stops: (() => void)[] = [];
  try {
    await kubectl(cluster, ["apply", "-f", "-"], DEPLOYMENT);
    await kubectl(cluster, ["wait", "--for=condition=Available", "deployment/web", "--timeout=120s"]);
    // Fails at the first event that shows the node or the Deployment unwell, however early; ends
    // with the first renewal of the node's lease after the deadline, which shows KWOK still at work
    // and the watches still delivering.
    const outcome = await new Promise<{ problem?: string; renewedAt?: string }>((resolve) => {
      const check = (problem: string | undefined) => problem !== undefined && resolve({ problem });
      stops.push(watch(cluster, `/api/v1/nodes?fieldSelector=metadata.name%3D${NODE}`, (event) => check(nodeProblem(event))));
      stops.push(watch(cluster, "/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dweb", (event) => check(deploymentProblem(event))));
      stops.push(
        watch(cluster, `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases?fieldSelector=metadata.name%3D${NODE}`, (event) => {
          const renewTime = event.object.spec?.renewTime;
          if (renewTime && Date.parse(renewTime) >= deadline) resolve({ renewedAt: renewTime });
        }),
      );
    });
    assert.equal(outcome.problem, undefined, `${outcome.problem} (at ${Math.round((Date.now() - deadline + HOLD_MS) / 1000)} s after start)`);
    assert.ok(outcome.renewedAt);
    const status = JSON.parse(await kubectl(cluster, ["get", "deployment/web", "-o", "json"])) as WatchEvent["object"];
    assert.equal(deploymentProblem({ type: "MODIFIED", object: status }), undefined);
  } finally {
    for (const stop of stops) stop();
    await cluster.stop();
  }
});
