import type * as EksSdk from "./eks-sdk.js";
import type { EKSClient } from "@aws-sdk/client-eks";
import type { EksClusterInfo } from "../../../contract/index.js";
import { EksUnavailableError, type EksControlPlane } from "../../ports.js";
import { eksClients, eksSdk, type EksClientOptions } from "./eks-client.js";

/** The CreateCluster request that recreates `eks` as registration recorded it: nothing added, nothing left out. */
export function createClusterInput(eks: EksClusterInfo, requestToken: string) {
  const { vpcConfig: vpc, kubernetesNetworkConfig: network } = eks;
  return {
    name: eks.name,
    ...(eks.version ? { version: eks.version } : {}),
    roleArn: eks.roleArn ?? undefined,
    resourcesVpcConfig: {
      subnetIds: vpc.subnetIds,
      securityGroupIds: vpc.securityGroupIds,
      ...(vpc.endpointPublicAccess === null ? {} : { endpointPublicAccess: vpc.endpointPublicAccess }),
      ...(vpc.endpointPrivateAccess === null ? {} : { endpointPrivateAccess: vpc.endpointPrivateAccess }),
      ...(vpc.publicAccessCidrs.length > 0 ? { publicAccessCidrs: vpc.publicAccessCidrs } : {}),
    },
    ...(network.serviceIpv4Cidr || network.ipFamily
      ? {
          kubernetesNetworkConfig: {
            ...(network.serviceIpv4Cidr ? { serviceIpv4Cidr: network.serviceIpv4Cidr } : {}),
            ...(network.ipFamily ? { ipFamily: network.ipFamily as "ipv4" | "ipv6" } : {}),
          },
        }
      : {}),
    ...(eks.logging.length > 0 ? { logging: { clusterLogging: eks.logging.map((l) => ({ types: l.types as never[], enabled: l.enabled })) } } : {}),
    ...(Object.keys(eks.tags).length > 0 ? { tags: { ...eks.tags } } : {}),
    clientRequestToken: requestToken,
  };
}

/** The EKS calls of a rebuild through the AWS SDK, in the recorded cluster's region; `endpoint` points it elsewhere (moto in tests). */
export class AwsEksControlPlane implements EksControlPlane {
  private readonly client: (region: string) => Promise<EKSClient>;

  constructor(options: EksClientOptions = {}) {
    this.client = eksClients(options);
  }

  private async send<T>(eks: EksClusterInfo, what: string, call: (client: EKSClient, sdk: typeof EksSdk) => Promise<T>): Promise<T> {
    const sdk = await eksSdk();
    const { ResourceNotFoundException, ResourceInUseException } = sdk;
    try {
      return await call(await this.client(eks.region), sdk);
    } catch (error) {
      if (error instanceof ResourceNotFoundException || error instanceof ResourceInUseException) throw error;
      throw new EksUnavailableError(`could not ${what} EKS cluster ${eks.name} in ${eks.region}: ${(error as Error).message}`);
    }
  }

  async state(eks: EksClusterInfo): Promise<{ status: string; endpoint: string | null } | null> {
    const { ResourceNotFoundException } = await eksSdk();
    try {
      const { cluster } = await this.send(eks, "describe", (client, sdk) => client.send(new sdk.DescribeClusterCommand({ name: eks.name })));
      return cluster ? { status: cluster.status ?? "UNKNOWN", endpoint: cluster.endpoint ?? null } : null;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw error;
    }
  }

  async create(eks: EksClusterInfo, requestToken: string): Promise<void> {
    const { ResourceInUseException } = await eksSdk();
    try {
      await this.send(eks, "create", (client, sdk) => client.send(new sdk.CreateClusterCommand(createClusterInput(eks, requestToken))));
    } catch (error) {
      // Created already (a repeated step after a crash): the next poll finds it.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }

  async delete(eks: EksClusterInfo): Promise<void> {
    const { ResourceNotFoundException } = await eksSdk();
    try {
      await this.send(eks, "delete", (client, sdk) => client.send(new sdk.DeleteClusterCommand({ name: eks.name })));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
