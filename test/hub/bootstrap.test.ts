import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { RegisterClusterResponse } from "../../contract/index.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { startTestHub, type TestHub } from "./harness.js";

let hub: TestHub;
let cluster: Cluster;

before(async () => {
  await installKubernetes();
  [hub, cluster] = await Promise.all([startTestHub({ env: { RADIAL_AGENT_IMAGE: "registry.example/radial/agent:1.2.3" } }), startCluster()]);
}, { timeout: 40 * 60_000 });
after(async () => {
  await Promise.all([hub?.stop(), cluster?.stop()]);
});

test("the bootstrap manifest is accepted by a real kube-apiserver and runs the agent", async () => {
  const response = await hub.api("POST", "/v1/clusters", { body: { name: "edge-7", labels: { env: "edge" } } });
  const { bootstrap, token } = RegisterClusterResponse.parse(response.body);

  // Server-side dry run validates every object against the real API (schemas, RBAC, defaults);
  // the namespace must exist first because a dry run does not create it.
  const namespace = parseAllDocuments(bootstrap).map((d) => d.toJS() as { kind: string }).find((d) => d.kind === "Namespace");
  await kubectl(cluster, ["apply", "--server-side", "-f", "-"], JSON.stringify(namespace));
  const dryRun = await kubectl(cluster, ["apply", "--server-side", "--dry-run=server", "-f", "-"], bootstrap);
  assert.match(dryRun, /deployment\.apps\/radial-agent serverside-applied \(server dry run\)/);

  await kubectl(cluster, ["apply", "--server-side", "-f", "-"], bootstrap);
  await kubectl(cluster, ["-n", "radial-system", "wait", "--for=condition=Available", "deployment/radial-agent", "--timeout=60s"]);

  const secret = JSON.parse(await kubectl(cluster, ["-n", "radial-system", "get", "secret", "radial-agent-token", "-o", "json"])) as { data: { token: string } };
  assert.equal(Buffer.from(secret.data.token, "base64").toString(), token);
  const deployment = JSON.parse(await kubectl(cluster, ["-n", "radial-system", "get", "deployment", "radial-agent", "-o", "json"])) as {
    spec: { template: { spec: { containers: { image: string; env: { name: string; value?: string }[]; securityContext: Record<string, unknown> }[] } } };
  };
  const container = deployment.spec.template.spec.containers[0]!;
  assert.equal(container.image, "registry.example/radial/agent:1.2.3");
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_HUB_URL")?.value, hub.url);
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_CLUSTER")?.value, "edge-7");
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);

  const canI = await kubectl(cluster, ["auth", "can-i", "create", "deployments", "--all-namespaces", "--as=system:serviceaccount:radial-system:radial-agent"]);
  assert.equal(canI.trim(), "yes");
});
