import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { createHubContext } from "../hub-context.js";
import { createApiHandler } from "../http/api-handler.js";

const logger = new Logger({ serviceName: "radial-hub" });

/** The Lambda entry point; the CDK stack sets TABLE_NAME, RADIAL_HUB_URL and ADMIN_TOKEN_HASH. */
export const handler = middy(
  createApiHandler(
    createHubContext({
      dynamodb: new DynamoDBClient({}),
      tableName: process.env.TABLE_NAME ?? "radial",
      hubUrl: process.env.RADIAL_HUB_URL ?? "",
      adminTokenHash: process.env.ADMIN_TOKEN_HASH ?? "",
      env: process.env,
      onBackgroundError: (error, what) => logger.error(`${what} failed`, { error: error as Error }),
    }),
    logger,
  ),
).use(injectLambdaContext(logger));
