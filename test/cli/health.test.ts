import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { radial } from "./radial-cli.js";

let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
  await kubectl(
    cluster,
    ["apply", "-f", "-"],
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: held, namespace: default }
spec:
  paused: true
  selector: { matchLabels: { app: held } }
  template:
    metadata: { labels: { app: held } }
    spec: { containers: [{ name: held, image: nginx }] }
---
apiVersion: v1
kind: Service
metadata: { name: public, namespace: default }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: default }
data: { mode: prod }
`,
  );
  await kubectl(cluster, ["rollout", "status", "deployment/web", "--timeout=60s"]);
});
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
after(() => cluster?.stop());

test("kubectl get deploy -o yaml | radial health -f - tells a rolled-out Deployment is Healthy", async () => {
  const live = await kubectl(cluster, ["get", "deployment", "web", "-o", "yaml"]);
  const result = await radial(["health", "-f", "-"], { input: live });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.split(/\s{2,}/)),
    [
      ["KIND", "NAMESPACE", "NAME", "STATUS", "MESSAGE"],
      ["Deployment", "default", "web", "Healthy"],
    ],
  );
});

test("a kubectl List prints one row per object; kinds with no health check have a null status in JSON", async () => {
  const list = await kubectl(cluster, ["get", "deployments,services,configmaps", "-n", "default", "-o", "json"]);
  const result = await radial(["--output", "json", "health", "-f", "-"], { input: list });
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as { kind: string; name: string; status: string | null; message: string | null }[];
  const byName = Object.fromEntries(rows.map((row) => [`${row.kind}/${row.name}`, row]));
  assert.deepEqual(byName["Deployment/held"], { kind: "Deployment", namespace: "default", name: "held", status: "Suspended", message: "Deployment is paused" });
  assert.equal(byName["Deployment/web"]?.status, "Healthy");
  assert.equal(byName["Service/public"]?.status, "Progressing", "no load balancer has given it an address");
  assert.equal(byName["Service/kubernetes"]?.status, "Healthy");
  assert.deepEqual(byName["ConfigMap/settings"], { kind: "ConfigMap", namespace: "default", name: "settings", status: null, message: null });
});

test("several YAML documents on stdin, one of which is being rolled out", async () => {
  const result = await radial(["health", "-f", "-"], {
    input: `apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop, generation: 3 }
spec: { replicas: 3 }
status: { observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }
---
apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: shop }
status: { conditions: [{ type: Failed, status: "True", message: Job has reached the specified backoff limit }] }
`,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^Deployment +shop +api +Progressing +Waiting for rollout to finish: 1 of 3 updated replicas are available\.\.\.$/m);
  assert.match(result.stdout, /^Job +shop +migrate +Degraded +Job has reached the specified backoff limit$/m);
});

test("input that is not Kubernetes objects exits 2 naming the document", async () => {
  const missing = await radial(["health", "-f", "-"], {
    input: "apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n---\nkind: Deployment\nmetadata: { name: b }\n",
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /stdin: Deployment b has no apiVersion/);
  assert.equal(missing.stdout, "");
  const broken = await radial(["health", "-f", "-"], { input: "apiVersion: v1\nkind: Pod\nmetadata: { name: a\n" });
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /stdin:\d+: invalid YAML/);
  const absent = await radial(["health", "-f", "/nonexistent/objects.yaml"]);
  assert.equal(absent.status, 2);
  assert.match(absent.stderr, /\/nonexistent\/objects\.yaml/);
});
