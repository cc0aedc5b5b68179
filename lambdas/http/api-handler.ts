import type { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { adminAuthenticator, type AdminAuth } from "./admin-auth.js";
import { fromApiGateway, toApiGateway } from "./apigateway.js";
import { HttpError } from "./http-error.js";
import { createRouter } from "./router.js";
import type { HubContext } from "../hub-context.js";
import { hubRoutes } from "./routes.js";

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The HTTP API as one function of an API Gateway v2 event; Lambda and the local server both call it.
 * Operators authenticate with the admin token unless `adminAuth` says IAM (the hub on AWS).
 */
export function createApiHandler(context: HubContext, logger: Logger, adminAuth: AdminAuth = { mode: "token", tokenHash: context.adminTokenHash }): ApiHandler {
  const dispatch = createRouter(hubRoutes(context), {
    authenticate: adminAuthenticator(adminAuth),
    onUnexpected: (error, request) => logger.error("unexpected error", { method: request.method, path: request.path, error: error as Error }),
    onResponse: (request, route, status, seconds) => {
      context.metrics.observeRequest(request.method, route, status, seconds);
      logger.debug("request", { method: request.method, path: request.path, route, status, ms: Math.round(seconds * 1000) });
    },
  });
  return async (event) => {
    try {
      return toApiGateway(await dispatch(fromApiGateway(event)));
    } catch (error) {
      if (error instanceof HttpError) return toApiGateway({ status: error.status, body: error.toBody() });
      throw error;
    }
  };
}
