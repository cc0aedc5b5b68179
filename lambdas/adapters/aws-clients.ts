/**
 * What an entry point does to each AWS SDK client the hub builds (DynamoDB, SQS, EKS): on Lambda,
 * Powertools Tracer's `captureAWSv3Client`, so each call is a subsegment of the invocation's trace;
 * elsewhere nothing. It returns the client it was given.
 */
export type AwsClientHook = <T extends object>(client: T) => T;

export const NO_AWS_CLIENT_HOOK: AwsClientHook = (client) => client;
