import type { EKSClient } from "@aws-sdk/client-eks";
import type { EksClusterInfo } from "../../../contract/index.js";
import { EksClusterNotFoundError, EksUnavailableError, type Clock, type EksLookup } from "../../ports.js";
import { eksClients, eksSdk, type EksClientOptions } from "./eks-client.js";

export function parseEksArn(arn: string): { partition: string; region: string; account: string; name: string } {
  const match = /^arn:(aws(?:-cn|-us-gov)?):eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(arn);
  if (!match) throw new Error(`not an EKS cluster ARN: ${arn}`);
  return { partition: match[1]!, region: match[2]!, account: match[3]!, name: match[4]! };
}

/**
 * DescribeCluster through the AWS SDK, in the ARN's region. `endpoint` points it elsewhere
 * (moto in tests); credentials come from the SDK's default chain.
 */
export class AwsEksLookup implements EksLookup {
  private readonly client: (region: string) => Promise<EKSClient>;

  constructor(private readonly options: EksClientOptions & { clock: Clock }) {
    this.client = eksClients(options);
  }

  async describe(arn: string): Promise<EksClusterInfo> {
    const { region, name } = parseEksArn(arn);
    const { DescribeClusterCommand, ResourceNotFoundException } = await eksSdk();
    let cluster;
    try {
      ({ cluster } = await (await this.client(region)).send(new DescribeClusterCommand({ name })));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) throw new EksClusterNotFoundError(`EKS cluster ${name} does not exist in ${region} (${arn})`);
      throw new EksUnavailableError(`could not reach the EKS API in ${region}: ${(error as Error).message}`);
    }
    if (!cluster) throw new EksClusterNotFoundError(`EKS cluster ${name} does not exist in ${region} (${arn})`);
    if (cluster.arn && cluster.arn !== arn) throw new EksClusterNotFoundError(`EKS cluster ${name} in ${region} has ARN ${cluster.arn}, not ${arn}`);
    const vpc = cluster.resourcesVpcConfig;
    return {
      arn,
      name,
      region,
      version: cluster.version ?? null,
      endpoint: cluster.endpoint ?? null,
      status: cluster.status ?? null,
      platformVersion: cluster.platformVersion ?? null,
      tags: cluster.tags ?? {},
      roleArn: cluster.roleArn ?? null,
      vpcConfig: {
        subnetIds: vpc?.subnetIds ?? [],
        securityGroupIds: vpc?.securityGroupIds ?? [],
        endpointPublicAccess: vpc?.endpointPublicAccess ?? null,
        endpointPrivateAccess: vpc?.endpointPrivateAccess ?? null,
        publicAccessCidrs: vpc?.publicAccessCidrs ?? [],
      },
      kubernetesNetworkConfig: {
        serviceIpv4Cidr: cluster.kubernetesNetworkConfig?.serviceIpv4Cidr ?? null,
        ipFamily: cluster.kubernetesNetworkConfig?.ipFamily ?? null,
      },
      logging: (cluster.logging?.clusterLogging ?? []).map((l) => ({ types: l.types ?? [], enabled: l.enabled ?? false })),
      describedAt: this.options.clock().toISOString(),
    };
  }
}
