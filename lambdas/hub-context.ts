import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AwsEksLookup } from "./eks/eks-lookup.js";
import { HubMetrics } from "./http/metrics.js";
import type { HubContext } from "./http/routes.js";
import { ClusterRegistry } from "./inventory/cluster-registry.js";
import { DynamoDBInventoryStore } from "./inventory/dynamodb-store.js";
import { VERSION } from "./version.js";

export interface HubConfig {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** Where agents reach this hub. */
  hubUrl: string;
  adminTokenHash: string;
  env: NodeJS.ProcessEnv;
}

/** The default grace period of a rotated-out agent token: long enough to roll the new Secret out. */
export const DEFAULT_TOKEN_GRACE_SECONDS = 3600;

/**
 * Wires the domain to its adapters, from configuration the Lambda environment or the local
 * server supplies: RADIAL_REPO_URL, RADIAL_AGENT_IMAGE, RADIAL_TOKEN_GRACE_SECONDS and
 * RADIAL_EKS_ENDPOINT (another EKS API, such as moto in tests).
 */
export function createHubContext(config: HubConfig): HubContext {
  const clock = () => new Date();
  const grace = Number(config.env.RADIAL_TOKEN_GRACE_SECONDS ?? DEFAULT_TOKEN_GRACE_SECONDS);
  if (!Number.isInteger(grace) || grace < 0) throw new Error(`RADIAL_TOKEN_GRACE_SECONDS must be a whole number of seconds, got ${config.env.RADIAL_TOKEN_GRACE_SECONDS}`);
  const registry = new ClusterRegistry({
    store: new DynamoDBInventoryStore(config.dynamodb, config.tableName),
    eks: new AwsEksLookup({ clock, ...(config.env.RADIAL_EKS_ENDPOINT ? { endpoint: config.env.RADIAL_EKS_ENDPOINT } : {}) }),
    clock,
    settings: {
      hubUrl: config.hubUrl,
      repoUrl: config.env.RADIAL_REPO_URL ?? null,
      agentImage: config.env.RADIAL_AGENT_IMAGE ?? `radial/agent:${VERSION}`,
      tokenGraceSeconds: grace,
    },
  });
  return { dynamodb: config.dynamodb, tableName: config.tableName, version: VERSION, registry, adminTokenHash: config.adminTokenHash, metrics: new HubMetrics() };
}
