import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { createApiHandler } from "../http/api-handler.js";
import { VERSION } from "../version.js";

const logger = new Logger({ serviceName: "radial-hub" });

/** The Lambda entry point; the CDK stack sets TABLE_NAME. */
export const handler = middy(createApiHandler({ dynamodb: new DynamoDBClient({}), tableName: process.env.TABLE_NAME ?? "radial", version: VERSION }, logger)).use(
  injectLambdaContext(logger),
);
