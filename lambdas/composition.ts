import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../core/version.js";
import { NO_AWS_CLIENT_HOOK, type AwsClientHook } from "./adapters/aws-clients.js";
import { InProcessQueue } from "./adapters/queue/in-process.js";
import { SqsGenerationQueue } from "./adapters/queue/sqs.js";
import { DynamoDBGenerationRuns } from "./adapters/dynamodb/generation-runs.js";
import { DynamoDBGenerationHistory } from "./adapters/dynamodb/generation-history.js";
import { DynamoDBGenerationLease } from "./adapters/dynamodb/generation-lease.js";
import { DynamoDBInventoryStore } from "./adapters/dynamodb/inventory-store.js";
import { DynamoDBRebuildStore } from "./adapters/dynamodb/rebuild-store.js";
import { DynamoDBStatusStore } from "./adapters/dynamodb/status-store.js";
import { ensureTable } from "./adapters/dynamodb/table.js";
import { DynamoDBTableHealth } from "./adapters/dynamodb/table-health.js";
import { AwsEksControlPlane } from "./adapters/eks/eks-control-plane.js";
import { AwsEksLookup } from "./adapters/eks/eks-lookup.js";
import { GitRepository } from "./adapters/git/repository.js";
import { credentialsFor, parseGitCredentials, type GitAuth } from "./adapters/git/source-repositories.js";
import { GitRefLookup } from "./adapters/git/ref-lookup.js";
import { SourcePoller } from "./generate/source-poll.js";
import { GenerationService, type GenerationLog, type GenerationRunner } from "./generate/service.js";
import { isRequestedRun, type GenerationMessage, type GenerationQueue } from "./generate/queue.js";
import { NO_HUB_METRICS, type HubMetrics } from "./http/metrics.js";
import type { HubContext } from "./hub-context.js";
import { ClusterRegistry } from "./inventory/cluster-registry.js";
import type { ClusterCapabilities } from "../contract/status-report.js";
import type { Clock } from "./ports.js";
import { CachedDeployRevisions, NO_DEPLOY_REVISIONS, type DeployRevisions } from "./status/deploy-revisions.js";
import { agentWaitSeconds, DeployHeads } from "./status/deploy-heads.js";
import { DynamoDBDeployHeadStore } from "./adapters/dynamodb/deploy-head-store.js";
import { DEFAULT_DRIFT_HISTORY, STALE_AFTER_POLL_INTERVALS, StatusService } from "./status/status-service.js";
import { DynamoDBFleetStore } from "./adapters/dynamodb/fleet-store.js";
import { pageTokenSecret } from "./adapters/dynamodb/page-token-secret.js";
import { FleetService } from "./fleet/fleet-service.js";
import { FleetSnapshots } from "./fleet/snapshot.js";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeployTree } from "./rebuild/deploy-tree.js";
import { RebuildService } from "./rebuild/rebuild-service.js";

/**
 * The hub's scratch space: `config.workDir`, else `radial` under the OS's temporary directory,
 * which on Lambda is the instance's own /tmp (TMPDIR is unset there); the emulator in the tests
 * gives each function instance a TMPDIR of its own, as Lambda gives each its own /tmp.
 */
export function workDirOf(config: Pick<HubConfig, "workDir">): string {
  return config.workDir ?? join(tmpdir(), "radial");
}

export interface HubConfig {
  /**
   * The inventory table, and the DynamoDB client's settings: none on Lambda (the SDK's defaults),
   * an endpoint with local credentials for dynalite or DynamoDB Local.
   */
  inventory: { tableName: string; client?: DynamoDBClientConfig };
  /** Where agents reach this hub. */
  hubUrl: string;
  adminTokenHash: string;
  env: NodeJS.ProcessEnv;
  /**
   * Local scratch space: the fleet repo's object store lives in `<workDir>/git`, other source
   * repositories' in `<workDir>/git-sources`. Default `<os.tmpdir()>/radial` (see workDirOf).
   */
  workDir?: string;
  /**
   * The kustomize binary when RADIAL_KUSTOMIZE is unset, found when first needed (the embedded hub
   * builds the pinned one); default `kustomize` on PATH (on AWS, the function's layer).
   */
  kustomize?: () => Promise<string>;
  /** The helm binary when RADIAL_HELM is unset, as `kustomize`; default `helm` on PATH. */
  helm?: () => Promise<string>;
  /** Where each generation run is logged. */
  logger?: GenerationLog;
  /** The hub's metrics: Prometheus in the embedded hub, CloudWatch EMF in the API function; default none. */
  metrics?: HubMetrics;
  /** Where failures of background generation runs are reported. */
  onBackgroundError?: (error: unknown, what: string) => void;
  /**
   * Runs generation in this process: `generationRunner` (generation-runner.ts), in the embedded hub
   * and the worker function. Without it the hub only queues runs for a worker elsewhere
   * (RADIAL_GENERATION_QUEUE_URL): the API function, which so bundles none of the pipeline.
   */
  runner?: GenerationRunnerFactory;
  /** Applied to every AWS SDK client the hub builds: the Lambda entry points trace them (Powertools Tracer). */
  awsClients?: AwsClientHook;
}

