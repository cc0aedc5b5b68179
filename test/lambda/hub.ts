// The hub as it runs on AWS, on this machine: the API, worker and schedule functions' assets from
// `cdk synth` under the Lambda runtime (function.ts), the table, queues, secrets and schedules made
// from the synthesized template (stack.ts) in DynamoDB Local and moto, and the real git server. Lambda's
// SQS event source mapping cannot run here (it is AWS's poller, not code we could start), so
// `drain` does its job: receives batches from the moto queue, invokes the worker with each as an
// SQS event, and deletes what the worker did not report as failed.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from "aws-lambda";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { startMoto } from "../engines/moto.js";
import { logicalIdOf, synthesizedHub } from "../infra/synth.js";
import { bundleFunction } from "./bundles.js";
import { httpEvent, sqsEvent, type HttpRequest } from "./events.js";
import { startFunction, type LambdaFunction } from "./function.js";
import { createQueues, createSchedules, createSecrets, createTable, functionByArn, functionEnvironment, parameters, type References } from "./stack.js";

export const GIT_AUTH = { username: "hub", password: "hub-secret-password" };
export const WEBHOOK_SECRET = "webhook-secret-0123456789";
const AGENT_GIT_AUTH = { username: "agent", password: "agent-read-only-password" };
const HUB_URL = "https://hub.radial.test";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface LambdaHub {
  git: GitServer;
  repoUrl: string;
  /** The API function's environment: the template's, resolved, with the local engines' endpoints. */
  env: Record<string, string>;
  /** One request to the API function; its answer with the body parsed. */
  api(method: string, path: string, request?: HttpRequest): Promise<{ status: number; body: unknown }>;
  /** Starts another instance of the worker function (a second Lambda instance), `env` over the template's. */
  worker(env?: Record<string, string>): Promise<LambdaFunction>;
  /** Puts a new value in the secret whose logical id starts with `prefix`; instances started afterwards read it. */
  putSecret(prefix: string, value: string): Promise<void>;
  /** Receives batches of the generation queue and hands each to `worker` until the queue is empty, as the event source mapping does; returns the batches' sizes. */
  drain(worker: LambdaFunction): Promise<number[]>;
  startApi(env?: Record<string, string>): Promise<LambdaFunction>;
  /** Starts another instance of the schedule function, `env` over the template's (invoke it with `{"action":"poll"}` or `{"action":"run"}`). */
  startSchedule(env?: Record<string, string>): Promise<LambdaFunction>;
  /**
   * Fires the EventBridge Scheduler schedule whose logical id starts with `schedule` as Scheduler
   * would: reads it back from moto and invokes its target, the schedule function (one warm
   * instance, started at the first fire), with its input; resolves with what the function returned.
   */
  fire(schedule: string): Promise<unknown>;
  /** The schedule function's output so far (its JSON log lines, EMF included), once fired. */
  scheduleOutput(): string;
  stop(): Promise<void>;
}

