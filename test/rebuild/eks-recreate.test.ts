// A rebuild with recreateEks against moto's EKS API: CreateCluster with exactly the configuration
// registration recorded (read back from moto's own request recording), ACTIVE awaited, the new
// endpoint recorded; 409 while the recorded cluster still exists, unless replace.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CreateClusterCommand, DeleteClusterCommand, DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { Cluster, RebuildList, RebuildResponse, RegisterClusterResponse, type Rebuild } from "../../contract/index.js";
import { startMoto, type MotoServer } from "../engines/moto.js";
import { waitFor } from "../engines/process.js";
import { errorOf, startTestHub, type TestHub } from "../hub/harness.js";

// The hub's EKS client takes credentials from the SDK's default chain, as it would in Lambda.
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";

const CONFIG = {
  version: "1.33",
  roleArn: "arn:aws:iam::123456789012:role/eks-control-plane",
  resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"], endpointPublicAccess: true, endpointPrivateAccess: false },
  kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
  logging: { clusterLogging: [{ types: ["api" as const, "audit" as const], enabled: true }] },
  tags: { team: "payments", env: "prod" },
};

interface Recorded {
  method: string;
  url: string;
  body: string;
  body_encoded: boolean;
}

describe("rebuild with recreateEks (moto)", () => {
  let moto: MotoServer;
  let hub: TestHub;
  let eks: EKSClient;
  let scratch: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "radial-eks-rebuild-"));
    // moto writes its request recording here (its default is a file in its working directory).
    process.env.MOTO_RECORDER_FILEPATH = join(scratch, "moto-recording.jsonl");
    moto = await startMoto();
    eks = new EKSClient({ endpoint: moto.endpoint, region: "eu-west-1" });
    hub = await startTestHub({ env: { RADIAL_EKS_ENDPOINT: moto.endpoint } });
  });
  after(async () => {
    eks.destroy();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await hub?.stop();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await moto?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  async function registerEks(name: string): Promise<Cluster> {
    const { cluster } = await eks.send(new CreateClusterCommand({ name, ...CONFIG }));
    const response = await hub.api("POST", "/v1/clusters", { body: { name, eksClusterArn: cluster!.arn } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return RegisterClusterResponse.parse(response.body).cluster;
  }

  async function latest(name: string): Promise<Rebuild> {
    const response = await hub.api("GET", `/v1/clusters/${name}/rebuilds`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return RebuildList.parse(response.body).items[0]!;
  }

  const recorder = (action: string) => fetch(`${moto.endpoint}/moto-api/recorder/${action}`, { method: "POST" });

  async function recording(): Promise<Recorded[]> {
    const text = await (await fetch(`${moto.endpoint}/moto-api/recorder/download-recording`)).text();
    return text
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Recorded)
      .map((r) => (r.body_encoded ? { ...r, body: Buffer.from(r.body, "base64").toString("utf8") } : r));
  }

  test("a cluster that still exists is refused with 409 and nothing changes", async () => {
    const registered = await registerEks("payments");
    const response = await hub.api("POST", "/v1/clusters/payments/rebuild", { body: { reason: "drill", recreateEks: true } });
    assert.equal(response.status, 409);
    assert.match(errorOf(response).message, /EKS cluster payments in eu-west-1 still exists \(ACTIVE\).*replace: true/);
    assert.equal(Cluster.parse((await hub.api("GET", "/v1/clusters/payments")).body).resourceVersion, registered.resourceVersion);
  });

  test("a lost control plane is created again with exactly the recorded configuration; ACTIVE is awaited and the new endpoint recorded", async () => {
    const registered = Cluster.parse((await hub.api("GET", "/v1/clusters/payments")).body);
    await eks.send(new DeleteClusterCommand({ name: "payments" }));
    await (await recorder("reset-recording")).text();
    await (await recorder("start-recording")).text();
    const response = await hub.api("POST", "/v1/clusters/payments/rebuild", { body: { reason: "control plane lost", recreateEks: true } });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const started = RebuildResponse.parse(response.body).rebuild;
    assert.deepEqual(
      started.phases.map((p) => p.phase),
      ["Requested", "ControlPlaneCreating"],
    );
    await waitFor("the control plane ACTIVE", async () => (await latest("payments")).phase === "AwaitingAgent", { timeoutMs: 60_000, intervalMs: 500 });
    await (await recorder("stop-recording")).text();

    const creates = (await recording()).filter((r) => r.method === "POST" && new URL(r.url).pathname === "/clusters");
    assert.equal(creates.length, 1, "one CreateCluster");
    const sent = JSON.parse(creates[0]!.body) as Record<string, unknown>;
    const recorded = registered.eks!;
    assert.match(String(sent.clientRequestToken), /^radial-[0-9a-f]{40}$/);
    delete sent.clientRequestToken;
    assert.deepEqual(sent, {
      name: "payments",
      version: recorded.version,
      roleArn: recorded.roleArn,
      resourcesVpcConfig: {
        subnetIds: recorded.vpcConfig.subnetIds,
        securityGroupIds: recorded.vpcConfig.securityGroupIds,
        endpointPublicAccess: recorded.vpcConfig.endpointPublicAccess,
        endpointPrivateAccess: recorded.vpcConfig.endpointPrivateAccess,
        ...(recorded.vpcConfig.publicAccessCidrs.length > 0 ? { publicAccessCidrs: recorded.vpcConfig.publicAccessCidrs } : {}),
      },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: recorded.kubernetesNetworkConfig.serviceIpv4Cidr,
        ...(recorded.kubernetesNetworkConfig.ipFamily ? { ipFamily: recorded.kubernetesNetworkConfig.ipFamily } : {}),
      },
      logging: { clusterLogging: recorded.logging },
      tags: recorded.tags,
    });
    assert.deepEqual(recorded.tags, CONFIG.tags, "what registration recorded is what moto was created with");

    const done = await latest("payments");
    assert.deepEqual(
      done.phases.map((p) => p.phase),
      ["Requested", "ControlPlaneCreating", "ControlPlaneActive", "AwaitingAgent"],
    );
    const { cluster: now } = await eks.send(new DescribeClusterCommand({ name: "payments" }));
    assert.equal(done.eks?.endpoint, now!.endpoint);
    const cluster = Cluster.parse((await hub.api("GET", "/v1/clusters/payments")).body);
    assert.equal(cluster.eks?.endpoint, now!.endpoint);
    assert.equal(cluster.eks?.status, "ACTIVE");
    assert.equal(cluster.server, now!.endpoint, "the API server followed the EKS endpoint");
  });

  test("replace: the recorded cluster is deleted, then created again", async () => {
    await registerEks("orders");
    await (await recorder("reset-recording")).text();
    await (await recorder("start-recording")).text();
    const response = await hub.api("POST", "/v1/clusters/orders/rebuild", { body: { reason: "rebuild in place", recreateEks: true, replace: true } });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    await waitFor("the control plane ACTIVE", async () => (await latest("orders")).phase === "AwaitingAgent", { timeoutMs: 60_000, intervalMs: 500 });
    await (await recorder("stop-recording")).text();
    const calls = (await recording())
      .map((r) => `${r.method} ${new URL(r.url).pathname}`)
      .filter((call) => call.startsWith("DELETE") || call === "POST /clusters");
    assert.deepEqual(calls, ["DELETE /clusters/orders", "POST /clusters"]);
  });

  test("an EKS API that cannot be reached gets 502 before anything changes (run last: it stops moto)", async () => {
    const registered = await registerEks("ledger");
    await moto.stop();
    const response = await hub.api("POST", "/v1/clusters/ledger/rebuild", { body: { reason: "drill", recreateEks: true } });
    assert.equal(response.status, 502);
    assert.match(errorOf(response).message, /could not describe EKS cluster ledger in eu-west-1.*nothing changed, try again/);
    assert.equal(Cluster.parse((await hub.api("GET", "/v1/clusters/ledger")).body).resourceVersion, registered.resourceVersion);
    assert.deepEqual(RebuildList.parse((await hub.api("GET", "/v1/clusters/ledger/rebuilds")).body).items, []);
  });
});
