import type {
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayEventRequestContextV2WithAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from "aws-lambda";
import type { ApiRequest, ApiResponse } from "./api.js";
import { HttpError } from "./http-error.js";

/** The largest request body the hub accepts; a status report of the contract's maximum fits. */
export const MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

export function fromApiGateway(event: APIGatewayProxyEventV2): Omit<ApiRequest, "params"> {
  const body = event.body === undefined ? "" : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new HttpError("payload_too_large", `request body is over ${MAX_BODY_BYTES} bytes`);
  }
  const headers = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k.toLowerCase(), v ?? ""]));
  const iamPrincipal = iamAuthorizer(event)?.userArn;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString),
    headers,
    body,
    ...(iamPrincipal ? { iamPrincipal } : {}),
  };
}

/** What API Gateway's IAM authorizer says of the caller, on routes that have it. */
function iamAuthorizer(event: APIGatewayProxyEventV2): Partial<APIGatewayEventRequestContextIAMAuthorizer["iam"]> | undefined {
  const { authorizer } = event.requestContext as Partial<APIGatewayEventRequestContextV2WithAuthorizer<Partial<APIGatewayEventRequestContextIAMAuthorizer>>>;
  return authorizer?.iam;
}

export function toApiGateway(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  const headers = { "content-type": "application/json", ...response.headers };
  if (response.body === undefined) return { statusCode: response.status, headers };
  const body =
    response.json ?? (typeof response.body === "string" && headers["content-type"] !== "application/json" ? response.body : JSON.stringify(response.body));
  return { statusCode: response.status, headers, body };
}