/** Builds the generation pipeline's runner over the fleet repo, from the hub's settings. */
export type GenerationRunnerFactory = (config: HubConfig, parts: RunnerParts) => GenerationRunner;

export interface RunnerParts {
  repo: GitRepository;
  clock: Clock;
  /** Told the heads each push wrote; never throws. */
  onWritten: (heads: ReadonlyMap<string, string>) => Promise<void>;
  /** Each cluster's capabilities as its agent last reported them, for helm. */
  capabilities: (cluster: string) => Promise<ClusterCapabilities | undefined>;
}

/** The hub as its entry points hold it: the context its routes and workers use, and what it holds open. */
export interface Hub {
  context: HubContext;
  /** Creates the inventory table when it does not exist (the embedded hub; on AWS the stack creates it). */
  ensureInventory(): Promise<void>;
  /** Closes the inventory client; background runs should be idle first (`context.generation.idle()`). */
  close(): void;
}

/** The default grace period of a rotated-out agent token: long enough to roll the new Secret out. */
export const DEFAULT_TOKEN_GRACE_SECONDS = 3600;

/** How often agents are told to report (and fetch) when RADIAL_POLL_INTERVAL_SECONDS is unset: the agent's own default. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 30;

/** How old a fleet snapshot may be when RADIAL_FLEET_REFRESH_SECONDS is unset. */
export const DEFAULT_FLEET_REFRESH_SECONDS = 5;

/**
 * The one place the domain meets its adapters, from configuration the Lambda environment or the
 * local server supplies: RADIAL_REPO_URL, RADIAL_AGENT_IMAGE, RADIAL_TOKEN_GRACE_SECONDS and
 * RADIAL_EKS_ENDPOINT (another EKS API, such as moto in tests). Generation is configured only when
 * RADIAL_REPO_URL is set (the fleet repo, which also holds the deploy branches), with
 * RADIAL_SOURCE_BRANCH (default main), RADIAL_GIT_USERNAME / RADIAL_GIT_PASSWORD (for the fleet repo
 * and other repositories on the same scheme, host and port), RADIAL_GIT_CREDENTIALS (JSON, URL
 * prefix → {username, password}, for source repositories elsewhere; the longest prefix wins),
 * RADIAL_WEBHOOK_SECRET, and RADIAL_GENERATE_ON_CHANGE (default true: a run after every inventory
 * change). Runs happen in this process only with `config.runner` (generation-runner.ts, which reads
 * the pipeline's settings); without it, RADIAL_GENERATION_QUEUE_URL must name the worker's queue.
 * RADIAL_AGENT_GIT_USERNAME / RADIAL_AGENT_GIT_PASSWORD (both or neither) is the read-only
 * credential bootstrap manifests give agents for a private fleet repo: never the hub's own.
 * RADIAL_POLL_INTERVAL_SECONDS (5-3600, default 30) is how often agents are told to report; a
 * cluster silent for three intervals is stale. RADIAL_PAGE_TOKEN_SECRET (at least 32 characters)
 * signs page tokens; unset, a secret is generated once and kept in the table.
 */
