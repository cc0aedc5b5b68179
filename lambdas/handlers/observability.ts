import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { GenerationLog } from "../generate/service.js";
import { logsAndMetrics } from "./emf.js";

/** Powertools' logger, metrics (CloudWatch EMF, namespace Radial) and tracer for one function. */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics; tracer: Tracer } {
  return { ...logsAndMetrics(serviceName), tracer: new Tracer({ serviceName }) };
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
