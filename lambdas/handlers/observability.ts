import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { GenerationLog } from "../generate/service.js";
import type { HubMetrics, StatusReportOutcome } from "../http/metrics.js";

/** Powertools' logger, metrics (CloudWatch EMF, namespace Radial) and tracer for one function. */
export function observability(serviceName: string): { logger: Logger; metrics: Metrics; tracer: Tracer } {
  return { logger: new Logger({ serviceName }), metrics: new Metrics({ namespace: "Radial", serviceName }), tracer: new Tracer({ serviceName }) };
}

/** The hub's metrics as the API function emits them (CloudWatch EMF): requests by route and status, status reports accepted or refused. */
export class EmfHubMetrics implements HubMetrics {
  constructor(private readonly emf: Metrics) {}

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const single = this.emf.singleMetric();
    single.addDimensions({ route: `${method} ${route}`, status: String(status) });
    single.addMetric("Requests", MetricUnit.Count, 1);
    single.addMetric("RequestLatency", MetricUnit.Milliseconds, seconds * 1000);
  }

  observeStatusReport(outcome: StatusReportOutcome): void {
    this.emf.addMetric(outcome === "accepted" ? "StatusReportsAccepted" : "StatusReportsRefused", MetricUnit.Count, 1);
  }
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