export function createHub(config: HubConfig): Hub {
  const clock: Clock = () => new Date();
  const { tableName } = config.inventory;
  const dynamodb = (config.awsClients ?? NO_AWS_CLIENT_HOOK)(new DynamoDBClient(config.inventory.client ?? {}));
  try {
    const registry = createRegistry(config, dynamodb, clock);
    const repo = fleetRepository(config);
    const deployHeads = createDeployHeads(config, dynamodb, repo, clock);
    const status = createStatusService(config, dynamodb, repo, clock, deployHeads);
    // The fleet views' own listing of the deploy heads, which a push by this process makes old.
    const fleetHeads = repo ? new CachedDeployRevisions(repo, { clock }) : null;
    const generation = repo ? createGenerationService(config, dynamodb, repo, registry, clock, deployHeads, fleetHeads) : null;
    const context: HubContext = {
      version: VERSION,
      registry,
      inventory: new DynamoDBTableHealth(dynamodb, tableName),
      adminTokenHash: config.adminTokenHash,
      metrics: config.metrics ?? NO_HUB_METRICS,
      generation,
      sourcePoll: generation && createSourcePoller(config, generation),
      deployHeads,
      status,
      rebuild: createRebuildService(config, dynamodb, { repo, registry, status, clock }),
      webhookSecret: config.env.RADIAL_WEBHOOK_SECRET,
      generateOnChange: config.env.RADIAL_GENERATE_ON_CHANGE !== "false",
      fleet: createFleetService(config, dynamodb, repo, registry, clock, fleetHeads),
    };
    return { context, ensureInventory: () => ensureTable(dynamodb, tableName), close: () => dynamodb.destroy() };
  } catch (error) {
    dynamodb.destroy();
    throw error;
  }
}

function createRegistry(config: HubConfig, dynamodb: DynamoDBClient, clock: Clock): ClusterRegistry {
  const grace = Number(config.env.RADIAL_TOKEN_GRACE_SECONDS ?? DEFAULT_TOKEN_GRACE_SECONDS);
  if (!Number.isInteger(grace) || grace < 0)
    throw new Error(`RADIAL_TOKEN_GRACE_SECONDS must be a whole number of seconds, got ${config.env.RADIAL_TOKEN_GRACE_SECONDS}`);
  return new ClusterRegistry({
    store: new DynamoDBInventoryStore(dynamodb, config.inventory.tableName, { pageTokenSecret: config.env.RADIAL_PAGE_TOKEN_SECRET }),
    eks: new AwsEksLookup({ clock, ...eksOptions(config) }),
    clock,
    settings: {
      hubUrl: config.hubUrl,
      repoUrl: config.env.RADIAL_REPO_URL ?? null,
      agentImage: config.env.RADIAL_AGENT_IMAGE ?? `radial/agent:${VERSION}`,
      agentGitAuth: agentGitAuth(config.env),
      tokenGraceSeconds: grace,
    },
  });
}

/** The EKS adapters' settings: RADIAL_EKS_ENDPOINT (another EKS API, moto in tests) and the client hook. */
function eksOptions(config: HubConfig): { endpoint?: string; capture?: AwsClientHook } {
  const endpoint = config.env.RADIAL_EKS_ENDPOINT;
  return { ...(endpoint ? { endpoint } : {}), ...(config.awsClients ? { capture: config.awsClients } : {}) };
}

/** The read-only fleet repo credential for agents; the hub's own can write every deploy branch. */
function agentGitAuth(env: NodeJS.ProcessEnv): { username: string; password: string } | null {
  const { RADIAL_AGENT_GIT_USERNAME: username, RADIAL_AGENT_GIT_PASSWORD: password } = env;
  if (!username && !password) return null;
  if (!username || !password)
    throw new Error("RADIAL_AGENT_GIT_USERNAME and RADIAL_AGENT_GIT_PASSWORD must be set together (a read-only credential for the fleet repo)");
  if (password === env.RADIAL_GIT_PASSWORD)
    throw new Error("RADIAL_AGENT_GIT_PASSWORD is the hub's own RADIAL_GIT_PASSWORD, which can write every deploy branch: give agents a read-only credential");
  return { username, password };
}

/** The fleet repo, which also holds the deploy branches; null without RADIAL_REPO_URL. */
function fleetRepository(config: HubConfig): GitRepository | null {
  const env = config.env;
  const url = env.RADIAL_REPO_URL;
  if (!url) return null;
  const auth = gitCredentials(env)(url);
  return new GitRepository({ url, dir: join(workDirOf(config), "git"), ...(auth ? { auth } : {}) });
}

