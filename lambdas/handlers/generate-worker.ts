import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { SqsDeadLetters } from "../adapters/queue/sqs.js";
import { workBatch } from "../generate/worker.js";
import { generationRunner } from "../generation-runner.js";
import { parseEnvironment, WorkerEnvironment } from "./environment.js";
import { lambdaHub } from "./lambda-context.js";
import { emfGenerationLog, observability } from "./observability.js";

const { logger, metrics, tracer, awsClients } = observability("radial-generate-worker");
const env = parseEnvironment(WorkerEnvironment, process.env);
const hub = await lambdaHub(env, logger, { generationLog: emfGenerationLog(logger, metrics), runner: generationRunner, awsClients });
const generation = hub.context.generation;
if (!generation) throw new Error("generation is not configured: set RADIAL_REPO_URL on the worker function");
const deadLetterQueue = env.RADIAL_GENERATION_DLQ_URL;
const deadLetters = deadLetterQueue ? new SqsDeadLetters(deadLetterQueue, awsClients) : undefined;

/** Without a dead-letter queue URL, a bad message fails until the queue's redrive policy moves it. */
async function deadLetter(message: { messageId: string; body: string }, reason: string): Promise<void> {
  if (!deadLetters) throw new Error(`message ${message.messageId} cannot be processed (${reason}); RADIAL_GENERATION_DLQ_URL is unset`);
  await deadLetters.send(message, reason);
}

/**
 * The generation worker: SQS delivers the FIFO queue's one message group a batch at a time, so runs
 * never overlap; messages to retry are reported as partial batch failures (ReportBatchItemFailures).
 */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failed = await workBatch(event.Records, { generation, deadLetter });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(captureLambdaHandler(tracer));
