import { RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { LOG_RETENTION } from "./hub-function.js";
import type { ApiRoute } from "./routes.js";

/** One line of JSON per request: who called what, and how it ended. */
const ACCESS_LOG = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    time: "$context.requestTime",
    ip: "$context.identity.sourceIp",
    caller: "$context.identity.userArn",
    // A console call's caller is the identity pool's role; this names the signed-in operator's identity.
    cognitoIdentity: "$context.identity.cognitoIdentityId",
    routeKey: "$context.routeKey",
    path: "$context.path",
    status: "$context.status",
    latencyMs: "$context.responseLatency",
    responseBytes: "$context.responseLength",
    error: "$context.error.message",
    authorizerError: "$context.authorizer.error",
    integrationError: "$context.integrationErrorMessage",
  }),
);

/**
 * The hub's HTTP API (API Gateway v2, payload format 2.0). Operators' routes (`admin`) need a
 * SigV4-signed request that IAM allows (the IAM authorizer); the hub then trusts the authorizer's
 * identity instead of an admin token. Agent, webhook and public routes pass unauthenticated to the
 * hub, which checks the agent's token or the webhook's signature itself. Any other path is IAM's
 * too (the catch-all route), so a signed request with a wrong path or method gets the hub's own 404
 * or 405, and an unsigned one nothing of the hub.
 */
export class HubHttpApi extends Construct {
  readonly api: HttpApi;
  /** The routes without IAM (agent, webhook, public), once mounted. */
  readonly openRoutes: HttpRoute[] = [];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new HttpApi(this, "Api", {
      description: "Radial hub",
      createDefaultStage: false,
      // Fail closed: a route is IAM-authorized unless the route table says otherwise.
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const logs = new LogGroup(this, "AccessLogs", { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
    new HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(logs), format: ACCESS_LOG },
      throttle: { rateLimit: 1000, burstLimit: 500 },
    });
  }

  /** Mounts the hub's routes (`apiRoutes()`) and the catch-all route on `handler`, the API function. */
  mount(routes: ApiRoute[], handler: IFunction): void {
    const integration = new HttpLambdaIntegration("Hub", handler);
    new HttpRoute(this, "CatchAll", { httpApi: this.api, routeKey: HttpRouteKey.DEFAULT, integration, authorizer: new HttpIamAuthorizer() });
    for (const route of routes) {
      const admin = route.auth === "admin";
      const added = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: admin ? new HttpIamAuthorizer() : new HttpNoneAuthorizer(),
      });
      if (!admin) this.openRoutes.push(...added);
    }
  }
}
