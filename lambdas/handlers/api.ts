import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { createApiHandler } from "../http/api-handler.js";
import { ApiEnvironment, parseEnvironment } from "./environment.js";
import { lambdaHub } from "./lambda-context.js";
import { EmfHubMetrics, logsAndMetrics } from "./emf.js";

// No Powertools Tracer here (see emf.ts): the bundle stays under 1 MB and its cold start short.
const { logger, metrics } = logsAndMetrics("radial-api");
const hub = await lambdaHub(parseEnvironment(ApiEnvironment, process.env), logger, { metrics: new EmfHubMetrics(metrics) });

/** The HTTP API's Lambda entry point (API Gateway v2, payload format 2.0). */
// Operators sign with SigV4; API Gateway's IAM authorizer checks it and the hub takes the caller from the event.
export const handler = middy(createApiHandler(hub.context, logger, { mode: "iam" }))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
