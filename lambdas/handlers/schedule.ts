import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import { SqsGenerationQueue } from "../adapters/queue/sqs.js";
import { parseEnvironment, ScheduleEnvironment } from "./environment.js";
import { observability } from "./observability.js";

const { logger } = observability("radial-schedule");
const queue = new SqsGenerationQueue(new SQSClient({}), parseEnvironment(ScheduleEnvironment, process.env).RADIAL_GENERATION_QUEUE_URL);

/** The EventBridge Scheduler schedule's target: queues a scheduled run (the embedded hub's interval timer, on AWS). */
export const handler = middy(async (): Promise<void> => {
  await queue.send({ trigger: "schedule" });
  logger.info("scheduled generation run queued");
}).use(injectLambdaContext(logger));
