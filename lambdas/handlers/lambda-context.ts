import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createHubContext } from "../composition.js";
import type { HubContext } from "../http/routes.js";

/** The hub context every Lambda builds from its environment; the CDK stack sets TABLE_NAME, RADIAL_HUB_URL and ADMIN_TOKEN_HASH. */
export function lambdaHubContext(logger: Logger): HubContext {
  return createHubContext({
    dynamodb: new DynamoDBClient({}),
    tableName: process.env.TABLE_NAME ?? "radial",
    hubUrl: process.env.RADIAL_HUB_URL ?? "",
    adminTokenHash: process.env.ADMIN_TOKEN_HASH ?? "",
    env: process.env,
    onBackgroundError: (error, what) => logger.error(`${what} failed`, { error: error as Error }),
  });
}
