import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import { diffObject } from "../../../agent/diff/index.js";
import type { KubeObject } from "../../../agent/kube/object.js";
import { kubectl, startCluster, type Cluster } from "../../engines/kubernetes.js";

// Against a real apiserver: what it defaults and records in managedFields after a server-side apply.
let cluster: Cluster;
before(async () => {
  cluster = await startCluster();
});
after(() => cluster.stop());

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "default", labels: { app: "api", "app.kubernetes.io/part-of": "shop" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "api" } },
    template: {
      metadata: { labels: { app: "api" } },
      spec: {
        containers: [
          {
            name: "api",
            image: "example/api:1",
            ports: [{ containerPort: 8080, name: "http" }],
            env: [
              { name: "B", value: "2" },
              { name: "A", value: "1" },
            ],
          },
          { name: "sidecar", image: "example/proxy:1", args: ["--port", "9000"] },
        ],
      },
    },
  },
};
const service: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api", namespace: "default" },
  spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
};

const apply = (object: KubeObject) => kubectl(cluster, ["apply", "--server-side", "--field-manager=radial", "-f", "-"], stringify(object));
const live = async (kind: string): Promise<KubeObject> =>
  JSON.parse(await kubectl(cluster, ["get", kind, "api", "-o", "json", "--show-managed-fields"])) as KubeObject;

test("right after a server-side apply nothing has drifted, whatever the apiserver defaulted", async () => {
  await apply(deployment);
  await apply(service);
  assert.deepEqual(diffObject(deployment, await live("deployment"), []), { drifted: false, fields: [] });
  assert.deepEqual(diffObject(service, await live("service"), []), { drifted: false, fields: [] });
});

test("kubectl edits show up as drift with the manager each one came from", async () => {
  await kubectl(cluster, ["scale", "deployment/api", "--replicas=5"]);
  await kubectl(cluster, ["set", "image", "deployment/api", "sidecar=example/proxy:2"]);
  await kubectl(cluster, ["set", "env", "deployment/api", "-c", "api", "A=changed"]);
  const { fields } = diffObject(deployment, await live("deployment"), []);
  assert.deepEqual(
    [...fields].sort((a, b) => a.path.localeCompare(b.path)),
    [
      { path: "spec.replicas", manager: "kubectl" },
      { path: "spec.template.spec.containers[name=api].env[name=A].value", manager: "kubectl-set" },
      { path: "spec.template.spec.containers[name=sidecar].image", manager: "kubectl-set" },
    ],
  );
  const ignored = diffObject(deployment, await live("deployment"), [{ group: "apps", kind: "Deployment", managedFieldsManagers: ["kubectl-set", "kubectl"] }]);
  assert.deepEqual(ignored, { drifted: false, fields: [] });
});
