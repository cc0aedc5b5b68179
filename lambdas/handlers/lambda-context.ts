import type { Logger } from "@aws-lambda-powertools/logger";
import { createHub } from "../composition.js";
import type { HubContext } from "../hub-context.js";

/** The hub context every Lambda builds from its environment; the CDK stack sets TABLE_NAME, RADIAL_HUB_URL and ADMIN_TOKEN_HASH. */
export function lambdaHubContext(logger: Logger): HubContext {
  return createHub({
    inventory: { tableName: process.env.TABLE_NAME ?? "radial" },
    hubUrl: process.env.RADIAL_HUB_URL ?? "",
    adminTokenHash: process.env.ADMIN_TOKEN_HASH ?? "",
    env: process.env,
    logger,
    onBackgroundError: (error, what) => logger.error(`${what} failed`, { error: error as Error }),
  }).context;
}