/** Credentials per repository URL. The fleet repo's never leave its origin; RADIAL_GIT_CREDENTIALS names every other. */
export function gitCredentials(env: NodeJS.ProcessEnv): (url: string) => GitAuth | undefined {
  const table = parseGitCredentials(env.RADIAL_GIT_CREDENTIALS);
  const username = env.RADIAL_GIT_USERNAME;
  const fleetAuth = username ? { username, password: env.RADIAL_GIT_PASSWORD ?? "" } : undefined;
  const origin = (url: string) => (URL.canParse(url) ? new URL(url).origin : undefined);
  const fleetOrigin = origin(env.RADIAL_REPO_URL ?? "");
  return (url) => credentialsFor(url, table) ?? (fleetOrigin !== undefined && origin(url) === fleetOrigin ? fleetAuth : undefined);
}

/** A setting, or `fallback` when it is unset or empty (as a template that leaves it blank means). */
export function setting(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

/** One ls-refs of every deploy branch per TTL; null without a fleet repo. */
function deployListing(config: HubConfig, repo: GitRepository | null, clock: Clock): CachedDeployRevisions | null {
  return repo ? new CachedDeployRevisions(repo, { clock, onError: (error) => config.onBackgroundError?.(error, "listing the deploy branches") }) : null;
}

/** The heads generation pushed (kept in the table) over the listing: what reports and waiting agents are answered with. */
function createDeployHeads(config: HubConfig, dynamodb: DynamoDBClient, repo: GitRepository | null, clock: Clock): DeployHeads {
  const store = new DynamoDBDeployHeadStore(dynamodb, config.inventory.tableName);
  return new DeployHeads({ store, listing: deployListing(config, repo, clock), clock, waitSeconds: agentWaitSeconds(config.env) });
}

function createStatusService(
  config: HubConfig,
  dynamodb: DynamoDBClient,
  repo: GitRepository | null,
  clock: Clock,
  revisions: DeployRevisions = deployListing(config, repo, clock) ?? NO_DEPLOY_REVISIONS,
): StatusService {
  const text = config.env.RADIAL_POLL_INTERVAL_SECONDS;
  const pollIntervalSeconds = Number(text ?? DEFAULT_POLL_INTERVAL_SECONDS);
  if (!Number.isInteger(pollIntervalSeconds) || pollIntervalSeconds < 5 || pollIntervalSeconds > 3600) {
    throw new Error(`RADIAL_POLL_INTERVAL_SECONDS must be a whole number of seconds from 5 to 3600, got ${text}`);
  }
  return new StatusService({
    store: new DynamoDBStatusStore(dynamodb, config.inventory.tableName),
    revisions,
    clock,
    settings: { pollIntervalSeconds, repoUrl: config.env.RADIAL_REPO_URL ?? null },
  });
}

/** The source poll over the heads generation reads, with the hub's Git credentials. */
function createSourcePoller(config: HubConfig, generation: GenerationService): SourcePoller {
  const env = config.env;
  return new SourcePoller({
    generation,
    lookup: new GitRefLookup(gitCredentials(env)),
    fleet: { url: env.RADIAL_REPO_URL ?? "", sourceBranch: setting(env, "RADIAL_SOURCE_BRANCH", "main") },
    ...(config.logger ? { log: config.logger } : {}),
  });
}

function createRebuildService(
  config: HubConfig,
  dynamodb: DynamoDBClient,
  parts: { repo: GitRepository | null; registry: ClusterRegistry; status: StatusService; clock: Clock },
): RebuildService {
  const { tableName } = config.inventory;
  return new RebuildService({
    inventory: new DynamoDBInventoryStore(dynamodb, tableName),
    rebuilds: new DynamoDBRebuildStore(dynamodb, tableName),
    eks: new AwsEksControlPlane(eksOptions(config)),
    tree: new DeployTree(parts.repo),
    status: (cluster, since, incarnation) => parts.status.read(cluster, since, 0, incarnation),
    checkHubUrl: (allowLoopbackHub) => parts.registry.checkHubUrl(allowLoopbackHub),
    bootstrap: (cluster, token) => parts.registry.bootstrap(cluster, token),
    clock: parts.clock,
  });
}

/**
 * The console's read models over a snapshot refreshed at most every RADIAL_FLEET_REFRESH_SECONDS
 * (1-60, default 5) while someone reads, with its own deploy-head listing `heads` (one ls-refs per
 * 10 s, only while the fleet is read; at once after a push by this process).
 */
function createFleetService(
  config: HubConfig,
  dynamodb: DynamoDBClient,
  repo: GitRepository | null,
  registry: ClusterRegistry,
  clock: Clock,
  heads: CachedDeployRevisions | null,
): FleetService {
  const { env } = config;
  const { tableName } = config.inventory;
  const refreshSeconds = Number(env.RADIAL_FLEET_REFRESH_SECONDS ?? DEFAULT_FLEET_REFRESH_SECONDS);
  if (!Number.isInteger(refreshSeconds) || refreshSeconds < 1 || refreshSeconds > 60) {
    throw new Error(`RADIAL_FLEET_REFRESH_SECONDS must be a whole number of seconds from 1 to 60, got ${env.RADIAL_FLEET_REFRESH_SECONDS}`);
  }
  // Its own instance of the status service (it only reads).
  const status = createStatusService(config, dynamodb, repo, clock);
  const revisions = heads ?? NO_DEPLOY_REVISIONS;
  const store = new DynamoDBStatusStore(dynamodb, tableName);
  return new FleetService({
    snapshots: new FleetSnapshots({
      store: new DynamoDBFleetStore(dynamodb, tableName),
      status: store,
      revisions,
      clock,
      refreshMs: refreshSeconds * 1000,
      driftHistory: DEFAULT_DRIFT_HISTORY,
    }),
    clock,
    staleAfterMs: STALE_AFTER_POLL_INTERVALS * status.pollIntervalSeconds * 1000,
    pageTokens: pageTokenSecret(DynamoDBDocumentClient.from(dynamodb), tableName, env.RADIAL_PAGE_TOKEN_SECRET),
    registry,
    status,
    revisions,
    deploy: repo,
    history: repo && new DynamoDBGenerationHistory(dynamodb, tableName, clock, { pageTokenSecret: env.RADIAL_PAGE_TOKEN_SECRET }),
  });
}

/** RADIAL_GENERATION_QUEUE_URL (on AWS: the SQS FIFO queue the worker function drains), else this process is the worker. */
function generationQueue(config: HubConfig, worker: (message: GenerationMessage) => Promise<void>): GenerationQueue {
  const url = config.env.RADIAL_GENERATION_QUEUE_URL;
  if (url) return new SqsGenerationQueue(url, config.awsClients);
  const describe = (message: GenerationMessage) =>
    isRequestedRun(message) ? `requested generation run ${message.id}` : `generation run (trigger ${message.trigger})`;
  return new InProcessQueue(worker, (error, message) => config.onBackgroundError?.(error, describe(message)));
}

function createGenerationService(
  config: HubConfig,
  dynamodb: DynamoDBClient,
  repo: GitRepository,
  registry: ClusterRegistry,
  clock: Clock,
  deployHeads: DeployHeads,
  fleetHeads: CachedDeployRevisions | null,
): GenerationService {
  const env = config.env;
  const { tableName } = config.inventory;
  const onWritten = (heads: ReadonlyMap<string, string>) => {
    fleetHeads?.forget();
    return deployHeads.record(heads).catch((error: unknown) => config.onBackgroundError?.(error, "recording the pushed deploy heads"));
  };
  const statusStore = new DynamoDBStatusStore(dynamodb, tableName);
  const runner = config.runner?.(config, { repo, clock, onWritten, capabilities: (cluster) => statusStore.getCapabilities(cluster) });
  if (!runner && !env.RADIAL_GENERATION_QUEUE_URL) {
    throw new Error("RADIAL_REPO_URL is set, but this process neither runs generation (no runner) nor queues it for a worker (RADIAL_GENERATION_QUEUE_URL)");
  }
  return new GenerationService({
    lease: new DynamoDBGenerationLease(dynamodb, tableName),
    history: new DynamoDBGenerationHistory(dynamodb, tableName, clock, { pageTokenSecret: env.RADIAL_PAGE_TOKEN_SECRET }),
    registry,
    clock,
    fleet: { url: repo.url, sourceBranch: setting(env, "RADIAL_SOURCE_BRANCH", "main") },
    ...(runner ? { runner } : {}),
    runs: new DynamoDBGenerationRuns(dynamodb, tableName),
    queue: (worker) => generationQueue(config, worker),
    ...(config.logger ? { log: config.logger } : {}),
  });
}
