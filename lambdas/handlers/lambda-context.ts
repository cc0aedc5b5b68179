import type { Logger } from "@aws-lambda-powertools/logger";
import type { AwsClientHook } from "../adapters/aws-clients.js";
import { createHub, type GenerationRunnerFactory, type Hub } from "../composition.js";
import type { GenerationLog } from "../generate/service.js";
import type { HubMetrics } from "../http/metrics.js";
import type { ApiEnvironment, WorkerEnvironment } from "./environment.js";
import { AgentGitSecret, GitSecret, HelmSecret, readSecret, WebhookSecret } from "./secrets.js";

type FunctionEnvironment = Partial<ApiEnvironment & WorkerEnvironment> & Pick<WorkerEnvironment, "RADIAL_TABLE_NAME" | "RADIAL_GENERATION_QUEUE_URL">;

/**
 * The hub as a function builds it at init: its parsed environment (environment.ts) and its secrets
 * (secrets.ts) become the settings `createHub` reads, in memory only. Operators authenticate with
 * IAM on AWS (the HTTP API's authorizer), so no admin token is configured. Only the worker passes
 * a `runner` (generation-runner.ts): the API function queues runs, so its bundle has no pipeline.
 * `awsClients` is applied to every AWS SDK client the hub builds: the worker and schedule functions
 * pass Powertools Tracer's captureAWSv3Client (observability.ts). Not to the secrets' client: its
 * reads happen here, at init, outside any invocation's trace (see observability.ts).
 */
export async function lambdaHub(
  env: FunctionEnvironment,
  logger: Logger,
  options: { metrics?: HubMetrics; generationLog?: GenerationLog; runner?: GenerationRunnerFactory; awsClients?: AwsClientHook } = {},
): Promise<Hub> {
  return createHub({
    inventory: { tableName: env.RADIAL_TABLE_NAME },
    hubUrl: env.RADIAL_HUB_URL ?? "",
    adminTokenHash: "",
    env: await hubSettings(env),
    logger: options.generationLog ?? logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.awsClients ? { awsClients: options.awsClients } : {}),
    onBackgroundError: (error, what) => logger.error(`${what} failed`, { error: error as Error }),
  });
}

/** The settings createHub reads (composition.ts), from the environment and the secrets it names. */
async function hubSettings(env: FunctionEnvironment): Promise<NodeJS.ProcessEnv> {
  const settings: NodeJS.ProcessEnv = {
    RADIAL_GENERATION_QUEUE_URL: env.RADIAL_GENERATION_QUEUE_URL,
    RADIAL_REPO_URL: env.RADIAL_REPO_URL,
    RADIAL_SOURCE_BRANCH: env.RADIAL_SOURCE_BRANCH,
    RADIAL_AGENT_IMAGE: env.RADIAL_AGENT_IMAGE,
    RADIAL_POLL_INTERVAL_SECONDS: env.RADIAL_POLL_INTERVAL_SECONDS?.toString(),
    RADIAL_TOKEN_GRACE_SECONDS: env.RADIAL_TOKEN_GRACE_SECONDS?.toString(),
    RADIAL_GENERATE_ON_CHANGE: env.RADIAL_GENERATE_ON_CHANGE === false ? "false" : "true",
    RADIAL_KUSTOMIZE: env.RADIAL_KUSTOMIZE,
    RADIAL_EKS_ENDPOINT: env.RADIAL_EKS_ENDPOINT,
  };
  const [git, agentGit, webhook, helm] = await Promise.all([
    env.RADIAL_GIT_SECRET_ID ? readSecret("git credential", env.RADIAL_GIT_SECRET_ID, GitSecret) : undefined,
    env.RADIAL_AGENT_GIT_SECRET_ID ? readSecret("agent git credential", env.RADIAL_AGENT_GIT_SECRET_ID, AgentGitSecret) : undefined,
    env.RADIAL_WEBHOOK_SECRET_ID ? readSecret("webhook", env.RADIAL_WEBHOOK_SECRET_ID, WebhookSecret) : undefined,
    env.RADIAL_HELM_SECRET_ID ? readSecret("helm repositories", env.RADIAL_HELM_SECRET_ID, HelmSecret) : undefined,
  ]);
  if (git) {
    Object.assign(settings, { RADIAL_GIT_USERNAME: git.username, RADIAL_GIT_PASSWORD: git.password });
    if (git.credentials) settings.RADIAL_GIT_CREDENTIALS = JSON.stringify(git.credentials);
  }
  if (agentGit) Object.assign(settings, { RADIAL_AGENT_GIT_USERNAME: agentGit.username, RADIAL_AGENT_GIT_PASSWORD: agentGit.password });
  if (webhook) settings.RADIAL_WEBHOOK_SECRET = webhook;
  if (helm) settings.RADIAL_HELM_REPOSITORIES = JSON.stringify(helm);
  return settings;
}
