// An EKS API that takes the connection and never answers: registration's DescribeCluster and a
// rebuild's EKS calls fail with the hub's own error once the client's bound runs out, rather than
// hanging the API function until API Gateway gives up at 30 s. The server is a real TCP listener
// that accepts and stays silent, the fault as the network shows it.
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import type { EksClusterInfo } from "../../contract/index.js";
import { EKS_REQUEST_TIMEOUT_MS } from "../../lambdas/adapters/eks/eks-client.js";
import { AwsEksControlPlane } from "../../lambdas/adapters/eks/eks-control-plane.js";
import { AwsEksLookup } from "../../lambdas/adapters/eks/eks-lookup.js";
import { EksUnavailableError } from "../../lambdas/ports.js";

process.env.AWS_ACCESS_KEY_ID = "testing";
process.env.AWS_SECRET_ACCESS_KEY = "testing";

const ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/lost";
const EKS: EksClusterInfo = {
  arn: ARN,
  name: "lost",
  region: "eu-west-1",
  version: "1.33",
  endpoint: null,
  status: "ACTIVE",
  platformVersion: null,
  tags: {},
  roleArn: "arn:aws:iam::123456789012:role/eks",
  vpcConfig: { subnetIds: ["subnet-a"], securityGroupIds: [], endpointPublicAccess: null, endpointPrivateAccess: null, publicAccessCidrs: [] },
  kubernetesNetworkConfig: { serviceIpv4Cidr: null, ipFamily: null },
  logging: [],
  describedAt: "2026-12-04T00:00:00.000Z",
};

describe("an EKS API that never answers", () => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  let endpoint: string;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test("registration's DescribeCluster gives up with EksUnavailableError", async () => {
    const lookup = new AwsEksLookup({ endpoint, clock: () => new Date(), maxAttempts: 1 });
    await assert.rejects(lookup.describe(ARN), (error: unknown) => {
      assert.ok(error instanceof EksUnavailableError, String(error));
      assert.match(
        error.message,
        new RegExp(`could not reach the EKS API in eu-west-1: .*exceeded the configured ${EKS_REQUEST_TIMEOUT_MS} ms requestTimeout`),
      );
      return true;
    });
  });

  test("a rebuild's EKS call gives up with EksUnavailableError after its two attempts", async () => {
    const plane = new AwsEksControlPlane({ endpoint });
    const before = connections;
    await assert.rejects(plane.state(EKS), (error: unknown) => {
      assert.ok(error instanceof EksUnavailableError, String(error));
      assert.match(
        error.message,
        new RegExp(`could not describe EKS cluster lost in eu-west-1: .*exceeded the configured ${EKS_REQUEST_TIMEOUT_MS} ms requestTimeout`),
      );
      return true;
    });
    assert.equal(connections - before, 2, "one connection per attempt");
  });
});
