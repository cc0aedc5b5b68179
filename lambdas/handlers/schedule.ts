import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { workerHandler } from "../generate/worker.js";
import { lambdaHubContext } from "./lambda-context.js";

const logger = new Logger({ serviceName: "radial-generation" });

/** The Lambda entry point of scheduled runs (an EventBridge rule) and of background triggers dispatched asynchronously. */
export const handler = middy(workerHandler(lambdaHubContext(logger).generation)).use(injectLambdaContext(logger));
