import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { workerHandler } from "../generation/worker.js";
import { createHubContext } from "../hub-context.js";

const logger = new Logger({ serviceName: "radial-generation" });

/**
 * The Lambda entry point of scheduled runs (an EventBridge rule) and of background triggers
 * dispatched asynchronously; the CDK stack sets TABLE_NAME and the generation settings.
 */
export const handler = middy(
  workerHandler(
    createHubContext({
      dynamodb: new DynamoDBClient({}),
      tableName: process.env.TABLE_NAME ?? "radial",
      hubUrl: process.env.RADIAL_HUB_URL ?? "",
      adminTokenHash: process.env.ADMIN_TOKEN_HASH ?? "",
      env: process.env,
      onBackgroundError: (error, what) => logger.error(`${what} failed`, { error: error as Error }),
    }).generation,
  ),
).use(injectLambdaContext(logger));
