import type { HealthStatus } from "../../contract/status-report.js";

/** The health of one object, as gitops-engine's `HealthStatus`; no message when it has none. */
export interface ResourceHealth {
  status: HealthStatus;
  message?: string;
}
