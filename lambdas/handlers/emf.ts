import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { HubMetrics, StatusReportOutcome } from "../http/metrics.js";

/**
 * Powertools' logger and metrics (CloudWatch EMF, namespace Radial) for one function, without the
 * tracer (observability.ts adds it): the API function does without Powertools Tracer, whose X-Ray
 * SDK is 120 KB of its bundle and part of every cold start; Lambda's active tracing still records
 * each invocation.
 */
export function logsAndMetrics(serviceName: string): { logger: Logger; metrics: Metrics } {
  return { logger: new Logger({ serviceName }), metrics: new Metrics({ namespace: "Radial", serviceName }) };
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
