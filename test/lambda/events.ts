// Events as AWS sends them to the hub's functions: API Gateway v2 (payload format 2.0) requests,
// with the IAM authorizer's verdict on operator calls, and SQS batches as the event source mapping
// delivers them.
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda";
import type { Message } from "@aws-sdk/client-sqs";

export const OPERATOR_ARN = "arn:aws:iam::123456789012:user/operator";

export interface HttpRequest {
  body?: string;
  headers?: Record<string, string>;
  query?: string;
  /** The caller API Gateway's IAM authorizer verified (operator routes). */
  iamCaller?: string;
}

export function httpEvent(method: string, path: string, request: HttpRequest = {}): APIGatewayProxyEventV2 {
  const now = Date.now();
  const iam = request.iamCaller && {
    iam: {
      accessKey: "AKIA",
      accountId: "123456789012",
      callerId: "AIDA",
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: request.iamCaller,
      userId: "AIDA",
    },
  };
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: request.query ?? "",
    headers: { "content-type": "application/json", ...request.headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "radial-test" },
      requestId: `req-${now}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(iam ? { authorizer: iam } : {}),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: false,
  };
}

/** Received SQS messages as the event source mapping hands them to a function. */
export function sqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? "",
      receiptHandle: message.ReceiptHandle ?? "",
      body: message.Body ?? "",
      attributes: message.Attributes as SQSEvent["Records"][number]["attributes"],
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: "us-east-1",
    })),
  };
}
