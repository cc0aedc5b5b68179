import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { HubMetrics, StatusReportOutcome } from "./metrics.js";

/** The hub's Prometheus metrics, served at /metrics by the embedded hub. */
export class PrometheusHubMetrics implements HubMetrics {
  private readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: "radial_http_request_duration_seconds",
    help: "HTTP API requests by route template, method and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly statusReports = new Counter({
    name: "radial_status_reports_total",
    help: "Agents' status reports by outcome: accepted, or why refused",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "radial_hub_" });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status: String(status) }, seconds);
  }

  observeStatusReport(outcome: StatusReportOutcome): void {
    this.statusReports.inc({ outcome });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
