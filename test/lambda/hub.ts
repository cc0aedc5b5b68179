// The hub as it runs on AWS, on this machine: the API, worker and schedule bundles under the
// Lambda runtime (function.ts), DynamoDB Local for the table, moto for SQS and Secrets Manager,
// and the real git server; SQS batches reach the worker as the event source mapping hands them.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from "aws-lambda";
import { tableDefinition } from "../../lambdas/adapters/dynamodb/table.js";
import type { ApiEnvironment, WorkerEnvironment } from "../../lambdas/handlers/environment.js";
import { startDynamoDBLocal } from "../engines/dynamodb-local.js";
import { startGitServer, type GitServer } from "../engines/git-server.js";
import { installKustomize } from "../engines/kustomize.js";
import { startMoto } from "../engines/moto.js";
import { bundleFunction } from "./bundles.js";
import { httpEvent, sqsEvent, type HttpRequest } from "./events.js";
import { startFunction, type LambdaFunction } from "./function.js";

export const GIT_AUTH = { username: "hub", password: "hub-secret-password" };
export const WEBHOOK_SECRET = "webhook-secret-0123456789";
const TABLE = "radial";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface LambdaHub {
  git: GitServer;
  repoUrl: string;
  env: Record<string, string>;
  /** One request to the API function; its answer with the body parsed. */
  api(method: string, path: string, request?: HttpRequest): Promise<{ status: number; body: unknown }>;
  /** Starts another instance of the worker function (a second Lambda instance). */
  worker(): Promise<LambdaFunction>;
  /** Receives batches of the generation queue and hands each to `worker` until the queue is empty, as the event source mapping does; returns the batches' sizes. */
  drain(worker: LambdaFunction): Promise<number[]>;
  startApi(env?: Record<string, string>): Promise<LambdaFunction>;
  stop(): Promise<void>;
}

async function createQueues(sqs: SQSClient): Promise<{ queueUrl: string; queueArn: string; dlqUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "radial-generation-dlq.fifo", Attributes: { FifoQueue: "true" } }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
  const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
  const queue = await sqs.send(
    new CreateQueueCommand({ QueueName: "radial-generation.fifo", Attributes: { FifoQueue: "true", VisibilityTimeout: "900", RedrivePolicy: redrive } }),
  );
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
  return { queueUrl: queue.QueueUrl!, queueArn: queueArn!, dlqUrl: dlq.QueueUrl! };
}

export async function startLambdaHub(fleet: Record<string, string> | ((url: string) => Record<string, string>), out: string): Promise<LambdaHub> {
  const [dynamo, moto, git] = await Promise.all([startDynamoDBLocal(), startMoto(), startGitServer({ auth: GIT_AUTH })]);
  const stops: (() => Promise<unknown>)[] = [() => dynamo.stop(), () => moto.stop(), () => git.stop()];
  const functions: LambdaFunction[] = [];
  const region = "us-east-1";
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  const sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
  const secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region, credentials });
  await dynamodb.send(new CreateTableCommand(tableDefinition(TABLE)));
  const { queueUrl, queueArn, dlqUrl } = await createQueues(sqs);
  const gitSecret = await secrets.send(new CreateSecretCommand({ Name: "radial/git", SecretString: JSON.stringify(GIT_AUTH) }));
  const webhookSecret = await secrets.send(new CreateSecretCommand({ Name: "radial/webhook", SecretString: WEBHOOK_SECRET }));
  const repoUrl = `${git.url}/fleet.git`;
  await git.createRepo("fleet", { seed: typeof fleet === "function" ? fleet(repoUrl) : fleet });
  const [api, worker, kustomize] = await Promise.all([bundleFunction("api", out), bundleFunction("worker", out), installKustomize()]);
  const endpoints = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ENDPOINT_URL_SQS: moto.endpoint, AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint };
  const shared = {
    ...endpoints,
    // No X-Ray daemon here: the tracer's segments would go nowhere.
    POWERTOOLS_TRACE_ENABLED: "false",
    RADIAL_TABLE_NAME: TABLE,
    RADIAL_GENERATION_QUEUE_URL: queueUrl,
    RADIAL_REPO_URL: repoUrl,
    RADIAL_GIT_SECRET_ID: gitSecret.ARN!,
  } satisfies Partial<Record<keyof ApiEnvironment | keyof WorkerEnvironment, string>> & Record<string, string>;
  const apiEnv = { ...shared, RADIAL_HUB_URL: "https://hub.radial.test", RADIAL_WEBHOOK_SECRET_ID: webhookSecret.ARN! };
  const workerEnv = { ...shared, RADIAL_KUSTOMIZE: kustomize, RADIAL_GENERATION_DLQ_URL: dlqUrl };
  const started = async (dir: string, env: Record<string, string>, name: string) => {
    const fn = await startFunction(dir, env, name);
    functions.push(fn);
    return fn;
  };
  const apiFunction = await started(api.dir, apiEnv, "api");
  return {
    git,
    repoUrl,
    env: apiEnv,
    async api(method, path, request = {}) {
      const { result } = await apiFunction.invoke(httpEvent(method, path, request));
      const answer = result as APIGatewayProxyStructuredResultV2;
      return { status: answer.statusCode ?? 0, body: answer.body ? (JSON.parse(answer.body) as unknown) : undefined };
    },
    worker: () => started(worker.dir, workerEnv, `worker-${functions.length}`),
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
    async stop() {
      await Promise.all(functions.map((fn) => fn.stop()));
      dynamodb.destroy();
      sqs.destroy();
      secrets.destroy();
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}
