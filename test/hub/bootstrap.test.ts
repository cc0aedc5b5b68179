import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { RegisterClusterResponse, RotateTokenResponse } from "../../contract/index.js";
import { createHub } from "../../lambdas/composition.js";
import { installKubernetes, kubectl, startCluster, type Cluster } from "../engines/kubernetes.js";
import { startTestHub, TEST_HUB_URL, type TestHub } from "./harness.js";

/** The hub's own fleet repo credential: it can write every deploy branch. */
const HUB_GIT = { RADIAL_GIT_USERNAME: "hub-writer", RADIAL_GIT_PASSWORD: "hub-write-token-must-stay-in-the-hub" };
/** The read-only credential agents are given. */
const AGENT_GIT = { RADIAL_AGENT_GIT_USERNAME: "fleet-reader", RADIAL_AGENT_GIT_PASSWORD: "github_pat_read-only-contents" };
const HUB_ENV = {
  RADIAL_AGENT_IMAGE: "registry.example/radial/agent:1.2.3",
  // A private fleet repo the hub writes; nothing is generated in these tests.
  RADIAL_REPO_URL: "https://git.example/fleet.git",
  RADIAL_GENERATE_ON_CHANGE: "false",
  RADIAL_GENERATE_INTERVAL: "0",
  ...HUB_GIT,
};

let publicHub: TestHub;
let privateHub: TestHub;
let cluster: Cluster;

before(
  async () => {
    await installKubernetes();
    [publicHub, privateHub, cluster] = await Promise.all([startTestHub({ env: HUB_ENV }), startTestHub({ env: { ...HUB_ENV, ...AGENT_GIT } }), startCluster()]);
  },
  { timeout: 40 * 60_000 },
);
after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
  await Promise.all([publicHub?.stop(), privateHub?.stop(), cluster?.stop()]);
});

interface Env {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Deployment {
  spec: { template: { spec: { containers: { image: string; env: Env[]; securityContext: Record<string, unknown> }[] } } };
}

async function secretData(): Promise<Record<string, string>> {
  const secret = JSON.parse(await kubectl(cluster, ["-n", "radial-system", "get", "secret", "radial-agent-token", "-o", "json"])) as {
    data: Record<string, string>;
  };
  return Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]));
}

async function agentContainer() {
  const deployment = JSON.parse(await kubectl(cluster, ["-n", "radial-system", "get", "deployment", "radial-agent", "-o", "json"])) as Deployment;
  return deployment.spec.template.spec.containers[0]!;
}

function assertNoHubCredential(bootstrap: string): void {
  assert.doesNotMatch(bootstrap, new RegExp(HUB_GIT.RADIAL_GIT_PASSWORD));
  assert.doesNotMatch(bootstrap, new RegExp(HUB_GIT.RADIAL_GIT_USERNAME));
}

test("the bootstrap manifest is accepted by a real kube-apiserver and runs the agent", async () => {
  const response = await publicHub.api("POST", "/v1/clusters", { body: { name: "edge-7", labels: { env: "edge" } } });
  const { bootstrap, token } = RegisterClusterResponse.parse(response.body);

  // Server-side dry run validates every object against the real API (schemas, RBAC, defaults);
  // the namespace must exist first because a dry run does not create it.
  const namespace = parseAllDocuments(bootstrap)
    .map((d) => d.toJS() as { kind: string })
    .find((d) => d.kind === "Namespace");
  await kubectl(cluster, ["apply", "--server-side", "-f", "-"], JSON.stringify(namespace));
  const dryRun = await kubectl(cluster, ["apply", "--server-side", "--dry-run=server", "-f", "-"], bootstrap);
  assert.match(dryRun, /deployment\.apps\/radial-agent serverside-applied \(server dry run\)/);

  await kubectl(cluster, ["apply", "--server-side", "-f", "-"], bootstrap);
  await kubectl(cluster, ["-n", "radial-system", "wait", "--for=condition=Available", "deployment/radial-agent", "--timeout=60s"]);

  // Without RADIAL_AGENT_GIT_*, the fleet repo is read anonymously: no credential, and never the hub's.
  assert.deepEqual(await secretData(), { token });
  const container = await agentContainer();
  assert.equal(container.image, "registry.example/radial/agent:1.2.3");
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_AGENT_HUB_URL")?.value, TEST_HUB_URL);
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_AGENT_CLUSTER")?.value, "edge-7");
  assert.equal(
    container.env.some((e) => e.name.includes("_GIT_")),
    false,
  );
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assertNoHubCredential(bootstrap);

  const canI = await kubectl(cluster, ["auth", "can-i", "create", "deployments", "--all-namespaces", "--as=system:serviceaccount:radial-system:radial-agent"]);
  assert.equal(canI.trim(), "yes");
});

test("with RADIAL_AGENT_GIT_*, the agent gets the read-only credential from its Secret and never the hub's", async () => {
  const response = await privateHub.api("POST", "/v1/clusters", { body: { name: "edge-8" } });
  const { bootstrap, token } = RegisterClusterResponse.parse(response.body);
  assertNoHubCredential(bootstrap);

  await kubectl(cluster, ["apply", "--server-side", "-f", "-"], bootstrap);
  assert.deepEqual(await secretData(), { token, "git-username": "fleet-reader", "git-password": "github_pat_read-only-contents" });
  const container = await agentContainer();
  const fromSecret = (key: string) => ({ secretKeyRef: { name: "radial-agent-token", key } });
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_AGENT_GIT_USERNAME")?.valueFrom, fromSecret("git-username"));
  assert.deepEqual(container.env.find((e) => e.name === "RADIAL_AGENT_GIT_PASSWORD")?.valueFrom, fromSecret("git-password"));

  // A rotated token's manifest carries the same read-only credential, and still not the hub's.
  const rotated = RotateTokenResponse.parse((await privateHub.api("POST", "/v1/clusters/edge-8/token")).body);
  assertNoHubCredential(rotated.bootstrap);
  assert.match(rotated.bootstrap, /git-password: github_pat_read-only-contents/);
});

test("the hub refuses its own write credential, or half a credential, for agents", () => {
  const context = (env: NodeJS.ProcessEnv) => () =>
    createHub({
      inventory: { tableName: "radial", client: { region: "local" } },
      hubUrl: "http://hub.test",
      adminTokenHash: "unused",
      env: { ...HUB_ENV, ...env },
    });
  assert.throws(
    context({ RADIAL_AGENT_GIT_USERNAME: "fleet-reader", RADIAL_AGENT_GIT_PASSWORD: HUB_GIT.RADIAL_GIT_PASSWORD }),
    /RADIAL_AGENT_GIT_PASSWORD is the hub's own RADIAL_GIT_PASSWORD/,
  );
  assert.throws(context({ RADIAL_AGENT_GIT_USERNAME: "fleet-reader" }), /must be set together/);
});
