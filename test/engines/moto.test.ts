import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateClusterCommand, DescribeClusterCommand, EKSClient, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { installMoto, startMoto } from "./moto.js";
import { timed, rssMegabytes } from "./measure.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/radial-eks";

test("moto serves the EKS API: CreateCluster, DescribeCluster, unknown cluster", { timeout: 15 * 60_000 }, async (t) => {
  const [, installSeconds] = await timed(installMoto);
  const [server, startSeconds] = await timed(startMoto);
  t.after(() => server.stop());

  const eks = new EKSClient({
    endpoint: server.endpoint,
    region: "us-west-2",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  t.after(() => eks.destroy());

  await eks.send(
    new CreateClusterCommand({
      name: "prod-eu",
      version: "1.31",
      roleArn: ROLE_ARN,
      resourcesVpcConfig: { subnetIds: ["subnet-0a1", "subnet-0b2"], securityGroupIds: ["sg-0c3"] },
      kubernetesNetworkConfig: { serviceIpv4Cidr: "10.100.0.0/16" },
      logging: { clusterLogging: [{ types: ["api", "audit"], enabled: true }] },
      tags: { team: "platform", "radial/fleet": "eu" },
    }),
  );

  const { cluster } = await eks.send(new DescribeClusterCommand({ name: "prod-eu" }));
  assert.ok(cluster);
  assert.match(cluster.arn ?? "", /^arn:aws:eks:us-west-2:\d{12}:cluster\/prod-eu$/);
  assert.equal(cluster.version, "1.31");
  assert.match(cluster.endpoint ?? "", /^https:\/\//);
  assert.equal(cluster.status, "ACTIVE");
  assert.equal(cluster.roleArn, ROLE_ARN);
  assert.deepEqual(cluster.tags, { team: "platform", "radial/fleet": "eu" });
  assert.deepEqual(cluster.resourcesVpcConfig?.subnetIds, ["subnet-0a1", "subnet-0b2"]);
  assert.deepEqual(cluster.resourcesVpcConfig.securityGroupIds, ["sg-0c3"]);
  assert.equal(cluster.kubernetesNetworkConfig?.serviceIpv4Cidr, "10.100.0.0/16");
  assert.ok(cluster.certificateAuthority?.data, "no certificate authority data");

  await assert.rejects(eks.send(new DescribeClusterCommand({ name: "no-such-cluster" })), ResourceNotFoundException);

  console.error(`moto: install ${installSeconds.toFixed(1)} s, start ${startSeconds.toFixed(2)} s, RSS ${rssMegabytes(server.pid).toFixed(0)} MB`);
});