export async function startLambdaHub(fleet: Record<string, string> | ((url: string) => Record<string, string>)): Promise<LambdaHub> {
  const [dynamo, moto, git, assembly] = await Promise.all([startDynamoDBLocal(), startMoto(), startGitServer({ auth: GIT_AUTH }), synthesizedHub()]);
  const stops: (() => Promise<unknown>)[] = [() => dynamo.stop(), () => moto.stop(), () => git.stop()];
  const functions: LambdaFunction[] = [];
  const region = "us-east-1";
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  const sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
  const secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region, credentials });
  const scheduler = new SchedulerClient({ endpoint: moto.endpoint, region, credentials });
  const repoUrl = `${git.url}/fleet.git`;
  const refs: References = new Map([[`${logicalIdOf(assembly, "AWS::ApiGatewayV2::Api", "HttpApi")}.ApiEndpoint`, HUB_URL]]);
  // Agents report every 5 s (the least allowed), so a cluster turns stale after 15 s of silence: the schedule's stale count is seen without a long wait.
  parameters(assembly, { RepoUrl: repoUrl, PollIntervalSeconds: "5" }, refs);
  await createTable(dynamodb, assembly, "radial", refs);
  await createQueues(sqs, assembly, refs);
  const secretValues = {
    SecretsGitCredentials: JSON.stringify(GIT_AUTH),
    SecretsAgentGitCredentials: JSON.stringify(AGENT_GIT_AUTH),
    SecretsWebhookSecret: WEBHOOK_SECRET,
  };
  await createSecrets(secrets, assembly, secretValues, refs);
  const [api, worker, schedule, kustomize] = await Promise.all([
    bundleFunction("api"),
    bundleFunction("worker"),
    bundleFunction("schedule"),
    installKustomize(),
  ]);
  for (const fn of [api, worker, schedule]) refs.set(`${fn.logicalId}.Arn`, `arn:aws:lambda:${region}:123456789012:function:${fn.logicalId}`);
  const invoker = logicalIdOf(assembly, "AWS::IAM::Role", "GenerationScheduleInvoker");
  refs.set(`${invoker}.Arn`, `arn:aws:iam::123456789012:role/${invoker}`);
  await createSchedules(scheduler, assembly, refs);
  const queueUrl = refs.get(logicalIdOf(assembly, "AWS::SQS::Queue", "GenerationQueue"))!;
  const queueArn = refs.get(`${logicalIdOf(assembly, "AWS::SQS::Queue", "GenerationQueue")}.Arn`)!;
  await git.createRepo("fleet", { seed: typeof fleet === "function" ? fleet(repoUrl) : fleet });
  const local = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: moto.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    // The emulator gives invocations no trace context (function.ts), so a Tracer on would only log
    // that it is missing at each one; the tracing test turns it on for its own instances.
    POWERTOOLS_TRACE_ENABLED: "false",
  };
  const envOf = (fn: { logicalId: string }) => ({ ...functionEnvironment(assembly, fn.logicalId, refs), ...local });
  // The layer's kustomize is built for linux/arm64; this machine runs the same version built for itself.
  const workerEnv = { ...envOf(worker), RADIAL_KUSTOMIZE: kustomize };
  const apiEnv = envOf(api);
  const started = async (dir: string, env: Record<string, string>, name: string) => {
    const fn = await startFunction(dir, env, name);
    functions.push(fn);
    return fn;
  };
  const apiFunction = await started(api.dir, apiEnv, "api");
  let scheduleFunction: LambdaFunction | undefined;
  return {
    git,
    repoUrl,
    env: apiEnv,
    async api(method, path, request = {}) {
      const { result } = await apiFunction.invoke(httpEvent(method, path, request));
      const answer = result as APIGatewayProxyStructuredResultV2;
      return { status: answer.statusCode ?? 0, body: answer.body ? (JSON.parse(answer.body) as unknown) : undefined };
    },
    worker: (env = {}) => started(worker.dir, { ...workerEnv, ...env }, `worker-${functions.length}`),
    async putSecret(prefix, value) {
      const arn = refs.get(logicalIdOf(assembly, "AWS::SecretsManager::Secret", prefix))!;
      await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }));
    },
    async drain(fn) {
      const sizes: number[] = [];
      for (;;) {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] }));
        const messages = received.Messages ?? [];
        if (messages.length === 0) return sizes;
        sizes.push(messages.length);
        const { result } = await fn.invoke(sqsEvent(messages, queueArn));
        const failed = new Set((result as SQSBatchResponse).batchItemFailures.map((failure) => failure.itemIdentifier));
        const done = messages.filter((message) => !failed.has(message.MessageId ?? ""));
        if (done.length > 0) {
          const entries = done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! }));
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        }
        if (failed.size > 0) return sizes;
      }
    },
    startApi: (env = {}) => started(api.dir, { ...apiEnv, ...env }, "api-extra"),
    startSchedule: (env = {}) => started(schedule.dir, { ...envOf(schedule), ...env }, "schedule-extra"),
    async fire(name) {
      const { Target } = await scheduler.send(new GetScheduleCommand({ Name: logicalIdOf(assembly, "AWS::Scheduler::Schedule", name) }));
      const target = functionByArn(Target?.Arn ?? "", refs);
      if (target !== schedule.logicalId) throw new Error(`schedule ${name} targets ${target}, not the schedule function`);
      scheduleFunction ??= await started(schedule.dir, envOf(schedule), "schedule");
      return (await scheduleFunction.invoke(JSON.parse(Target?.Input ?? "{}"))).result;
    },
    scheduleOutput: () => scheduleFunction?.output() ?? "",
    async stop() {
      await Promise.all(functions.map((fn) => fn.stop()));
      dynamodb.destroy();
      sqs.destroy();
      secrets.destroy();
      scheduler.destroy();
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}
