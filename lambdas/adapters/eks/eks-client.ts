import { EKSClient } from "@aws-sdk/client-eks";
import { NO_AWS_CLIENT_HOOK, type AwsClientHook } from "../aws-clients.js";

/**
 * Each attempt's bound. Registration and rebuilds call EKS from the API function, at most two calls
 * per request (rebuild-service.ts), so with two attempts each an EKS API that never answers costs a
 * request about 20 s, inside API Gateway's 30, and the caller gets the hub's own error instead of
 * API Gateway's 503. The SDK's default is no timeout at all.
 */
export const EKS_REQUEST_TIMEOUT_MS = 5_000;
const CONNECTION_TIMEOUT_MS = 2_000;

/** An EKS client for `region`; `endpoint` points it elsewhere (moto in tests); credentials from the SDK's default chain; `capture` traces it. */
export function eksClient(region: string, options: { endpoint?: string | undefined; maxAttempts: number; capture?: AwsClientHook | undefined }): EKSClient {
  const capture = options.capture ?? NO_AWS_CLIENT_HOOK;
  const client = new EKSClient({
    region,
    maxAttempts: options.maxAttempts,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: EKS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  return capture(client);
}
