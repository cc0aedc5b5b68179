/** What became of an agent's status report. */
export type StatusReportOutcome = "accepted" | "unauthorized" | "invalid" | "too_large" | "conflict";

/**
 * What the hub counts: Prometheus for the embedded hub (prometheus-metrics.ts, served at /metrics),
 * CloudWatch EMF for the API function (handlers/observability.ts).
 */
export interface HubMetrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeStatusReport(outcome: StatusReportOutcome): void;
  /** What /metrics serves; absent where the metrics go elsewhere (CloudWatch, on AWS), and /metrics answers 404. */
  exposition?(): Promise<{ contentType: string; body: string }>;
}

/** Counts nothing: a hub built without metrics (tests, the worker function, which counts runs in its generation log). */
export const NO_HUB_METRICS: HubMetrics = {
  observeRequest() {
    // nothing counted
  },
  observeStatusReport() {
    // nothing counted
  },
};
