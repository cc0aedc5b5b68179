import * as z from "zod";

/**
 * The Lambda functions' environment variables: what the CDK stack sets on each function, and what
 * each handler parses at init (a bad value stops the init with a message naming the variable).
 * Nothing secret is here: secrets live in Secrets Manager and the environment names them by id
 * (ARN or name); the handlers read them with Powertools Parameters (see secrets.ts). The AWS SDK's
 * own variables (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE> in tests) and Powertools' (POWERTOOLS_*)
 * are theirs to read.
 *
 * Secret values, as JSON strings:
 * - RADIAL_GIT_SECRET_ID: `{ "username", "password", "credentials"?: { "<URL prefix>": { "username", "password" } } }`,
 *   the hub's credential for the fleet repo (it writes every deploy branch) and, by prefix, other source repositories.
 * - RADIAL_AGENT_GIT_SECRET_ID: `{ "username", "password" }`, the read-only credential bootstrap manifests give agents.
 * - RADIAL_WEBHOOK_SECRET_ID: the webhook's shared secret as the whole secret string.
 * - RADIAL_HELM_SECRET_ID: `{ "<chart repository URL prefix>": { "username"?, "password"?, "plainHttp"? } }`, the
 *   worker's chart repository credentials (RADIAL_HELM_REPOSITORIES' shape); `{}` is none.
 */

const wholeSeconds = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${name} must be a whole number of seconds` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `${name} must be from ${min} to ${max} seconds` });

const boolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** A secret's id as Secrets Manager takes it: a name or an ARN. */
const secretId = z.string().min(1).max(2048);

/** Every variable any function reads; each function's schema below picks its own. */
const variables = {
  /** The inventory table (the stack's one table). */
  RADIAL_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/),
  /** The generation queue: an SQS FIFO queue whose one message group serializes runs. */
  RADIAL_GENERATION_QUEUE_URL: z.url(),
  /**
   * The generation queue's dead-letter queue (FIFO): the worker moves a message it cannot parse
   * there with the reason. Unset, such a message is failed until the queue's redrive moves it (the
   * reason then only in the history and the log).
   */
  RADIAL_GENERATION_DLQ_URL: z.url().optional(),
  /** Where agents reach the hub: the HTTP API's URL. */
  RADIAL_HUB_URL: z.url(),
  /** The fleet repo (generator files, and the deploy branches the hub writes). Unset: no generation. */
  RADIAL_REPO_URL: z.url().optional(),
  RADIAL_SOURCE_BRANCH: z.string().min(1).default("main"),
  /** The agent image bootstrap manifests name. */
  RADIAL_AGENT_IMAGE: z.string().min(1).optional(),
  /** How often agents report; a cluster silent for three intervals is stale. */
  RADIAL_POLL_INTERVAL_SECONDS: wholeSeconds("RADIAL_POLL_INTERVAL_SECONDS", 5, 3600).default(30),
  /** How long a rotated-out agent token keeps working. */
  RADIAL_TOKEN_GRACE_SECONDS: wholeSeconds("RADIAL_TOKEN_GRACE_SECONDS", 0, 7 * 24 * 3600).default(3600),
  /** Whether an inventory change enqueues a generation run. */
  RADIAL_GENERATE_ON_CHANGE: boolean.default(true),
  RADIAL_GIT_SECRET_ID: secretId.optional(),
  RADIAL_AGENT_GIT_SECRET_ID: secretId.optional(),
  RADIAL_WEBHOOK_SECRET_ID: secretId.optional(),
  RADIAL_HELM_SECRET_ID: secretId.optional(),
  /** The kustomize binary; on AWS the worker's layer puts it on PATH (/opt/bin). */
  RADIAL_KUSTOMIZE: z.string().min(1).default("kustomize"),
  /** Another EKS API endpoint (moto in tests); unset on AWS. */
  RADIAL_EKS_ENDPOINT: z.url().optional(),
};

const pick = <K extends keyof typeof variables>(...keys: K[]) =>
  z.object(Object.fromEntries(keys.map((key) => [key, variables[key]])) as Pick<typeof variables, K>);

/** The HTTP API function: the whole hub but the runs themselves, which it enqueues. */
export const ApiEnvironment = pick(
  "RADIAL_TABLE_NAME",
  "RADIAL_GENERATION_QUEUE_URL",
  "RADIAL_HUB_URL",
  "RADIAL_REPO_URL",
  "RADIAL_SOURCE_BRANCH",
  "RADIAL_AGENT_IMAGE",
  "RADIAL_POLL_INTERVAL_SECONDS",
  "RADIAL_TOKEN_GRACE_SECONDS",
  "RADIAL_GENERATE_ON_CHANGE",
  "RADIAL_GIT_SECRET_ID",
  "RADIAL_AGENT_GIT_SECRET_ID",
  "RADIAL_WEBHOOK_SECRET_ID",
  "RADIAL_EKS_ENDPOINT",
);
export type ApiEnvironment = z.infer<typeof ApiEnvironment>;

/** The generation worker: drains the queue, one run at a time, and writes the deploy branches. */
export const WorkerEnvironment = pick(
  "RADIAL_TABLE_NAME",
  "RADIAL_GENERATION_QUEUE_URL",
  "RADIAL_GENERATION_DLQ_URL",
  "RADIAL_REPO_URL",
  "RADIAL_SOURCE_BRANCH",
  "RADIAL_GIT_SECRET_ID",
  "RADIAL_HELM_SECRET_ID",
  "RADIAL_KUSTOMIZE",
);
export type WorkerEnvironment = z.infer<typeof WorkerEnvironment>;

/** The schedules' target (EventBridge Scheduler): queues a scheduled run, or polls the fleet repo's source branch; counts stale clusters. */
export const ScheduleEnvironment = pick(
  "RADIAL_TABLE_NAME",
  "RADIAL_GENERATION_QUEUE_URL",
  "RADIAL_REPO_URL",
  "RADIAL_SOURCE_BRANCH",
  "RADIAL_POLL_INTERVAL_SECONDS",
  "RADIAL_GIT_SECRET_ID",
);
export type ScheduleEnvironment = z.infer<typeof ScheduleEnvironment>;

/** Parses a function's environment; a bad or missing variable stops the init naming it. */
export function parseEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new Error(`the function's environment is not usable: ${problems.join("; ")}`);
}
