import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { AwsClientHook } from "../adapters/aws-clients.js";
import type { GenerationLog } from "../generate/service.js";
import { logsAndMetrics } from "./emf.js";

/**
 * Powertools' logger, metrics (CloudWatch EMF, namespace Radial) and tracer for one function, and
 * the hook that has the tracer capture each AWS SDK client the hub builds (DynamoDB, SQS, EKS):
 * every call in an invocation becomes a subsegment of its trace, as do the HTTP requests the tracer
 * captures itself (git). The Secrets Manager client is left alone: the secrets are read at init,
 * which belongs to no invocation's trace (X-Ray shows it as Lambda's own Initialization
 * subsegment), so a captured client could only make the X-Ray SDK log a missing-context error for
 * each read at every cold start.
 */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics; tracer: Tracer; awsClients: AwsClientHook } {
  const tracer = new Tracer({ serviceName });
  // Powertools sets AWS_XRAY_CONTEXT_MISSING to IGNORE_ERROR when unset, so that calls at init (the
  // secrets' reads, captured as HTTP requests) log nothing; but in a bundle the X-Ray SDK has already
  // read the variable when that happens, and would log an error per read at every cold start.
  const strategy = process.env.AWS_XRAY_CONTEXT_MISSING;
  if (strategy === "IGNORE_ERROR" || strategy === "LOG_ERROR" || strategy === "RUNTIME_ERROR") tracer.provider.setContextMissingStrategy(strategy);
  return { ...logsAndMetrics(serviceName), tracer, awsClients: (client) => tracer.captureAWSv3Client(client) };
}

/** The generation log as the worker keeps it: each run's log line, and its duration, errors and failure as metrics. */
export function emfGenerationLog(logger: Logger, emf: Metrics): GenerationLog {
  return {
    info(message, fields) {
      logger.info(message, fields);
      emf.addMetric("GenerationRuns", MetricUnit.Count, 1);
      if (typeof fields.durationMs === "number") emf.addMetric("GenerationDuration", MetricUnit.Milliseconds, fields.durationMs);
      if (typeof fields.errorCount === "number") emf.addMetric("GenerationErrors", MetricUnit.Count, fields.errorCount);
    },
    error(message, fields) {
      logger.error(message, fields);
      emf.addMetric(message.includes("guard") ? "GenerationBlocked" : "GenerationFailures", MetricUnit.Count, 1);
    },
  };
}
