import type * as EksSdk from "./eks-sdk.js";
import type { EKSClient } from "@aws-sdk/client-eks";
import { NO_AWS_CLIENT_HOOK, type AwsClientHook } from "../aws-clients.js";

/**
 * Each attempt's bound. Registration and rebuilds call EKS from the API function, at most two calls
 * per request (rebuild-service.ts), so with two attempts each an EKS API that never answers costs a
 * request about 20 s, inside API Gateway's 30, and the caller gets the hub's own error instead of
 * API Gateway's 503. The SDK's default is no timeout at all.
 */
export const EKS_REQUEST_TIMEOUT_MS = 5_000;
const CONNECTION_TIMEOUT_MS = 2_000;

export interface EksClientOptions {
  /** Points the clients elsewhere (moto in tests). */
  endpoint?: string | undefined;
  /** Attempts per call; 2 unless given. */
  maxAttempts?: number | undefined;
  /** Traces each client (Powertools Tracer on Lambda). */
  capture?: AwsClientHook | undefined;
}

let loading: Promise<typeof EksSdk> | undefined;

/**
 * The EKS client's module, imported at the first EKS call: only registrations by ARN and rebuilds
 * call EKS, so the API function's cold start neither loads nor (as a chunk of its own) compiles it.
 */
export function eksSdk(): Promise<typeof EksSdk> {
  loading ??= import("./eks-sdk.js");
  return loading;
}

/** One EKS client per region, made at first use; credentials from the SDK's default chain. */
export function eksClients(options: EksClientOptions): (region: string) => Promise<EKSClient> {
  const clients = new Map<string, EKSClient>();
  const capture = options.capture ?? NO_AWS_CLIENT_HOOK;
  return async (region) => {
    const { EKSClient } = await eksSdk();
    let client = clients.get(region);
    if (!client) {
      client = capture(
        new EKSClient({
          region,
          maxAttempts: options.maxAttempts ?? 2,
          requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: EKS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        }),
      );
      clients.set(region, client);
    }
    return client;
  };
}
