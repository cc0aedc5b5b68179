import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { join } from "node:path";
import { GenerationService } from "./generation/generation-service.js";
import { DynamoDBGenerationHistory } from "./generation/history.js";
import { DynamoDBGenerationLease } from "./generation/lease.js";
import { KustomizeBinary } from "./generator/hydrate/index.js";
import { GitRepository } from "./git/index.js";
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
  /** Local scratch space: the git object store lives in `<workDir>/git`. Default /tmp/radial (Lambda's writable disk). */
  workDir?: string;
  /** Where failures of background generation runs are reported. */
  onBackgroundError?: (error: unknown, what: string) => void;
}

/** The default grace period of a rotated-out agent token: long enough to roll the new Secret out. */
export const DEFAULT_TOKEN_GRACE_SECONDS = 3600;

/**
 * Wires the domain to its adapters, from configuration the Lambda environment or the local
 * server supplies: RADIAL_REPO_URL, RADIAL_AGENT_IMAGE, RADIAL_TOKEN_GRACE_SECONDS and
 * RADIAL_EKS_ENDPOINT (another EKS API, such as moto in tests). Generation is configured only when
 * RADIAL_REPO_URL is set (the fleet repo, which also holds the deploy branches), with
 * RADIAL_SOURCE_BRANCH (default main), RADIAL_GIT_USERNAME / RADIAL_GIT_PASSWORD, RADIAL_KUSTOMIZE
 * (default `kustomize` on PATH), RADIAL_WEBHOOK_SECRET, and RADIAL_GENERATE_ON_CHANGE (default
 * true: a run after every inventory change).
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
  return {
    dynamodb: config.dynamodb,
    tableName: config.tableName,
    version: VERSION,
    registry,
    adminTokenHash: config.adminTokenHash,
    metrics: new HubMetrics(),
    generation: createGenerationService(config, registry, clock),
    webhookSecret: config.env.RADIAL_WEBHOOK_SECRET,
    generateOnChange: config.env.RADIAL_GENERATE_ON_CHANGE !== "false",
  };
}

function createGenerationService(config: HubConfig, registry: ClusterRegistry, clock: () => Date): GenerationService | null {
  const env = config.env;
  const url = env.RADIAL_REPO_URL;
  if (!url) return null;
  const username = env.RADIAL_GIT_USERNAME;
  const auth = username ? { username, password: env.RADIAL_GIT_PASSWORD ?? "" } : undefined;
  const repo = new GitRepository({ url, dir: join(config.workDir ?? "/tmp/radial", "git"), ...(auth ? { auth } : {}) });
  return new GenerationService({
    lease: new DynamoDBGenerationLease(config.dynamodb, config.tableName),
    history: new DynamoDBGenerationHistory(config.dynamodb, config.tableName, clock),
    registry,
    clock,
    run: {
      fleet: repo,
      deploy: repo,
      sourceBranch: env.RADIAL_SOURCE_BRANCH || "main",
      kustomize: KustomizeBinary(env.RADIAL_KUSTOMIZE || "kustomize"),
      clock,
      author: { name: "Radial Hub", email: "hub@radial.invalid" },
    },
    onBackgroundError: (error, trigger) => config.onBackgroundError?.(error, `generation run (trigger ${trigger})`),
  });
}
