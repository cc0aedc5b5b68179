import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { ApiError, Cluster, RegisterClusterResponse } from "../../contract/index.js";
import { startMoto, type MotoServer } from "../engines/moto.js";
import { freePort } from "../engines/process.js";
import { startTestHub, type TestHub } from "./harness.js";

// The hub's EKS client takes credentials from the SDK's default chain, as it would in Lambda.
process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";

describe("registering an EKS cluster looks it up through the EKS API (moto)", () => {
  let moto: MotoServer;
  let hub: TestHub;
  let arn: string;

  before(async () => {
    moto = await startMoto();
    const eks = new EKSClient({ endpoint: moto.endpoint, region: "eu-west-1" });
    const { cluster } = await eks.send(
      new CreateClusterCommand({
        name: "payments-prod",
        version: "1.33",
        roleArn: "arn:aws:iam::123456789012:role/eks-control-plane",
        resourcesVpcConfig: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"], endpointPublicAccess: true, endpointPrivateAccess: false },
        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
        logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }] },
        tags: { team: "payments", env: "prod" },
      }),
    );
    eks.destroy();
    arn = cluster!.arn!;
    hub = await startTestHub({ env: { RADIAL_EKS_ENDPOINT: moto.endpoint } });
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await hub?.stop();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- still unset when before() failed
    await moto?.stop();
  });

  test("the cluster records version, endpoint, tags and what is needed to recreate it", async () => {
    const response = await hub.api("POST", "/v1/clusters", { body: { name: "payments-prod", labels: { env: "prod" }, eksClusterArn: arn } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const { cluster } = RegisterClusterResponse.parse(response.body);
    const eks = cluster.eks!;
    assert.equal(eks.arn, arn);
    assert.equal(eks.region, "eu-west-1");
    assert.equal(eks.version, "1.33");
    assert.equal(eks.status, "ACTIVE");
    assert.match(eks.endpoint!, /^https:\/\//);
    assert.equal(cluster.server, eks.endpoint, "the API server defaults to the EKS endpoint");
    assert.deepEqual(eks.tags, { team: "payments", env: "prod" });
    assert.equal(eks.roleArn, "arn:aws:iam::123456789012:role/eks-control-plane");
    assert.deepEqual(eks.vpcConfig.subnetIds, ["subnet-a", "subnet-b"]);
    assert.deepEqual(eks.vpcConfig.securityGroupIds, ["sg-1"]);
    assert.equal(eks.kubernetesNetworkConfig.serviceIpv4Cidr, "172.20.0.0/16");
    assert.deepEqual(eks.logging, [{ types: ["api", "audit"], enabled: true }]);
    assert.deepEqual(Cluster.parse((await hub.api("GET", "/v1/clusters/payments-prod")).body).eks, eks);
  });

  test("an EKS cluster that does not exist gets 422 naming it, and nothing is stored", async () => {
    const missing = arn.replace("payments-prod", "no-such-cluster");
    const response = await hub.api("POST", "/v1/clusters", { body: { name: "ghost", eksClusterArn: missing } });
    assert.equal(response.status, 422);
    const { error } = ApiError.parse(response.body);
    assert.equal(error.code, "unprocessable");
    assert.match(error.message, /EKS cluster no-such-cluster does not exist in eu-west-1/);
    assert.equal((await hub.api("GET", "/v1/clusters/ghost")).status, 404);
  });

  test("an unreachable EKS API gets 502 and nothing is stored", async () => {
    const closed = await freePort();
    const offline = await startTestHub({ env: { RADIAL_EKS_ENDPOINT: `http://127.0.0.1:${closed}` } });
    try {
      const response = await offline.api("POST", "/v1/clusters", { body: { name: "payments-prod-2", eksClusterArn: arn } });
      assert.equal(response.status, 502);
      const { error } = ApiError.parse(response.body);
      assert.equal(error.code, "bad_gateway");
      assert.match(error.message, /could not reach the EKS API in eu-west-1.*nothing was stored/);
      assert.equal((await offline.api("GET", "/v1/clusters/payments-prod-2")).status, 404);
    } finally {
      await offline.stop();
    }
  });
});
