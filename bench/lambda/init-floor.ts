// The floor under the API function's cold init: a handler that does at init only what issue 13
// itself requires of every hub function, and nothing of the hub — Powertools Logger and Metrics,
// the DynamoDB document client, and the API's secrets read from Secrets Manager with Powertools
// Parameters (read at init so that a missing one stops the init naming it). bench/lambda.ts runs it
// beside hello-world and the API: no API built on these parts can start faster than it does.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { getSecret } from "@aws-lambda-powertools/parameters/secrets";

const logger = new Logger({ serviceName: "init-floor" });
const metrics = new Metrics({ namespace: "Radial", serviceName: "init-floor" });
const secretIds = [process.env.RADIAL_GIT_SECRET_ID, process.env.RADIAL_AGENT_GIT_SECRET_ID, process.env.RADIAL_WEBHOOK_SECRET_ID];
const secrets = await Promise.all(secretIds.filter((id) => id !== undefined).map((id) => getSecret(id, { maxAge: 300 })));
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = () => {
  logger.debug("init floor", { secrets: secrets.length, table: typeof table });
  metrics.addMetric("requests", "Count", 1);
  return Promise.resolve({ statusCode: 200, body: "floor" });
};
