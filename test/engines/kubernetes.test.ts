import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { installKubernetes, kubectl, startCluster, type Cluster } from "./kubernetes.js";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: once
  namespace: default
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: once
        image: busybox:1.36
        command: ["true"]
`;

// A cold build compiles Kubernetes from source: allow for it once, before any cluster starts.
before(() => installKubernetes(), { timeout: 40 * 60_000 });

describe("a KWOK cluster", () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
  after(() => cluster?.stop());

  test("reports the server version we built", async () => {
    const version = JSON.parse(await kubectl(cluster, ["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
    assert.match(version.serverVersion.gitVersion, /^v1\.36\.\d+$/);
  });

  test("runs a Deployment to Available", async () => {
    await kubectl(cluster, ["apply", "-f", "-"], DEPLOYMENT);
    await kubectl(cluster, ["wait", "--for=condition=Available", "deployment/web", "--timeout=60s"]);
    assert.equal((await kubectl(cluster, ["get", "deployment/web", "-o", "jsonpath={.status.readyReplicas}"])).trim(), "2");
  });

  test("runs a Job to Complete", async () => {
    await kubectl(cluster, ["apply", "-f", "-"], JOB);
    await kubectl(cluster, ["wait", "--for=condition=Complete", "job/once", "--timeout=60s"]);
    const phases = await kubectl(cluster, ["get", "pods", "-l", "job-name=once", "-o", "jsonpath={.items[*].status.phase}"]);
    assert.equal(phases.trim(), "Succeeded");
  });
});

test("clusters sharing one etcd do not see each other's objects", async () => {
  const [a, b] = await Promise.all([startCluster(), startCluster()]);
  try {
    await kubectl(a, ["create", "namespace", "only-in-a"]);
    assert.match(await kubectl(a, ["get", "namespace", "only-in-a", "-o", "name"]), /namespace\/only-in-a/);
    await assert.rejects(kubectl(b, ["get", "namespace", "only-in-a"]), /NotFound/);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
