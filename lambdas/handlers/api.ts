import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { createApiHandler } from "../http/api-handler.js";
import { lambdaHubContext } from "./lambda-context.js";

const logger = new Logger({ serviceName: "radial-hub" });

/** The HTTP API's Lambda entry point. */
export const handler = middy(createApiHandler(lambdaHubContext(logger), logger)).use(injectLambdaContext(logger));
